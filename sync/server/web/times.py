"""Times as people read them on the admin pages: the clock on a ward's wall (Europe/London,
whatever the server's own time zone) and how long ago, e.g. "20 November 2026, 10:00" in a
sentence, "20 Nov 2026, 10:00" in a table, and "3 hours ago". Everything stored is UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# English whatever the server's locale (strftime's %B would follow it).
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def london(moment: datetime, short: bool = False) -> str:
    """*moment* on UK time (BST or GMT, as the ward's clock): "20 November 2026, 10:00", the
    way a sentence says it; with *short*, as ``london_short``."""
    if short:
        return london_short(moment)
    local = moment.astimezone(LONDON)
    return f"{london_day(local)}, {clock(local)}"


def london_short(moment: datetime) -> str:
    """*moment* on UK time for a crowded table: "20 Nov 2026, 10:00"."""
    local = moment.astimezone(LONDON)
    return f"{london_day(local, short=True)}, {clock(local)}"


def clock(moment: datetime) -> str:
    """The UK time of day of *moment*: "09:05"."""
    return f"{moment.astimezone(LONDON):%H:%M}"


def london_day(moment: datetime, short: bool = False) -> str:
    """The UK date of *moment*: "20 November 2026" (or "20 Nov 2026")."""
    local = moment.astimezone(LONDON)
    month = MONTHS[local.month - 1]
    return f"{local.day} {month[:3] if short else month} {local.year}"


def today(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def ago(moment: datetime, now: datetime) -> str:
    """How long before *now* *moment* was: "just now", "5 minutes ago", "30 hours ago",
    "3 days ago". Hours up to two days, so a kiosk silent for 25 hours reads as more than 24."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"  # also a moment a little ahead of this server's clock
    for size, unit, below in ((60, "minute", 60), (3600, "hour", 48)):
        count = seconds // size
        if count < below:
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    days = seconds // 86400
    return f"{days} days ago"


def when(moment: datetime | None, now: datetime, short: bool = False) -> dict[str, str] | None:
    """What a page shows for a time: ``{"iso", "text", "ago"}``, or None for never; *short*
    for a table ("20 Nov 2026, 10:00")."""
    if moment is None:
        return None
    return {"iso": moment.isoformat(), "text": london(moment, short), "ago": ago(moment, now)}
