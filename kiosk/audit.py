"""The staff audit as staff read it: one line per action, newest first, in ward time.

The actions themselves are recorded by ``LocalStore.audit``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from kiosk.store import LocalStore


def audit_lines(store: LocalStore, zone: tzinfo) -> list[str]:
    """``03 Nov 2026 14:05  export: 2026-11 to /media/usb``, for each of the latest actions."""
    lines = []
    for entry in store.audit_entries():
        when = datetime.fromisoformat(entry["at"]).astimezone(zone)
        detail = f": {entry['detail']}" if entry["detail"] else ""
        lines.append(f"{when:%d %b %Y %H:%M}  {entry['event']}{detail}")
    return lines
