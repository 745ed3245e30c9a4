"""What the web app's pages read: every ward's month, one ward's days and theme chips, the NHS
submission and the kiosk fleet, from the figures ingest keeps (no page counts ``responses``;
one ward's comments and CSV, which do read them, are in ``ward_responses``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import fft
from sync.protocol import FFTReport
from sync.server import reports
from sync.server.devices import Place, now
from sync.server.schema import (
    audit_log,
    day_counts,
    devices,
    enrollment_keys,
    month_counts,
    submissions,
    theme_counts,
)
from sync.server.ward_responses import (
    Comment,
    aware,
    ward_is,
    ward_responses_csv,
)

__all__ = [
    "AuditEntry",
    "Comment",
    "Kiosk",
    "Scope",
    "Submission",
    "WardMonth",
    "audit_actions",
    "audit_entries",
    "kiosks",
    "known_wards",
    "mark_submitted",
    "sites",
    "submission",
    "ward_daily",
    "ward_responses_csv",
    "ward_themes",
    "wards_for_month",
]

#: The wards a person may see: None for the whole trust (an admin), else a ward user's wards.
Scope = frozenset[Place] | None

#: Months in a ward's trend, this one included.
TREND_MONTHS = 12
#: A kiosk not heard from for longer than this is flagged on the Devices page.
SILENT_AFTER = timedelta(hours=24)


# -- every ward's month (Overview) ---------------------------------------------------------


@dataclass(frozen=True)
class WardMonth:
    """One ward's figures for the Overview.

    Attributes:
        place: the ward.
        counts: this month, flagged responses left out (``excluded`` is how many).
        previous: last month, the same way.
        trend: the last ``TREND_MONTHS`` months, oldest first, ending with this one.
    """

    place: Place
    counts: fft.FFTCounts
    previous: fft.FFTCounts
    trend: tuple[fft.FFTCounts, ...]

    @property
    def change_positive(self) -> Decimal | None:
        """This month's % positive minus last month's, in percentage points to one decimal
        place; None if either month has no responses. Worked out from the exact counts and
        rounded half away from zero, never from the rounded percentages."""
        this, last = self.counts, self.previous
        if this.total == 0 or last.total == 0:
            return None
        # p1/t1 - p0/t0 over the one denominator t1 * t0.
        difference = this.positive * last.total - last.positive * this.total
        size = fft.rounded_percent(abs(difference), this.total * last.total, places=1)
        assert size is not None  # both totals are positive
        return -size if difference < 0 and size else size

    @property
    def no_responses(self) -> bool:
        """No response counts this month (flagged ones do not): the Overview flags it."""
        return self.counts.total == 0


def wards_for_month(
    engine: Engine, month: date, scope: Scope, site: tuple[str, str] | None = None
) -> list[WardMonth]:
    """Every ward in *scope* the server knows (responses in the last ``TREND_MONTHS``
    months, or an unrevoked enrolment key or kiosk), with or without responses this month,
    sorted by organisation, site and ward name.

    :param month: any day of the month.
    :param site: only this ``(org_code, site_code)``.
    """
    this, _ = fft.month_bounds(month.year, month.month)
    months = [_add_months(this, step - TREND_MONTHS + 1) for step in range(TREND_MONTHS)]
    table = month_counts
    ward = (table.c.org_code, table.c.site_code, table.c.ward_name)
    # One row per ward and month, the six codes and the flagged ones side by side: a few
    # thousand rows for a trust of 300 wards.
    query = (
        sa.select(*ward, table.c.month, *_by_code(table))
        .where(table.c.month.between(months[0], this), *_within(table, scope, site))
        .group_by(*ward, table.c.month)
    )
    found: dict[Place, dict[date, fft.FFTCounts]] = defaultdict(dict)
    with engine.connect() as conn:
        for row in conn.execute(query):
            found[Place(*row[:3])][row.month] = _counts(row)
        wards = set(found) | _enrolled_wards(conn, scope, site)
    result = []
    for place in sorted(wards, key=_place_key):
        trend = tuple(found[place].get(first, _NONE) for first in months)
        result.append(WardMonth(place, trend[-1], trend[-2], trend))
    return result


def sites(engine: Engine, scope: Scope) -> list[tuple[str, str]]:
    """Every ``(org_code, site_code)`` in *scope* the server knows, sorted."""
    return sorted({(place.org_code, place.site_code) for place in known_wards(engine, scope)})


def known_wards(engine: Engine, scope: Scope) -> list[Place]:
    """Every ward in *scope* the server knows: with responses at any time, or with an
    unrevoked enrolment key or kiosk. Sorted by organisation, site and ward name."""
    table = month_counts
    query = sa.select(table.c.org_code, table.c.site_code, table.c.ward_name).where(
        *_within(table, scope)
    )
    with engine.connect() as conn:
        wards = {Place(*row) for row in conn.execute(query.distinct())}
        wards |= _enrolled_wards(conn, scope, None)
    return sorted(wards, key=_place_key)


# -- one ward (Ward page) ------------------------------------------------------------------


def ward_daily(engine: Engine, place: Place, first: date, last: date) -> dict[date, fft.FFTCounts]:
    """The ward's responses per ward date from *first* to *last*, flagged ones left out
    (``excluded``); days with no response at all are absent."""
    table = day_counts
    query = (
        sa.select(table.c.local_date, *_by_code(table))
        .where(*ward_is(table, place), table.c.local_date.between(first, last))
        .group_by(table.c.local_date)
        .order_by(table.c.local_date)
    )
    with engine.connect() as conn:
        return {row.local_date: _counts(row) for row in conn.execute(query)}


def ward_themes(engine: Engine, place: Place, first: date, last: date) -> dict[str, int]:
    """How many responses chose each theme chip from *first* to *last*, flagged ones left
    out: the most chosen first, then by name."""
    table = theme_counts
    total = sa.func.sum(table.c.n).label("n")
    query = (
        sa.select(table.c.theme, total)
        .where(
            *ward_is(table, place),
            table.c.local_date.between(first, last),
            sa.not_(table.c.flagged),
        )
        .group_by(table.c.theme)
    )
    with engine.connect() as conn:
        chosen = [(row.theme, int(row.n)) for row in conn.execute(query)]
    return dict(sorted(chosen, key=lambda item: (-item[1], item[0])))


# -- the NHS submission --------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One month's NHS submission, as the submission page shows it.

    Attributes:
        period: the month, ``YYYY-MM``.
        true: the reports by level (``ward``, ``site``, ``org``), unsuppressed: what is
            submitted to NHS England.
        published: the same, suppressed as NHS England publishes them.
        excluded: flagged responses (repeat taps) left out of the month.
        marked: who marked the month as submitted, and when, oldest first.
    """

    period: str
    true: dict[str, FFTReport]
    published: dict[str, FFTReport]
    excluded: int
    marked: list[tuple[str, datetime]]


def submission(engine: Engine, period: str) -> Submission:
    """The month's submission, true and as published, from one read of its figures.

    :raises fft.PeriodError: for a period that is not a ``YYYY-MM`` month.
    """
    first, last = fft.parse_period(period)
    rows = reports.month_counts(engine, first, last, include_flagged=False)
    true = {level: reports.build_report(rows, period, level, False) for level in reports.LEVELS}
    published = {level: reports.build_report(rows, period, level, True) for level in reports.LEVELS}
    query = (
        sa.select(submissions.c.actor, submissions.c.marked_at)
        .where(submissions.c.period == period)
        .order_by(submissions.c.marked_at, submissions.c.id)
    )
    with engine.connect() as conn:
        marked = [(row.actor, aware(row.marked_at)) for row in conn.execute(query)]
    excluded = sum(row.excluded for row in true["org"].rows)
    return Submission(period, true, published, excluded, marked)


def mark_submitted(
    engine: Engine, period: str, user_id: int | None, actor: str, at: datetime | None = None
) -> None:
    """Record that *actor* submitted *period* to NHS England, with an audit entry, at *at*
    (the web app's clock; now if not given).

    :raises fft.PeriodError: for a period that is not a ``YYYY-MM`` month.
    """
    fft.parse_period(period)
    moment = at or now()
    actor = actor[:254]
    with engine.begin() as conn:
        conn.execute(
            submissions.insert().values(
                period=period, user_id=user_id, actor=actor, marked_at=moment
            )
        )
        conn.execute(
            audit_log.insert().values(
                at=moment,
                user_id=user_id,
                actor=actor,
                action="marked as submitted",
                detail=f"FFT {period}",
            )
        )


# -- the kiosk fleet (Devices page) --------------------------------------------------------


@dataclass(frozen=True)
class Kiosk:
    """An enrolled kiosk as the Devices page shows it: what it last said of itself with a
    batch or a heartbeat (None for a kiosk that has not said it yet). Times are UTC."""

    device_id: str
    name: str
    place: Place
    app_version: str
    enrolled_at: datetime
    last_seen_at: datetime | None
    last_batch_at: datetime | None
    pending_on_device: int | None
    last_sync_error: str | None
    revoked_at: datetime | None

    def silent(self, now: datetime) -> bool:
        """Not heard from (nor, if never, enrolled) for more than ``SILENT_AFTER``, and not
        revoked."""
        if self.revoked_at is not None:
            return False
        return now - (self.last_seen_at or self.enrolled_at) > SILENT_AFTER


def kiosks(engine: Engine, scope: Scope) -> list[Kiosk]:
    """Every kiosk of the wards in *scope*, revoked ones too, sorted by ward then name."""
    query = (
        sa.select(devices)
        .where(*_within(devices, scope))
        .order_by(
            devices.c.org_code,
            devices.c.site_code,
            devices.c.ward_name,
            devices.c.name,
            devices.c.device_id,
        )
    )
    with engine.connect() as conn:
        return [
            Kiosk(
                device_id=row.device_id,
                name=row.name,
                place=Place(row.org_code, row.site_code, row.ward_name),
                app_version=row.app_version,
                enrolled_at=aware(row.enrolled_at),
                last_seen_at=_aware_or_none(row.last_seen_at),
                last_batch_at=_aware_or_none(row.last_batch_at),
                pending_on_device=row.pending_on_device,
                last_sync_error=row.last_sync_error,
                revoked_at=_aware_or_none(row.revoked_at),
            )
            for row in conn.execute(query)
        ]


# -- the audit log (Audit page) ------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One admin action: when (UTC), who (an email, or ``command line``), what, and of what."""

    at: datetime
    actor: str
    action: str
    detail: str


def audit_entries(
    engine: Engine, offset: int, limit: int, action: str | None = None
) -> tuple[list[AuditEntry], int]:
    """Audit entries newest first, *limit* of them from *offset*, and how many there are in
    all (of *action* only, if given)."""
    where = [] if action is None else [audit_log.c.action == action]
    query = (
        sa.select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
        .where(*where)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(*where))
        count = int(total.scalar_one())
        entries = [
            AuditEntry(aware(row.at), row.actor, row.action, row.detail)
            for row in conn.execute(query)
        ]
    return entries, count


def audit_actions(engine: Engine) -> list[str]:
    """Every kind of action in the audit log, sorted: the Audit page's filter."""
    query = sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)
    with engine.connect() as conn:
        return [row.action for row in conn.execute(query)]


# -- shared ----------------------------------------------------------------------------------


_NONE = fft.FFTCounts.from_mapping({})


def _by_code(table: sa.Table) -> list[sa.Label[Any]]:
    """Sums of *table*'s ``n``: one per FFT code (``c1``..``c6``) of unflagged responses,
    and ``excluded`` for the flagged ones."""

    def total(when: sa.ColumnElement[bool], name: str) -> sa.Label[Any]:
        return sa.func.sum(sa.case((when, table.c.n), else_=0)).label(name)

    clean = sa.not_(table.c.flagged)
    return [
        *(total(sa.and_(clean, table.c.rating == code), f"c{code}") for code in fft.CODES),
        total(table.c.flagged, "excluded"),
    ]


def _counts(row: sa.Row[Any]) -> fft.FFTCounts:
    mapping = row._mapping
    return fft.FFTCounts.from_mapping(
        {code: int(mapping[f"c{code}"]) for code in fft.CODES}, int(mapping["excluded"])
    )


def _within(
    table: sa.Table, scope: Scope, site: tuple[str, str] | None = None
) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping *table*'s rows to the wards of *scope* (and of *site*)."""
    where: list[sa.ColumnElement[bool]] = []
    if scope is not None:
        ward = sa.tuple_(table.c.org_code, table.c.site_code, table.c.ward_name)
        where.append(ward.in_([_place_key(place) for place in sorted(scope, key=_place_key)]))
    if site is not None:
        where += [table.c.org_code == site[0], table.c.site_code == site[1]]
    return where


def _enrolled_wards(conn: sa.Connection, scope: Scope, site: tuple[str, str] | None) -> set[Place]:
    """Wards with an unrevoked enrolment key or kiosk: known before any response."""
    wards: set[Place] = set()
    for table in (enrollment_keys, devices):
        query = (
            sa.select(table.c.org_code, table.c.site_code, table.c.ward_name)
            .where(table.c.revoked_at.is_(None), *_within(table, scope, site))
            .distinct()
        )
        wards.update(Place(*row) for row in conn.execute(query))
    return wards


def _place_key(place: Place) -> tuple[str, str, str]:
    return (place.org_code, place.site_code, place.ward_name)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _aware_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware(moment)
