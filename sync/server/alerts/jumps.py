"""A ward whose % negative jumps: the periodic check every server process runs.

% negative is FFT.md's (Poor + Very poor) over every answer, "Don't know" included, with
flagged responses (repeat taps) left out, read from ``day_counts``. A ward has jumped when
its last ``recent_days`` ward days (today included) against the ``baseline_days`` before them
both have at least ``min_responses`` and % negative rose by at least ``min_rise`` percentage
points. Then one alert per ward per period: none while the ward had one in the last
``recent_days``, and the key names the ISO week of the check, so processes checking at the
same moment insert one row between them (the unique ``dedupe_key`` makes the rest no-ops).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from sync import fft
from sync.server.alerts.raising import NewAlert, insert_alerts
from sync.server.alerts.settings import Jumps
from sync.server.schema import alerts, day_counts

#: The wards' calendar: what "today" is on the ward, whatever the server's time zone.
WARD_ZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Window:
    """A ward's responses and negative answers in one stretch of days."""

    total: int = 0
    negative: int = 0

    def percent(self) -> str:
        return fft.whole_percent(self.negative, self.total)


def jump_key(ward: tuple[str, str, str], today: dt.date) -> str:
    year, week, _ = today.isocalendar()
    return f"negative_jump:{'/'.join(ward)}:{year}-W{week:02d}"


def jumped(recent: Window, baseline: Window, rules: Jumps) -> bool:
    """Whether % negative rose from *baseline* to *recent* by *rules*' margin, from the exact
    counts (never from rounded percentages)."""
    if recent.total < rules.min_responses or baseline.total < rules.min_responses:
        return False
    # recent.negative/recent.total - baseline.negative/baseline.total >= min_rise/100,
    # multiplied out so no float decides a borderline ward.
    rise = 100 * (recent.negative * baseline.total - baseline.negative * recent.total)
    return rise >= rules.min_rise * recent.total * baseline.total


def _windows(
    conn: sa.Connection, today: dt.date, rules: Jumps
) -> dict[tuple[str, str, str], tuple[Window, Window]]:
    recent_start = today - dt.timedelta(days=rules.recent_days - 1)
    baseline_start = recent_start - dt.timedelta(days=rules.baseline_days)
    c = day_counts.c
    is_recent = c.local_date >= recent_start
    negative = sa.func.sum(sa.case((c.rating.in_(fft.NEGATIVE), c.n), else_=0))
    query = (
        sa.select(c.org_code, c.site_code, c.ward_name, is_recent, sa.func.sum(c.n), negative)
        .where(c.flagged == sa.false(), c.local_date.between(baseline_start, today))
        .group_by(c.org_code, c.site_code, c.ward_name, is_recent)
    )
    found: dict[tuple[str, str, str], tuple[Window, Window]] = {}
    for org, site, ward, recent, total, negatives in conn.execute(query):
        before = found.get((org, site, ward), (Window(), Window()))
        window = Window(int(total or 0), int(negatives or 0))
        found[(org, site, ward)] = (window, before[1]) if recent else (before[0], window)
    return found


def _alerted_lately(conn: sa.Connection, since: dt.datetime) -> set[tuple[str, str, str]]:
    c = alerts.c
    query = sa.select(c.org_code, c.site_code, c.ward_name).where(
        c.kind == "negative_jump", c.raised_at > since
    )
    return {(org, site, ward) for org, site, ward in conn.execute(query)}


def _jumps(
    conn: sa.Connection, now: dt.datetime, today: dt.date, rules: Jumps
) -> Iterator[NewAlert]:
    lately = _alerted_lately(conn, now - dt.timedelta(days=rules.recent_days))
    for ward, (recent, baseline) in sorted(_windows(conn, today, rules).items()):
        if ward in lately or not jumped(recent, baseline, rules):
            continue
        details = (
            f"% negative {baseline.percent()} \N{RIGHTWARDS ARROW} {recent.percent()}: "
            f"{recent.negative} of {recent.total} in the {rules.recent_days} days to "
            f"{today:%d %b %Y}, against {baseline.negative} of {baseline.total} in the "
            f"{rules.baseline_days} days before."
        )
        yield NewAlert("negative_jump", ward, jump_key(ward, today), details)


def check_jumps(conn: sa.Connection, now: dt.datetime, rules: Jumps) -> int:
    """Raise an alert for every ward whose % negative has jumped and has no such alert this
    week; returns how many were raised. Safe to run in any number of processes at once."""
    today = now.astimezone(WARD_ZONE).date()
    return insert_alerts(conn, _jumps(conn, now, today, rules), now)
