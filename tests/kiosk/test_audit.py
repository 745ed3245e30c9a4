"""The staff audit as staff read it: newest first, in ward time, with any detail."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.audit import audit_lines
from kiosk.store import LocalStore


def test_audit_lines_are_newest_first_in_ward_time(store: LocalStore) -> None:
    store.audit("staff entry", at=datetime(2026, 7, 20, 13, 5, tzinfo=UTC))
    store.audit("export", "2026-07 to /media/usb", at=datetime(2026, 7, 20, 13, 9, tzinfo=UTC))
    # Summer time: London is an hour ahead of UTC.
    assert audit_lines(store, ZoneInfo("Europe/London")) == [
        "20 Jul 2026 14:09  export: 2026-07 to /media/usb",
        "20 Jul 2026 14:05  staff entry",
    ]
