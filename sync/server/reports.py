"""Monthly FFT figures from the stored responses, as JSON rows or NHS England's CSV layout.

Months are calendar months of the ward's own date (``local_date``), as NHS England reports.
Flagged responses (``repeat-tap``) are left out unless asked for, and counted apart.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from sync import fft
from sync.protocol import FFTReport, FFTRow
from sync.server import db

FIRST_YEAR, LAST_YEAR = 2000, 9998


class PeriodError(ValueError):
    """The period is not a month written ``YYYY-MM``."""


def parse_period(period: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    # ASCII digits only: "\d" would also take Arabic-Indic and full-width digits.
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"period {period!r} must be a month written YYYY-MM, e.g. 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            f"period {period!r} is not a month the FFT has figures for; choose a month "
            f"from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def fft_report(
    engine: Engine, period: str, level: str, suppress: bool = False, include_flagged: bool = False
) -> FFTReport:
    first, last = parse_period(period)
    places: dict[tuple[str, str | None, str | None], dict[str, Any]] = defaultdict(
        lambda: {"counts": defaultdict(int), "modes": defaultdict(int), "excluded": 0}
    )
    for row in db.month_counts(engine, first, last, level, include_flagged):
        key = (row["org_code"], row.get("site_code"), row.get("ward_name"))
        place = places[key]
        if row["clean"]:
            place["counts"][row["rating"]] += row["n"]
            place["modes"][row["mode"]] += row["n"]
        else:
            place["excluded"] += row["n"]
    rows = []
    for (org, site, ward), place in sorted(places.items(), key=lambda item: str(item[0])):
        counts = fft.FFTCounts.from_mapping(place["counts"], place["excluded"])
        cells: dict[int, int | str] = dict(counts.by_code)
        total: int | str = counts.total
        positive, negative = counts.percent_positive, counts.percent_negative
        if suppress:
            cells = fft.suppress(counts.by_code)
            if 0 < counts.total < fft.SUPPRESSION_THRESHOLD:
                total, positive, negative = fft.SUPPRESSED, None, None
        rows.append(
            FFTRow(
                org_code=org,
                site_code=site,
                ward_name=ward,
                counts={str(code): value for code, value in cells.items()},
                total=total,
                percent_positive=None if positive is None else round(positive, 1),
                percent_negative=None if negative is None else round(negative, 1),
                excluded=place["excluded"],
                modes=dict(place["modes"]) if level == "org" else {},
            )
        )
    return FFTReport(period=period, level=level, suppressed=suppress, rows=rows)  # type: ignore[arg-type]


def report_csv(report: FFTReport) -> str:
    """The report in NHS England's ward-level column layout."""
    first, _ = parse_period(report.period)
    rows = [
        fft.submission_row(
            first.year,
            first.month,
            row.org_code,
            row.site_code or "",
            row.ward_name or "",
            {int(code): value for code, value in row.counts.items()},
            row.total,
        )
        for row in report.rows
    ]
    return fft.submission_csv(rows)
