"""Monthly FFT figures, as JSON rows or NHS England's CSV layout, from ``month_counts`` (the
figures ingest keeps, so a report reads a few thousand rows however many responses there are).

Months are calendar months of the ward's own date (``local_date``), as NHS England reports.
Flagged responses (``repeat-tap``) are left out unless asked for, and counted apart.

``by_survey`` adds each place's counts per survey version (standard, easy read, children's),
counted exactly as the headline ones, which they add up to. ``month_counts`` has no survey
column, so they come from ``responses`` itself: one month's rows (``bench/report_by_survey.py``
measures it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import fft
from sync.protocol import FFTReport, FFTRow, Message
from sync.server.schema import month_counts as counts_table
from sync.server.schema import responses

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


class SurveyFigures(Message):
    """One survey version's share of a place's figures; ``*`` where the place's are hidden."""

    survey_id: str
    counts: dict[str, int | str]
    total: int | str
    excluded: int


class FFTRowBySurvey(FFTRow):
    """A place's figures, and the same per survey version (``survey_id``), which add up to
    them."""

    by_survey: list[SurveyFigures]


class FFTReportBySurvey(FFTReport):
    """``GET /api/v1/reports/fft?by_survey=true``: the report, each row broken down by survey."""

    rows: list[FFTRowBySurvey]  # type: ignore[assignment]


def fft_report(
    engine: Engine,
    period: str,
    level: str,
    suppress: bool = False,
    include_flagged: bool = False,
    by_survey: bool = False,
) -> FFTReport:
    """The month's figures at *level*.

    :param suppress: as NHS England publishes them (shared FFT.md): breakdowns of small
        places hidden, with the second level and the cascade worked out over every ward,
        site and organisation of the month, whatever level is asked for. Without it, the
        true counts: what a trust submits.
    :param by_survey: an ``FFTReportBySurvey``: each place's counts per survey version too.
    :raises fft.PeriodError: for a period that is not a ``YYYY-MM`` month.
    """
    first, last = fft.parse_period(period)
    rows = month_counts(engine, first, last, include_flagged)
    report = build_report(rows, period, level, suppress)
    if not by_survey:
        return report
    return add_survey_breakdown(report, survey_counts(engine, first, last, include_flagged))


def survey_counts(
    engine: Engine, first: date, last: date, include_flagged: bool
) -> list[dict[str, Any]]:
    """Responses per ward, survey id, rating and flagged for the days *first* to *last*,
    read from ``responses``: each response counted once, flagged as ingest flags it for
    ``month_counts`` (any flag), so the counts add up to the headline ones."""
    table = responses
    ward = [table.c.org_code, table.c.site_code, table.c.ward_name]
    # Grouped by the flags as stored (a handful of values), not by an expression on them: the
    # database then compares no text for each of the month's rows.
    keys = [*ward, table.c.survey_id, table.c.rating, table.c.flags]
    query = (
        sa.select(*keys, sa.func.count().label("n"))
        .where(table.c.local_date.between(first, last))
        .group_by(*keys)
    )
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["n"] = int(row["n"])
        row["clean"] = include_flagged or row.pop("flags") == "[]"
    return rows


def add_survey_breakdown(report: FFTReport, rows: Iterable[dict[str, Any]]) -> FFTReportBySurvey:
    """*report* with each place's counts per survey from ``survey_counts`` *rows*, hidden
    (``*``) wherever the place's own breakdown is."""
    depth = {"org": 1, "site": 2, "ward": 3}[report.level]
    counts: dict[tuple[str, ...], dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    excluded: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for count in rows:
        place = (count["org_code"], count["site_code"], count["ward_name"])[:depth]
        if count["clean"]:
            counts[place][count["survey_id"]][count["rating"]] += count["n"]
        else:
            counts[place][count["survey_id"]]  # a survey whose every response was flagged
            excluded[place][count["survey_id"]] += count["n"]
    out = []
    for row in report.rows:
        place = tuple(p for p in (row.org_code, row.site_code, row.ward_name) if p is not None)
        secret = fft.SUPPRESSED in row.counts.values()  # the place's breakdown is hidden
        surveys = []
        for survey_id in sorted(counts[place]):
            figures = fft.FFTCounts.from_mapping(
                counts[place][survey_id], excluded[place][survey_id]
            )
            surveys.append(
                SurveyFigures(
                    survey_id=survey_id,
                    counts={
                        str(code): fft.SUPPRESSED if secret else n
                        for code, n in figures.by_code.items()
                    },
                    total=fft.SUPPRESSED if secret else figures.total,
                    excluded=figures.excluded,
                )
            )
        out.append(FFTRowBySurvey(**row.model_dump(), by_survey=surveys))
    return FFTReportBySurvey(
        period=report.period, level=report.level, suppressed=report.suppressed, rows=out
    )


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
