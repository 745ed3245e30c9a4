"""Staff PIN, lockout and the staff figures, without Qt."""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk import staff
from kiosk.staff import LONGEST_WAIT, PIN_FILE, PinError, PinFile, StaffPin
from sync.fft import period
from tests.helpers import ORIGIN


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


PIN = "4821"
FULL = errno.ENOSPC


@pytest.fixture
def quick_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap scrypt for tests that try dozens of PINs (the real cost is tested above)."""
    monkeypatch.setitem(staff.SCRYPT, "n", 2**4)


def on_disk(folder: Path) -> dict[str, Any]:
    return json.loads((folder / PIN_FILE).read_text(encoding="utf-8"))


def test_there_is_no_default_pin(tmp_path):
    pin = StaffPin(tmp_path)
    assert not pin.is_set and pin.state is PinFile.UNSET
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


DAMAGED_FILES = {
    "truncated JSON": b'{"salt": "00112233445566778899aabbccddeeff", "hash": "ab',
    "empty": b"",
    "a list": b"[]",
    "null": b"null",
    "wrong types": b'{"salt": 5, "hash": [], "failures": 0, "locked_until": ""}',
    "no hash": b'{"salt": "00112233445566778899aabbccddeeff", "failures": 0, "locked_until": ""}',
    "short hash": b'{"salt": "0011", "hash": "abcd", "failures": 0, "locked_until": ""}',
    "garbage": b"\xff\xfe\x00\x13 not json at all",
}


@pytest.mark.parametrize("content", DAMAGED_FILES.values(), ids=DAMAGED_FILES.keys())
def test_a_damaged_pin_file_is_locked_not_unset(tmp_path, caplog, content):
    StaffPin(tmp_path).set(PIN)
    (tmp_path / PIN_FILE).write_bytes(content)
    pin = StaffPin(tmp_path)
    with caplog.at_level(logging.ERROR, logger="kiosk.staff"):
        assert pin.state is PinFile.DAMAGED and not pin.is_set
        for guess in (PIN, "0000", ""):
            assert not pin.check(guess).ok
    assert "damaged" in caplog.text and "ward-kiosk set-pin" in caplog.text
    assert (tmp_path / PIN_FILE).read_bytes() == content  # refusing never "repairs" it
    # Setting the PIN again is the way out, and replaces the damaged file.
    pin.set("2468")
    assert pin.state is PinFile.SET and pin.check("2468").ok


def test_a_pin_file_that_cannot_be_read_is_damaged(tmp_path, monkeypatch):
    StaffPin(tmp_path).set(PIN)
    path = tmp_path / PIN_FILE
    path.chmod(0)
    if os.geteuid() == 0:
        # Root reads a mode-000 file anyway; make the read fail as it does for the kiosk user.
        real = Path.read_bytes

        def denied(self: Path) -> bytes:
            if self == path:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    assert StaffPin(tmp_path).state is PinFile.DAMAGED
    assert not StaffPin(tmp_path).check(PIN).ok
    monkeypatch.undo()
    path.chmod(0o600)
    # A folder where the file should be cannot be read either (a real failure, even as root).
    path.unlink()
    path.mkdir()
    assert StaffPin(tmp_path).state is PinFile.DAMAGED
    assert not StaffPin(tmp_path).check(PIN).ok


def test_sixty_wrong_pins_never_overflow_the_wait(tmp_path, quick_scrypt):
    clock = Clock()
    StaffPin(tmp_path, clock).set(PIN)
    for failures in range(1, 71):
        result = StaffPin(tmp_path, clock).check("0000")
        assert not result.ok
        assert timedelta(0) <= result.wait <= LONGEST_WAIT
        assert on_disk(tmp_path)["failures"] == failures  # saved, so a restart keeps it
        if failures >= 10:
            assert result.wait == LONGEST_WAIT
            assert not StaffPin(tmp_path, clock).check(PIN).ok  # still locked
        clock.now += result.wait
    assert StaffPin(tmp_path, clock).check(PIN).ok


LOCKS = {
    "unreadable lock time": {"failures": 2, "locked_until": "tea time"},
    "lock time without a zone": {"failures": 6, "locked_until": "2026-11-26T17:05:00"},
    "lock time not a string": {"failures": 6, "locked_until": 1764176400},
    "lock time missing": {"failures": 0},
    "count not an int": {"failures": "many", "locked_until": ""},
    "count a bool": {"failures": True, "locked_until": ""},
    "count negative": {"failures": -100, "locked_until": ""},
    "lock years away": {"failures": 6, "locked_until": "2036-11-26T17:00:00+00:00"},
}


@pytest.mark.parametrize("fields", LOCKS.values(), ids=LOCKS.keys())
def test_a_damaged_lockout_means_the_longest_wait(tmp_path, quick_scrypt, fields):
    clock = Clock()
    StaffPin(tmp_path, clock).set(PIN)
    good = on_disk(tmp_path)
    (tmp_path / PIN_FILE).write_text(
        json.dumps({"salt": good["salt"], "hash": good["hash"], **fields}), encoding="utf-8"
    )
    pin = StaffPin(tmp_path, clock)
    assert pin.state is PinFile.SET
    result = pin.check(PIN)
    assert not result.ok and result.wait == LONGEST_WAIT
    # The wait is saved, so it runs out once rather than starting again at every look.
    clock.now += timedelta(minutes=10)
    assert StaffPin(tmp_path, clock).wait() == timedelta(minutes=5)
    clock.now += timedelta(minutes=5)
    assert StaffPin(tmp_path, clock).check(PIN).ok


def full_disk(monkeypatch: pytest.MonkeyPatch, where: str, code: int = FULL) -> None:
    """Make writing the PIN file fail as a full disk (or *code*) does, at *where*."""

    def fail(*_args: object, **_kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    if where == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fd: int, *args: Any, **kwargs: Any) -> None:
                self.handle = real_fdopen(fd, *args, **kwargs)

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *_exc: object) -> None:
                self.handle.close()

            write = flush = fail

            def fileno(self) -> int:
                return self.handle.fileno()

        monkeypatch.setattr(os, "fdopen", Full)
    else:
        monkeypatch.setattr(os, where, fail)


def wrong_pins_still_lock_and_the_right_pin_still_works(
    folder: Path, clock: Clock, pin: StaffPin, before: bytes
) -> None:
    """The guarantees on a disk that will not be written: checked on one running kiosk."""
    for tries_left in (4, 3, 2, 1):
        assert pin.check("0000").tries_left == tries_left
    result = pin.check("0000")
    assert not result.ok and result.wait == timedelta(seconds=30)
    assert not pin.check(PIN).ok  # locked, though nothing reached the disk
    assert pin.wait() == timedelta(seconds=30)
    clock.now += timedelta(seconds=30)
    assert pin.check("0000").wait == timedelta(seconds=60)  # and it keeps doubling
    clock.now += timedelta(seconds=60)
    assert pin.check(PIN).ok  # staff get in to export and free space
    assert pin.check("0000").tries_left == 4  # the reset held, in memory
    assert (folder / PIN_FILE).read_bytes() == before  # the file never changed...
    assert sorted(p.name for p in folder.iterdir()) == [PIN_FILE]  # ...and no tmp is left


@pytest.mark.parametrize("where", ["open", "write", "fsync", "replace"])
def test_a_full_disk_still_counts_wrong_pins_and_lets_the_right_one_in(
    tmp_path, monkeypatch, caplog, quick_scrypt, where
):
    clock = Clock()
    StaffPin(tmp_path, clock).set(PIN)
    before = (tmp_path / PIN_FILE).read_bytes()
    full_disk(monkeypatch, where)
    with caplog.at_level(logging.WARNING, logger="kiosk.staff"):
        wrong_pins_still_lock_and_the_right_pin_still_works(
            tmp_path, clock, StaffPin(tmp_path, clock), before
        )
    assert "counted in memory" in caplog.text
    with pytest.raises(PinError, match=r"No space left on device.*free some space"):
        StaffPin(tmp_path).set("2468")
    assert (tmp_path / PIN_FILE).read_bytes() == before


def test_a_read_only_data_folder_still_counts_wrong_pins(tmp_path, monkeypatch, quick_scrypt):
    clock = Clock()
    folder = tmp_path / "data"
    folder.mkdir()
    StaffPin(folder, clock).set(PIN)
    before = (folder / PIN_FILE).read_bytes()
    folder.chmod(0o500)
    try:
        if os.geteuid() == 0:
            # Root writes into a 0500 folder anyway (as in CI); fail the create there the way
            # the kernel does for the kiosk's own user.
            real_open = os.open

            def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
                if flags & os.O_CREAT and Path(path).parent == folder:
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", read_only)
        wrong_pins_still_lock_and_the_right_pin_still_works(
            folder, clock, StaffPin(folder, clock), before
        )
        with pytest.raises(PinError, match="write access"):
            StaffPin(folder).set("2468")
    finally:
        folder.chmod(0o700)


def test_a_lockout_kept_in_memory_gives_way_to_a_new_pin(tmp_path, monkeypatch, quick_scrypt):
    clock = Clock()
    StaffPin(tmp_path, clock).set(PIN)
    pin = StaffPin(tmp_path, clock)
    with monkeypatch.context() as patch:
        full_disk(patch, "replace")
        for _ in range(6):
            pin.check("0000")
        assert pin.wait() > timedelta(0)
    # IT frees space and sets a new PIN: the running kiosk takes the new file as it is.
    StaffPin(tmp_path, clock).set("2468")
    assert pin.wait() == timedelta(0) and pin.check("2468").ok


def test_figures_follow_the_london_calendar_across_clock_changes(store):
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


def test_comments_newest_first_filtered_and_theme_counts(store):
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


def test_the_audit_keeps_staff_actions_newest_first(store):
    store.audit("staff entry")
    store.audit("export", "ward CSV for 2026-11 to /media/usb")
    assert [(e["event"], e["detail"]) for e in store.audit_entries()] == [
        ("export", "ward CSV for 2026-11 to /media/usb"),
        ("staff entry", ""),
    ]
