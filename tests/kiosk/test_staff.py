"""Staff PIN, lockout, periods and the staff figures, without Qt."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.staff import PIN_FILE, PinError, StaffPin, period
from kiosk.store import LocalStore
from tests.kiosk.test_store import ORIGIN


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_there_is_no_default_pin(tmp_path):
    pin = StaffPin(tmp_path)
    assert not pin.is_set
    for guess in ("0000", "1234", ""):
        assert not pin.check(guess).ok


def test_the_pin_is_kept_as_a_salted_hash_only(tmp_path):
    StaffPin(tmp_path).set("4821")
    text = (tmp_path / PIN_FILE).read_text()
    assert "4821" not in text and len(json.loads(text)["salt"]) == 32
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / PIN_FILE).stat().st_mode) == 0o600
    assert StaffPin(tmp_path).check("4821").ok
    assert not StaffPin(tmp_path).check("4822").ok


@pytest.mark.parametrize("bad", ["12", "123456789", "12a4", "１２３４", "1111"])
def test_a_weak_or_malformed_pin_is_refused(tmp_path, bad):
    with pytest.raises(PinError):
        StaffPin(tmp_path).set(bad)


def test_lockout_after_five_wrong_pins_doubles_to_fifteen_minutes_and_survives_restart(
    tmp_path,
):
    clock = Clock()
    StaffPin(tmp_path, clock).set("4821")
    for tries_left in (4, 3, 2, 1):
        assert StaffPin(tmp_path, clock).check("0000").tries_left == tries_left
    waits = []
    for _ in range(7):
        result = StaffPin(tmp_path, clock).check("0000")  # a new object: as after a restart
        assert not result.ok
        waits.append(result.wait)
        # While locked, even the right PIN is refused.
        assert not StaffPin(tmp_path, clock).check("4821").ok
        clock.now += result.wait
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 900, 900)]
    assert StaffPin(tmp_path, clock).check("4821").ok
    assert StaffPin(tmp_path, clock).check("0000").tries_left == 4  # the count starts again


def test_periods_by_ward_date():
    today = date(2026, 3, 3)
    assert period("today", today) == (today, today)
    assert period("last-7-days", today) == (date(2026, 2, 25), today)
    assert period("this-month", today) == (date(2026, 3, 1), today)
    assert period("last-month", today) == (date(2026, 2, 1), date(2026, 2, 28))


def test_figures_follow_the_london_calendar_across_clock_changes(tmp_path):
    store = LocalStore(tmp_path / "kiosk.db")
    at = [
        # Clocks go forward at 01:00 UTC on 29 March 2026.
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), 1),  # 23:30 GMT, 28 March
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 2),  # 00:30 GMT, 29 March
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), 4),  # 00:30 BST, 30 March
        # Clocks go back at 01:00 UTC on 25 October 2026.
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 5),  # 00:30 BST, 25 October
        (datetime(2026, 10, 31, 23, 59, tzinfo=UTC), 6),  # 23:59 GMT, 31 October
        (datetime(2026, 11, 1, 0, 1, tzinfo=UTC), 3),  # 00:01 GMT, 1 November
    ]
    ids = [store.record(code, ORIGIN, language="en", at=moment) for moment, code in at]
    store.record(1, ORIGIN, language="en", flags=["repeat-tap"], at=at[0][0])
    assert store.daily_counts(date(2026, 3, 28), date(2026, 3, 30)) == {
        date(2026, 3, 28): {1: 1},
        date(2026, 3, 29): {2: 1},
        date(2026, 3, 30): {4: 1},
    }
    october = store.counts(*period("last-month", date(2026, 11, 26)))
    assert dict(october.by_code) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 1}
    november = store.counts(*period("this-month", date(2026, 11, 26)))
    assert november.total == 1 and november.by_code[3] == 1
    march = store.counts(date(2026, 3, 1), date(2026, 3, 31))
    assert march.total == 3 and march.excluded == 1
    assert march.percent_positive == pytest.approx(200 / 3)
    assert march.percent_negative == pytest.approx(100 / 3)
    assert len(ids) == 6
    store.close()


def test_comments_newest_first_filtered_and_theme_counts(tmp_path):
    store = LocalStore(tmp_path / "kiosk.db")
    day = datetime(2026, 11, 20, 10, tzinfo=UTC)
    given = [
        (1, ["staff"], "Lovely"),
        (5, ["food", "noise"], "Too loud"),
        (2, ["staff", "food"], None),
        (4, [], "Cold tea"),
    ]
    for minutes, (code, themes, comment) in enumerate(given):
        rid = store.record(code, ORIGIN, language="en", at=day + timedelta(minutes=minutes))
        store.add_followup(rid, themes, comment or "")
    first = last = date(2026, 11, 20)
    assert [c["comment"] for c in store.comments(first, last)] == ["Cold tea", "Too loud", "Lovely"]
    assert [c["comment"] for c in store.comments(first, last, codes=(4, 5))] == [
        "Cold tea",
        "Too loud",
    ]
    assert store.comments(first, last)[1]["themes"] == ["food", "noise"]
    assert store.theme_counts(first, last) == {"food": 2, "staff": 2, "noise": 1}
    store.close()


def test_the_audit_keeps_staff_actions_newest_first(tmp_path):
    store = LocalStore(tmp_path / "kiosk.db")
    store.audit("staff entry")
    store.audit("export", "ward CSV for 2026-11 to /media/usb")
    assert [(e["event"], e["detail"]) for e in store.audit_entries()] == [
        ("export", "ward CSV for 2026-11 to /media/usb"),
        ("staff entry", ""),
    ]
    store.close()
