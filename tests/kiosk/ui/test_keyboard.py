"""Keyboard access, pressed key by key on whatever has focus: every control a Tab stop in
reading order (mirrored in Urdu), Return, Enter and Space press, focus on each new screen's
heading and none left for the next person, the staff chord, and a whole answer by keyboard."""

from __future__ import annotations

import itertools
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QPlainTextEdit, QWidget

from kiosk.staff import StaffPin
from tests.helpers import PIN, activate, box_in, find, focused, press, rows, tab_to, tap

QUICK = "[kiosk]\nthanks_seconds = 30\n"
KEYS = {"Return": Qt.Key.Key_Return, "Enter": Qt.Key.Key_Enter, "Space": Qt.Key.Key_Space}


def _controls(window) -> set[QWidget]:
    """Everything a patient can press or type in on the screen now: the top bar's buttons and
    the screen's buttons and text box."""
    found = set()
    for part in (window.topbar, window.stack.currentWidget()):
        for widget in part.findChildren(QWidget):
            if isinstance(widget, QAbstractButton | QPlainTextEdit) and widget.isVisible():
                found.add(widget)
    return found


def _tab_cycle(window) -> list[QWidget]:
    """The Tab stops from where focus is now, once round."""
    stops: list[QWidget] = []
    for _ in range(60):
        press(window, Qt.Key.Key_Tab)
        widget = focused()
        assert widget is not None
        if stops and widget is stops[0]:
            return stops
        stops.append(widget)
    raise AssertionError(f"Tab went round no cycle: {stops}")


def _reads_before(window, first: QWidget, second: QWidget, rtl: bool) -> bool:
    """Whether *second* comes after *first* in reading order, from where they are on screen."""
    a, b = box_in(window, first), box_in(window, second)
    if b.top() >= a.center().y() and b.center().y() > a.bottom():
        return True  # a later row
    if a.top() <= b.center().y() <= a.bottom():  # the same row: further along it
        return b.right() < a.right() if rtl else b.left() > a.left()
    return False


def _go_to(qtbot, window, screen: str) -> None:
    if screen in ("followup", "thanks"):
        tap(qtbot, window, window.survey.answer(2, window.language))
    if screen == "thanks":
        tap(qtbot, window, window.survey.text("skip", window.language))


@pytest.mark.parametrize(
    ("language", "size"),
    # Urdu on a tall screen, where its follow-up fits without scrolling: geometry then reads
    # in the order a patient sees it.
    [("en", (1280, 800)), ("en", (800, 1280)), ("ur", (800, 1280))],
)
@pytest.mark.parametrize("screen", ["question", "followup", "thanks"])
def test_every_control_is_a_tab_stop_in_reading_order(qtbot, make_kiosk, language, size, screen):
    window = make_kiosk(QUICK, size=size)
    activate(qtbot, window)
    window.set_language(language)
    _go_to(qtbot, window, screen)
    qtbot.wait(10)  # the mirrored layout settles
    cycle = _tab_cycle(window)
    assert set(cycle) == _controls(window)  # no control missed, nothing unnamed between
    assert all(stop.accessibleName() for stop in cycle)
    rtl = language == "ur"
    # Start the round at the top bar's first language: then each stop reads after the last.
    first = window.topbar.language_buttons[window.survey.languages[0].code]
    start = cycle.index(first)
    ordered = cycle[start:] + cycle[:start]
    for earlier, later in itertools.pairwise(ordered):
        assert _reads_before(window, earlier, later, rtl), (earlier, later)
    if rtl:  # the first language button is the rightmost
        assert box_in(window, first).right() > box_in(window, ordered[1]).right()


def test_arrow_keys_move_between_languages_without_choosing_one(qtbot, make_kiosk):
    window = make_kiosk()
    activate(qtbot, window)
    tab_to(window, "Cymraeg")
    press(window, Qt.Key.Key_Right)
    press(window, Qt.Key.Key_Left)
    assert window.language == "en"
    tab_to(window, "Cymraeg")
    press(window, Qt.Key.Key_Return)
    assert window.language == "cy"
    assert window.topbar.language_buttons["cy"].isChecked()
    assert not window.topbar.language_buttons["en"].isChecked()


@pytest.mark.parametrize("key", list(KEYS))
def test_return_enter_and_space_press_every_kind_of_control(qtbot, make_kiosk, data_dir, key):
    window = make_kiosk(QUICK)
    activate(qtbot, window)
    tab_to(window, "Larger text")
    press(window, KEYS[key])
    assert window.look.large_text
    tab_to(window, "High contrast")
    press(window, KEYS[key])
    assert window.look.high_contrast
    tab_to(window, "Cymraeg")
    press(window, KEYS[key])
    assert window.language == "cy"
    tab_to(window, "Gwael")  # Poor
    press(window, KEYS[key])
    assert [row["rating"] for row in rows(data_dir)] == [4]
    tab_to(window, "Sŵn")  # Noise
    press(window, KEYS[key])
    assert window.followup.chips["noise"].isChecked()
    tab_to(window, "Anfon")  # Send
    press(window, KEYS[key])
    assert window.stack.currentWidget() is window.thanks
    assert json.loads(rows(data_dir)[0]["answers"]) == {"themes": ["noise"]}


def test_skip_by_keyboard(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK)
    activate(qtbot, window)
    tab_to(window, "Very poor")
    press(window, Qt.Key.Key_Enter)
    tab_to(window, "Skip")
    press(window, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.thanks
    assert rows(data_dir)[0]["finished_at"] is not None


def test_focus_moves_to_each_new_screens_heading(qtbot, make_kiosk):
    window = make_kiosk(QUICK)
    activate(qtbot, window)
    assert window.focus_ring.target is None  # nothing is ringed while the kiosk waits
    tab_to(window, "Good")
    press(window, Qt.Key.Key_Return)
    # Not the unnamed scroll area it used to land on: the follow-up's question.
    assert focused() is window.followup.prompt
    assert focused().text() == "What was good?"
    tab_to(window, "Skip")
    press(window, Qt.Key.Key_Return)
    assert focused() is window.thanks.title
    window.thanks.finished.emit()
    assert focused() is window.question.question


def test_nothing_stays_focused_for_the_next_person(qtbot, make_kiosk):
    window = make_kiosk(QUICK)
    activate(qtbot, window)
    tab_to(window, "Poor")
    press(window, Qt.Key.Key_Return)
    tab_to(window, "Staff")
    window.idle_timer.timeout.emit()  # they walked away
    assert window.stack.currentWidget() is window.question
    assert focused() is window.question.question
    assert window.focus_ring.target is None  # no ring left anywhere
    # The next person's first Tab starts at the top.
    press(window, Qt.Key.Key_Tab)
    assert focused() is find(window, "Very good")


def test_the_staff_chord_opens_the_pin_pad_and_the_pin_still_guards_it(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    activate(qtbot, window)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(window, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier)  # not the chord
    press(
        window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert window.stack.currentWidget() is window.question
    press(window, Qt.Key.Key_F12, ctrl_shift)
    assert window.stack.currentWidget() is window.staff.pad
    assert not window.staff.screen  # only the pad: nothing inside without the PIN
    for _ in range(5):  # five wrong PINs typed on the keyboard, then a wait
        for digit in "1357":
            press(window, getattr(Qt.Key, f"Key_{digit}"))
        press(window, Qt.Key.Key_Return)
    assert window.staff.pad.message.text().startswith("Too many wrong PINs")
    for digit in PIN:
        press(window, getattr(Qt.Key, f"Key_{digit}"))
    press(window, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.staff.pad  # locked out, even with the PIN
    press(window, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.question


def test_the_pin_typed_after_the_chord_lets_staff_in(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    activate(qtbot, window)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(window, Qt.Key.Key_F12, ctrl_shift)
    for digit in PIN:
        press(window, getattr(Qt.Key, f"Key_{digit}"))
    press(window, Qt.Key.Key_Enter)
    assert window.stack.currentWidget() is window.staff.screen


def test_a_whole_answer_with_tab_and_return_only(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK)
    activate(qtbot, window)
    tab_to(window, "Poor")
    press(window, Qt.Key.Key_Return)
    tab_to(window, "Food and drink")
    press(window, Qt.Key.Key_Return)
    box = tab_to(window, "Anything else you would like to tell us? (optional)")
    qtbot.keyClicks(box, "The tea was cold")
    tab_to(window, "Send")
    press(window, Qt.Key.Key_Return)

    assert window.stack.currentWidget() is window.thanks
    (row,) = rows(data_dir)
    assert row["rating"] == 4
    assert json.loads(row["answers"]) == {"themes": ["food"]}
    assert row["comment"] == "The tea was cold"
    assert row["finished_at"] is not None
