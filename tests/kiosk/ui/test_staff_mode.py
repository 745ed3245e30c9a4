"""Staff mode through create_kiosk: getting in, the figures, and the ward controls."""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.app import create_kiosk
from kiosk.staff import PIN_FILE, StaffPin
from tests.helpers import PIN, find, rows, tap, type_pin, unlock


def events(window) -> list[str]:
    return [entry["event"] for entry in window.store.audit_entries()]


def test_holding_the_ward_name_for_3_seconds_opens_the_pin_pad(qtbot, make_kiosk):
    window = make_kiosk()
    hold = window.staff.hold
    assert hold.timer.interval() == 3000
    ward = window.question.ward
    QTest.mousePress(ward, Qt.MouseButton.LeftButton)
    QTest.mouseRelease(ward, Qt.MouseButton.LeftButton)  # a tap is not a hold
    assert not hold.timer.isActive() and window.stack.currentWidget() is window.question

    hold.timer.setInterval(200)  # the same timer, shortened so the test is quick
    with qtbot.waitSignal(hold.held, timeout=2000):
        QTest.mousePress(ward, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.staff.pad
    assert not window.topbar.isVisible()


NOT_SET_UP = "Staff mode is not set up on this kiosk: ask IT to set a staff PIN"
DIGITS = "0123456789"


def hold_the_ward_name(qtbot, window) -> None:
    """What anyone standing at the kiosk can do: hold the ward name until the pad opens."""
    window.staff.hold.timer.setInterval(100)  # the real timer, shortened
    with qtbot.waitSignal(window.staff.hold.held, timeout=2000):
        QTest.mousePress(window.question.ward, Qt.MouseButton.LeftButton)
    QTest.mouseRelease(window.question.ward, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.staff.pad


def assert_no_way_in(qtbot, window, message: str) -> None:
    """The pad says *message*, every key but Cancel is off, and no PIN gets in."""
    pad = window.staff.pad
    assert message in pad.message.text() and pad.message.isVisible()
    assert "ward-kiosk set-pin" in pad.message.text()
    assert not any(find(window, key).isEnabled() for key in [*DIGITS, "Delete", "Enter"])
    assert find(window, "Cancel").isEnabled()
    for _ in range(2):  # twice: the old first-run screen let the second one in
        type_pin(qtbot, window, PIN)
        pad.entered.emit(PIN)  # past the disabled keys, straight to staff mode
        assert window.stack.currentWidget() is pad and window.staff.screen is None
    assert "staff entry" not in events(window)


def set_pin_from_a_script(data_dir, pin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "set-pin", "--pin-stdin", "--data-dir", str(data_dir)],
        input=f"{pin}\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unset_pin_keeps_staff_mode_locked_until_it_sets_one(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    hold_the_ward_name(qtbot, window)
    assert_no_way_in(qtbot, window, NOT_SET_UP)
    assert not (data_dir / PIN_FILE).exists()  # nobody chose a PIN on the pad
    tap(qtbot, window, "Cancel")
    assert window.stack.currentWidget() is window.question and window.topbar.isVisible()

    result = set_pin_from_a_script(data_dir, PIN)
    assert result.returncode == 0, result.stderr
    hold_the_ward_name(qtbot, window)
    assert window.staff.pad.message.text() == "" and find(window, "Enter").isEnabled()
    type_pin(qtbot, window, PIN)
    assert window.stack.currentWidget() is window.staff.screen
    assert {"PIN set", "staff entry"} <= set(events(window))


DAMAGED = {
    "truncated JSON": '{"salt": "00112233445566778899aabbccddeeff", "hash": "3f1',
    "a list": '["4821"]',
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_pin_file_keeps_staff_mode_locked(qtbot, make_kiosk, data_dir, caplog, content):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    (data_dir / PIN_FILE).write_text(content, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="kiosk.staff"):
        hold_the_ward_name(qtbot, window)
    assert_no_way_in(qtbot, window, "The staff PIN file is damaged: ask IT to set the PIN again")
    assert "staff PIN file" in caplog.text and "is damaged" in caplog.text
    assert (data_dir / PIN_FILE).read_text(encoding="utf-8") == content
    tap(qtbot, window, "Cancel")

    StaffPin(data_dir).set(PIN)  # what set-pin does: the damaged file is replaced
    unlock(qtbot, window, data_dir)


def test_a_full_disk_still_locks_wrong_pins_and_lets_staff_in(
    qtbot, make_kiosk, data_dir, monkeypatch
):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    before = (data_dir / PIN_FILE).read_bytes()
    real_replace = os.replace

    def full(source, target, *args, **kwargs):
        if str(target).endswith(PIN_FILE):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    window.staff.open_pad()
    for _ in range(5):  # an exception in a slot would fail the test (pytest-qt catches it)
        type_pin(qtbot, window, "9999")
    assert window.staff.pad.message.text().startswith("Too many wrong PINs. Try again in 3")
    assert not find(window, "Enter").isEnabled()
    assert (data_dir / PIN_FILE).read_bytes() == before  # counted in memory only
    # Time passes (the wait, waited out) and the right PIN gets in, full disk or not.
    pin = window.staff.pin
    later = datetime.now(UTC) + timedelta(seconds=31)
    monkeypatch.setattr(pin, "_clock", lambda: later)
    qtbot.waitUntil(lambda: find(window, "Enter").isEnabled(), timeout=3000)
    type_pin(qtbot, window, PIN)
    assert window.stack.currentWidget() is window.staff.screen


def test_a_wrong_pin_then_the_right_one(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    window.staff.open_pad()
    type_pin(qtbot, window, "1111")
    assert window.stack.currentWidget() is window.staff.pad
    assert window.staff.pad.message.text() == "That PIN is not right. 4 more tries before a wait."
    type_pin(qtbot, window, PIN)
    assert window.stack.currentWidget() is window.staff.screen
    assert events(window) == ["staff entry", "failed PIN"]


def test_five_wrong_pins_lock_the_pad(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    window.staff.open_pad()
    for _ in range(5):
        type_pin(qtbot, window, "9999")
    assert window.staff.pad.message.text().startswith("Too many wrong PINs. Try again in 3")
    assert not find(window, "Enter").isEnabled()
    window.staff.lock()
    # Still locked when the pad is opened again (and after a restart: see test_staff.py).
    window.staff.open_pad()
    assert not find(window, "Enter").isEnabled()


def test_staff_mode_locks_itself_after_two_quiet_minutes(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    assert window.staff.lock_timer.interval() == 120_000
    window.staff.lock_timer.setInterval(200)
    window.staff.touched()
    with qtbot.waitSignal(window.staff.lock_timer.timeout, timeout=2000):
        pass
    assert window.stack.currentWidget() is window.question
    assert find(window, "Very good").isVisible()
    assert "staff mode locked" in events(window)


def test_lock_button_returns_to_the_question(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Lock")
    assert window.stack.currentWidget() is window.question and window.topbar.isVisible()


def _seed(window, today):
    store, origin = window.store, window.session.origin
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    for code in [1, 1, 1, 2, 3, 4, 6, 6]:
        store.record(code, origin, language="en", at=noon)
    store.record(5, origin, language="en", flags=["repeat-tap"], at=noon)
    store.record(5, origin, language="en", at=noon - timedelta(days=40))  # another month
    rid = store.record(4, origin, language="en", at=noon + timedelta(minutes=5))
    store.add_followup(rid, ["noise"], "I was scared at night")
    rid = store.record(1, origin, language="en", at=noon + timedelta(minutes=9))
    store.add_followup(rid, ["staff"], "Lovely nurses")


def test_results_show_the_hand_computed_figures(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    screen = window.staff.screen
    _seed(window, screen.today())
    tap(qtbot, window, "Today")
    # Today: 1 x4, 2 x1, 3 x1, 4 x2, 5 x0, 6 x2 = 10; positive 5/10, negative 2/10.
    shown = {code: label.text() for code, label in screen.count_labels.items()}
    assert shown == {1: "4", 2: "1", 3: "1", 4: "2", 5: "0", 6: "2"}
    assert screen.total.text() == "Total responses: 10"
    assert screen.positive.text() == "Positive: 50%"
    assert screen.negative.text() == "Negative: 20%"
    assert screen.excluded.text() == "Repeat taps left out of these figures: 1"
    assert screen.themes.text() == "Themes chosen: Noise 1, Staff 1"
    series = screen.chart.series()[0]
    assert series.barSets()[0].label() == "Very good"
    assert sum(bar_set.sum() for bar_set in series.barSets()) == 10


def test_comments_pin_safeguarding_words_and_filter(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    _seed(window, window.staff.screen.today())
    tap(qtbot, window, "Comments")
    tap(qtbot, window, "Today")
    listing = window.staff.screen.comment_list
    first = listing.item(0)
    assert first.text().startswith("Safeguarding: read now.") and "scared" in first.text()
    assert first.background().color().name() == "#ffeb3b"
    assert "Lovely nurses" in listing.item(1).text()
    tap(qtbot, window, "Positive")
    assert listing.count() == 1 and "Lovely nurses" in listing.item(0).text()


def test_export_writes_the_exact_files(qtbot, make_kiosk, data_dir, tmp_path):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    screen = window.staff.screen
    _seed(window, screen.today())
    tap(qtbot, window, "Ward controls")
    usb = tmp_path / "usb"
    usb.mkdir()
    screen.folder.setText(str(usb))
    tap(qtbot, window, "Export this month")
    today = screen.today()
    stem = f"ward-7-acute-medicine-{today:%Y-%m}"
    submission = (usb / f"{stem}-fft-submission.csv").read_text(encoding="utf-8-sig")
    got = list(csv.reader(io.StringIO(submission)))
    assert got[0][7] == "1 Very Good SUM" and got[0][12] == "6 Dont Know SUM"
    year = today.year if today.month >= 4 else today.year - 1
    assert got[1] == [
        f"{year}_{(year + 1) % 100:02d}",
        today.strftime("%B").upper(),
        "RWD",
        "RWDLA",
        "Ward 7 Acute Medicine",
        "",
        "",
        "4",
        "1",
        "1",
        "2",
        "0",
        "2",
        "10",
        "",
    ]
    raw = list(
        csv.reader(io.StringIO((usb / f"{stem}-responses.csv").read_text(encoding="utf-8-sig")))
    )
    assert raw[0][:5] == ["id", "answered_at", "local_date", "rating", "answer"]
    # Every response of the month, the repeat tap included (flagged), with its comment.
    assert len(raw) == 1 + 11
    assert "I was scared at night" in [r[6] for r in raw]
    assert [r[9] for r in raw[1:] if r[9]] == ["repeat-tap"]
    assert screen.export_result.text().startswith("Saved ")
    assert "export" in events(window)

    screen.folder.setText(str(tmp_path / "no-such-stick"))
    tap(qtbot, window, "Export this month")
    assert screen.export_result.text().startswith("Not exported:")


def test_pause_hides_the_question_and_survives_a_restart(qtbot, make_kiosk, data_dir, write_config):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Ward controls")
    tap(qtbot, window, "Pause feedback")
    tap(qtbot, window, "Lock")
    assert window.question.paused_notice.isVisible()
    assert window.question.paused_notice.text() == "Feedback is paused on this ward just now"
    assert not window.question.faces[1].isVisible()
    window.question.rated.emit(1)  # a tap that got past the hidden faces is still refused
    assert rows(data_dir) == []
    window.shutdown()

    again = create_kiosk(write_config(), data_dir)
    qtbot.addWidget(again)
    again.show()
    assert again.question.paused_notice.isVisible()
    unlock(qtbot, again, data_dir)
    tap(qtbot, again, "Ward controls")
    tap(qtbot, again, "Resume feedback")
    tap(qtbot, again, "Lock")
    tap(qtbot, again, "Good")
    assert len(rows(data_dir)) == 1
    assert {"feedback paused", "feedback resumed"} <= set(events(again))
    again.shutdown()


def test_clean_screen_ignores_taps_for_30_seconds(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Ward controls")
    tap(qtbot, window, "Clean screen")
    overlay = window.staff.overlay
    assert overlay is not None and overlay.isVisible() and overlay.remaining == 30
    assert "30 seconds" in overlay.label.text()
    tap(qtbot, window, "Lock")  # pressed through the cloth? The overlay takes it
    # A tap where a face would be lands on the overlay, not the face.
    window.staff.lock()
    face = window.question.faces[1]
    where = face.mapTo(window, face.rect().center())
    assert window.childAt(where) is overlay or overlay.isAncestorOf(window.childAt(where))
    QTest.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=overlay.mapFrom(window, where))
    assert rows(data_dir) == []
    assert "screen cleaned" in events(window)


def test_exit_kiosk_is_only_in_staff_mode(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    with pytest.raises(AssertionError):
        find(window, "Exit kiosk")
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Ward controls")
    with qtbot.waitSignal(window.exit_requested, timeout=1000):
        tap(qtbot, window, "Exit kiosk")


def test_sync_panel_says_when_sync_is_off(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Sync")
    assert window.staff.screen.sync_text.text() == (
        "Sync not configured: answers stay on this kiosk."
    )


def test_audit_lists_staff_actions(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Audit")
    assert "staff entry" in window.staff.screen.audit_list.item(0).text()


def test_patient_idle_reset_does_not_throw_staff_out(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    window.reset_for_next_person()
    assert window.stack.currentWidget() is window.staff.screen


def test_public_board_shows_the_month_as_nhs_england_publishes_it(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    _seed(window, window.staff.screen.today())
    store, origin = window.store, window.session.origin
    for _ in range(3):  # 13 this month: enough for every count to be shown
        store.record(1, origin, language="en")
    tap(qtbot, window, "Public board")
    screen = window.staff.screen
    screen.we_did.setPlainText("You said the ward was noisy at night. We did: quieter bins.")
    tap(qtbot, window, "Save what we did")
    board = screen.board.text()
    assert "Very good: 7\nGood: 1\nNeither good nor poor: 1\nPoor: 2\nVery poor: 0" in board
    assert "Don't know: 2\nTotal: 13" in board
    assert "62% said their experience was good" in board  # 8 / 13 = 61.5 %, half up
    assert "We did: quieter bins." in board
    assert "scared" not in board and "Lovely" not in board


def test_settings_are_checked_saved_and_kept_across_a_restart(
    qtbot, make_kiosk, data_dir, write_config
):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Settings")
    screen = window.staff.screen
    screen.edit_idle.setText("5")
    tap(qtbot, window, "Save settings")
    assert screen.settings_result.text().startswith("Not saved: idle reset seconds is 5")
    screen.edit_idle.setText("90")
    screen.edit_name.setText("Ward 7 (Bay B)")
    screen.edit_link.setText("https://example.nhs.uk/w7")
    screen.edit_words.setText("unsafe, frightened")
    screen.language_boxes["cy"].setChecked(False)
    tap(qtbot, window, "Save settings")
    assert screen.settings_result.text().startswith("Saved.")
    assert "setting changed" in events(window)
    window.shutdown()

    again = create_kiosk(write_config(), data_dir)
    qtbot.addWidget(again)
    again.show()
    assert again.config.location.shown_name == "Ward 7 (Bay B)"
    assert again.config.kiosk.idle_reset_seconds == 90
    assert again.idle_timer.interval() == 90_000
    assert again.config.survey.phone_link == "https://example.nhs.uk/w7"
    assert again.config.staff.safeguarding_words == ("unsafe", "frightened")
    # Every language was offered (kiosk.toml sets none); all but Welsh are now.
    offered = [code for code, box in screen.language_boxes.items() if code != "cy"]
    assert [lang.code for lang in again.survey.languages] == offered and "ur" in offered
    assert again.question.ward.text() == "Ward 7 (Bay B)"
    again.shutdown()


def test_device_qr_code_names_the_device_for_it(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    tap(qtbot, window, "Sync")
    text = window.staff.screen.device_qr.data
    assert "ward: RWD RWDLA Ward 7 Acute Medicine" in text and "app: ward-kiosk" in text
    assert window.staff.screen.device_qr.matrix


def test_a_custom_range_of_ward_dates(qtbot, make_kiosk, data_dir):
    from PySide6.QtCore import QDate

    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    screen = window.staff.screen
    _seed(window, screen.today())
    tap(qtbot, window, "Custom")
    assert screen.range_from.isVisible() and screen.range_to.isVisible()
    earlier = screen.today() - timedelta(days=40)
    screen.range_from.setDate(QDate(earlier.year, earlier.month, earlier.day))
    screen.range_to.setDate(QDate(earlier.year, earlier.month, earlier.day))
    assert screen.dates() == (earlier, earlier)
    assert screen.total.text() == "Total responses: 1"  # the one from 40 days ago
    assert screen.count_labels[5].text() == "1"


def test_the_public_board_can_be_left_up_for_patients(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    unlock(qtbot, window, data_dir)
    rid = window.store.record(3, window.session.origin, language="en")
    window.store.add_followup(rid, ["noise"], "I was scared at night")
    tap(qtbot, window, "Public board")
    tap(qtbot, window, "Show on the kiosk")
    board = window.staff.board
    assert window.stack.currentWidget() is board and not window.topbar.isVisible()
    # One answer this month: only the total is shown, and never a comment.
    text = board.text.text()
    assert "Neither good nor poor: *" in text and "Total: 1" in text and "scared" not in text
    window.reset_for_next_person()  # an idle reset leaves it up
    assert window.stack.currentWidget() is board
    qtbot.mouseClick(board, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.question and window.topbar.isVisible()
    assert "public board shown" in events(window)


class FakeHost:
    """The three things staff mode may ask of the window (``StaffHost``), recorded."""

    def __init__(self) -> None:
        self.added: list[object] = []
        self.shown: list[object] = []

    def add_screen(self, screen) -> None:
        self.added.append(screen)

    def show_screen(self, screen) -> None:
        self.shown.append(screen)

    def show_patient_screens(self) -> None:
        self.shown.append("patient screens")


def test_staff_mode_needs_only_a_host_not_the_kiosk_window(qtbot, write_config, data_dir):
    from PySide6.QtWidgets import QLabel, QWidget

    from kiosk.config import load_config
    from kiosk.settings import WardSettings
    from kiosk.store import LocalStore
    from kiosk.survey import load_survey
    from kiosk.ui.staff.mode import StaffMode

    config = load_config(write_config())
    data_dir.mkdir(parents=True)
    store = LocalStore(data_dir / "kiosk.db")
    surface = QWidget()
    qtbot.addWidget(surface)
    host = FakeHost()
    survey = load_survey(config.survey.id, config.survey.languages, config.survey.folder)
    staff = StaffMode(
        host, surface, QLabel(surface), data_dir, WardSettings(), store, config, survey
    )
    StaffPin(data_dir).set(PIN)

    staff.open_pad()
    assert host.shown == [staff.pad] and staff.active
    staff.pad.entered.emit(PIN)
    assert staff.screen is not None and host.shown[-1] is staff.screen
    assert host.added == [staff.pad, staff.screen]
    with qtbot.waitSignal(staff.sync_requested, timeout=1000):
        staff.screen.sync_requested.emit()
    with qtbot.waitSignal(staff.exit_requested, timeout=1000):
        staff.screen.exit_requested.emit()
    staff.lock()
    assert host.shown[-1] == "patient screens" and not staff.active
    assert events_of(store) == ["staff mode locked", "exit kiosk", "staff entry"]
    store.close()


def events_of(store) -> list[str]:
    return [entry["event"] for entry in store.audit_entries()]
