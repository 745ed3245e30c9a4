"""What this kiosk says about itself: the sync-status lines staff read on the Sync page, and
the device details IT scan from its QR code for asset checks (nothing about patients).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from kiosk import __version__
from kiosk.config import Location
from sync.status import SyncStatus

NOT_CONFIGURED = "Sync not configured: answers stay on this kiosk."


def device_details(location: Location, device_id: str, pending: int) -> str:
    """The device QR code's text: the device, its ward, the app, and what waits to be sent."""
    return "\n".join(
        [
            f"device: {device_id or 'not enrolled'}",
            f"ward: {location.org_code} {location.site_code} {location.ward_name}",
            f"app: ward-kiosk {__version__}",
            f"waiting to send: {pending}",
        ]
    )


def sync_lines(
    server_url: str | None,
    device_id: str,
    counts: Mapping[str, int],
    status: SyncStatus | None,
    zone: tzinfo,
) -> list[str]:
    """What staff read about sync.

    :param server_url: the central server, or None when this kiosk has no ``[sync]``.
    :param counts: the store's responses per sync state (``LocalStore.sync_counts``), which
        are fresher than the last status.
    :param status: the sync worker's latest word, or None before it has said anything.
    :param zone: the ward's time zone, for when the last batch was sent.
    """
    if server_url is None:
        return [NOT_CONFIGURED]
    lines = [
        f"Central server: {server_url}",
        f"Device: {device_id or 'not enrolled yet'}",
        f"Waiting to send: {counts['pending']}",
        f"Refused by the server: {counts['rejected']}",
    ]
    if status is not None and status.last_success is not None:
        lines.append(f"Last sent: {status.last_success.astimezone(zone):%d %b %H:%M}")
    else:
        lines.append("Last sent: not yet")
    error = status.last_error if status is not None else None
    lines.append(f"Last problem: {error}" if error else "Last problem: none")
    return lines
