"""Monthly FFT figures, as JSON rows or NHS England's CSV layout, from ``month_counts`` (the
figures ingest keeps, so a report reads a few thousand rows however many responses there are).

Months are calendar months of the ward's own date (``local_date``), as NHS England reports.
Flagged responses (``repeat-tap``) are left out unless asked for, and counted apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import fft
from sync.protocol import FFTReport, FFTRow
from sync.server.schema import month_counts as counts_table

LEVELS = ("ward", "site", "org")


def month_counts(
    engine: Engine, first: date, last: date, include_flagged: bool
) -> list[dict[str, Any]]:
    """Responses per ward, rating and mode for the months from *first* to *last* (whole
    months: any day of them will do), and whether they were flagged (``clean`` is False for
    a flagged group). Sites and organisations are summed from these, so suppression can see
    every ward."""
    table = counts_table
    columns = [table.c.org_code, table.c.site_code, table.c.ward_name]
    clean = sa.not_(table.c.flagged)
    query = (
        sa.select(
            *columns,
            table.c.rating,
            table.c.mode,
            clean.label("clean"),
            sa.func.sum(table.c.n).label("n"),
        )
        .where(table.c.month.between(first.replace(day=1), last))
        .group_by(*columns, table.c.rating, table.c.mode, table.c.flagged)
    )
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["n"] = int(row["n"])
        row["clean"] = include_flagged or bool(row["clean"])
    return rows


def fft_report(
    engine: Engine, period: str, level: str, suppress: bool = False, include_flagged: bool = False
) -> FFTReport:
    """The month's figures at *level*.

    :param suppress: as NHS England publishes them (shared FFT.md): breakdowns of small
        places hidden, with the second level and the cascade worked out over every ward,
        site and organisation of the month, whatever level is asked for. Without it, the
        true counts: what a trust submits.
    :raises fft.PeriodError: for a period that is not a ``YYYY-MM`` month.
    """
    first, last = fft.parse_period(period)
    rows = month_counts(engine, first, last, include_flagged)
    return build_report(rows, period, level, suppress)


def build_report(
    rows: Iterable[dict[str, Any]], period: str, level: str, suppress: bool
) -> FFTReport:
    """The report at *level* from ``month_counts`` rows; several reports of one month can
    share one read."""
    counts: dict[fft.Place, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    modes: dict[fft.Place, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    excluded: dict[fft.Place, int] = defaultdict(int)
    ward_totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
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
    report_rows = []
    for place in sorted(key for key in counts if len(key) == depth):
        figures = fft.FFTCounts.from_mapping(counts[place], excluded[place])
        secret = place in hidden
        report_rows.append(
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
    return FFTReport(period=period, level=level, suppressed=suppress, rows=report_rows)  # type: ignore[arg-type]


def _one_place(part: int, total: int) -> float | None:
    value = fft.rounded_percent(part, total, places=1)
    return None if value is None else float(value)


def _modes(by_mode: dict[str, int], secret: bool) -> dict[str, int | str]:
    if secret:
        return {mode: fft.SUPPRESSED for mode in fft.MODES}
    return dict(by_mode)


def report_csv(report: FFTReport) -> str:
    """The report in NHS England's ward-level column layout."""
    first, _ = fft.parse_period(report.period)
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
