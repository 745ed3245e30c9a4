"""What the kiosk tells staff about sync, and IT about itself, in each state sync can be in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk import __version__
from kiosk.config import Location
from kiosk.device_status import NOT_CONFIGURED, device_details, sync_lines
from sync.status import SyncStatus

LONDON = ZoneInfo("Europe/London")
SERVER = "https://feedback.example.nhs.uk"
COUNTS = {"pending": 3, "sent": 40, "rejected": 1}
DEVICE = "5f0c6a2e-1d1b-4d8e-9a57-0b7a3c2d9e11"
WARD_7 = Location(
    org_code="RWD", site_code="RWDLA", ward_name="Ward 7 Acute Medicine", display_name="Ward 7"
)


def status(last_success: datetime | None = None, last_error: str | None = None) -> SyncStatus:
    return SyncStatus("idle", 99, 99, last_success, last_error, DEVICE)


def test_without_a_server_staff_are_told_answers_stay_here():
    assert sync_lines(None, "", COUNTS, None, LONDON) == [NOT_CONFIGURED]
    assert NOT_CONFIGURED == "Sync not configured: answers stay on this kiosk."


def test_before_the_worker_has_said_anything():
    assert sync_lines(SERVER, "", COUNTS, None, LONDON) == [
        f"Central server: {SERVER}",
        "Device: not enrolled yet",
        "Waiting to send: 3",
        "Refused by the server: 1",
        "Last sent: not yet",
        "Last problem: none",
    ]


def test_after_a_clean_sync_the_time_is_in_ward_time():
    # 13:05 UTC on 20 July is 14:05 in London (summer time); the counts come from the store.
    lines = sync_lines(
        SERVER, DEVICE, COUNTS, status(datetime(2026, 7, 20, 13, 5, tzinfo=UTC)), LONDON
    )
    assert lines[1:] == [
        f"Device: {DEVICE}",
        "Waiting to send: 3",
        "Refused by the server: 1",
        "Last sent: 20 Jul 14:05",
        "Last problem: none",
    ]


def test_a_problem_is_shown_until_a_clean_sync():
    problem = "The central server did not answer; trying again in 5 minutes."
    lines = sync_lines(
        SERVER,
        DEVICE,
        COUNTS,
        status(datetime(2026, 1, 5, 8, 0, tzinfo=UTC), problem),
        LONDON,
    )
    assert lines[-2:] == ["Last sent: 05 Jan 08:00", f"Last problem: {problem}"]
    never_sent = sync_lines(SERVER, DEVICE, COUNTS, status(None, "device revoked"), LONDON)
    assert never_sent[-2:] == ["Last sent: not yet", "Last problem: device revoked"]


def test_device_details_name_the_device_ward_and_app_and_nothing_about_patients():
    assert device_details(WARD_7, DEVICE, 3) == (
        f"device: {DEVICE}\n"
        "ward: RWD RWDLA Ward 7 Acute Medicine\n"
        f"app: ward-kiosk {__version__}\n"
        "waiting to send: 3"
    )
    assert device_details(WARD_7, "", 0).startswith("device: not enrolled\n")
