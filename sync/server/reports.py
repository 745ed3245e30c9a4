"""Monthly FFT figures from the stored responses, as JSON rows or NHS England's CSV layout.

Months are calendar months of the ward's own date (``local_date``), as NHS England reports.
Flagged responses (``repeat-tap``) are left out unless asked for, and counted apart.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date

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
    """The month's figures at *level*.

    :param suppress: as NHS England publishes them (shared FFT.md): breakdowns of small
        places hidden, with the second level and the cascade worked out over every ward,
        site and organisation of the month, whatever level is asked for. Without it, the
        true counts: what a trust submits.
    """
    first, last = parse_period(period)
    counts: dict[fft.Place, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    modes: dict[fft.Place, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    excluded: dict[fft.Place, int] = defaultdict(int)
    ward_totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in db.month_counts(engine, first, last, include_flagged):
        ward = (row["org_code"], row["site_code"], row["ward_name"])
        ward_totals[ward] += row["n"] if row["clean"] else 0
        place: fft.Place
        for place in (ward[:1], ward[:2], ward):
            if row["clean"]:
                counts[place][row["rating"]] += row["n"]
                modes[place][row["mode"]] += row["n"]
            else:
                counts[place]  # a place whose every response was flagged is still listed
                excluded[place] += row["n"]
    hidden = fft.hidden_places(ward_totals) if suppress else frozenset()
    depth = {"org": 1, "site": 2, "ward": 3}[level]
    rows = []
    for place in sorted(key for key in counts if len(key) == depth):
        figures = fft.FFTCounts.from_mapping(counts[place], excluded[place])
        secret = place in hidden
        rows.append(
            FFTRow(
                org_code=place[0],
                site_code=place[1] if depth > 1 else None,
                ward_name=place[2] if depth > 2 else None,
                counts={
                    str(code): fft.SUPPRESSED if secret else n
                    for code, n in figures.by_code.items()
                },
                total=figures.total,
                percent_positive=None if secret else _one_place(figures.positive, figures.total),
                percent_negative=None if secret else _one_place(figures.negative, figures.total),
                excluded=figures.excluded,
                modes=_modes(modes[place], secret) if depth == 1 else {},
            )
        )
    return FFTReport(period=period, level=level, suppressed=suppress, rows=rows)  # type: ignore[arg-type]


def _one_place(part: int, total: int) -> float | None:
    value = fft.rounded_percent(part, total, places=1)
    return None if value is None else float(value)


def _modes(by_mode: dict[str, int], secret: bool) -> dict[str, int | str]:
    if secret:
        return {mode: fft.SUPPRESSED for mode in fft.MODES}
    return dict(by_mode)


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
