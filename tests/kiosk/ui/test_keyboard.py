"""Keyboard access, pressed key by key on whatever has focus: every control a Tab stop in
reading order (mirrored in Urdu), Return, Enter and Space press, focus on each new screen's
heading and none left for the next person, the staff chord, and a whole answer by keyboard; and
the on-screen keyboard, which types in each language's own layout where Qt has one."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QPlainTextEdit, QWidget

from kiosk.staff import StaffPin
from tests.helpers import PIN, WARD_TOML, activate, box_in, find, focused, press, rows, tab_to, tap

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
    # Start the round at the top bar's first control (its first language, or "Language" where
    # the picker offers them): then each stop reads after the last.
    first = next(iter(window.topbar.language_buttons.values()), window.topbar.languages)
    start = cycle.index(first)
    ordered = cycle[start:] + cycle[:start]
    for earlier, later in itertools.pairwise(ordered):
        assert _reads_before(window, earlier, later, rtl), (earlier, later)
    if rtl:  # the top bar's first control is the rightmost
        assert box_in(window, first).right() > box_in(window, ordered[1]).right()


def test_arrow_keys_move_between_languages_without_choosing_one(qtbot, make_kiosk):
    window = make_kiosk()
    activate(qtbot, window)
    picker = window.topbar.languages.isVisible()
    if picker:  # many languages: "Language" opens them all, each a Tab stop
        tab_to(window, "Language")
        press(window, Qt.Key.Key_Return)
    tab_to(window, "Cymraeg")
    press(window, Qt.Key.Key_Right)
    press(window, Qt.Key.Key_Left)
    assert window.language == "en"
    tab_to(window, "Cymraeg")
    press(window, Qt.Key.Key_Return)
    assert window.language == "cy"
    buttons = window.picker.buttons if picker else window.topbar.language_buttons
    assert buttons["cy"].isChecked()
    assert not buttons["en"].isChecked()


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
    if window.topbar.languages.isVisible():
        tab_to(window, "Language")
        press(window, KEYS[key])
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


# -- the on-screen keyboard's layout follows the language ----------------------------------

#: The layout Qt Virtual Keyboard types in for each language (the README's table): the
#: language's own where Qt has one, British English elsewhere.
LAYOUTS = {
    "en": "en_GB",
    "cy": "en_GB",
    "pl": "pl_PL",
    "ro": "ro_RO",
    "pa": "en_GB",
    "ur": "en_GB",
    "pt": "pt_PT",
    "es": "es_ES",
    "ar": "ar_AR",
    "bn": "en_GB",
    "gu": "en_GB",
    "zh-Hans": "zh_CN",
    "lt": "en_GB",
    "ta": "en_GB",
    "tr": "tr_TR",
    "so": "en_GB",
}
#: The layouts of PySide6-Addons 6.11's Qt Virtual Keyboard (its availableLocales).
QT_LAYOUTS = [
    "ar_AR",
    "bg_BG",
    "cs_CZ",
    "da_DK",
    "de_DE",
    "el_GR",
    "en_GB",
    "en_US",
    "es_ES",
    "es_MX",
    "et_EE",
    "fa_FA",
    "fi_FI",
    "fr_CA",
    "fr_FR",
    "he_IL",
    "hi_IN",
    "hr_HR",
    "hu_HU",
    "id_ID",
    "it_IT",
    "ja_JP",
    "ko_KR",
    "lv_LV",
    "ms_MY",
    "nb_NO",
    "nl_NL",
    "pl_PL",
    "pt_BR",
    "pt_PT",
    "ro_RO",
    "ru_RU",
    "sk_SK",
    "sl_SI",
    "sq_AL",
    "sr_SP",
    "sv_SE",
    "th_TH",
    "tr_TR",
    "uk_UA",
    "vi_VN",
    "zh_CN",
    "zh_TW",
]


def test_each_language_gets_its_own_layout_where_qt_has_one_and_english_elsewhere():
    from PySide6.QtCore import QLocale

    from kiosk.ui.patient.keyboard import keyboard_layout

    chosen = {code: keyboard_layout(QLocale(code), QT_LAYOUTS) for code in LAYOUTS}
    assert chosen == LAYOUTS
    # Persian's layout is not Urdu's, nor Hindi's Punjabi's: they stay on English.
    assert keyboard_layout(QLocale("cy"), []) == "en_GB"
    # A Qt that gains a Welsh layout offers it without a change here.
    assert keyboard_layout(QLocale("cy"), [*QT_LAYOUTS, "cy_GB"]) == "cy_GB"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt install xvfb)")
def test_the_comment_box_offers_the_keyboard_of_the_language_on_screen(tmp_path):
    """On a real display, in every language the survey offers, a tap on the comment box brings
    up Qt Virtual Keyboard on that language's layout."""
    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML, encoding="utf-8")
    probe = Path(__file__).with_name("keyboard_layout_probe.py")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_IM_MODULE")}
    screen = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]
    result = subprocess.run(
        [*screen, sys.executable, str(probe), str(config), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    seen = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    offered = [code for code in LAYOUTS if code in seen]
    assert {"en", "ar", "pl", "zh-Hans"} <= set(offered)
    assert {code: seen[code] for code in offered} == {code: LAYOUTS[code] for code in offered}
    assert set(seen["available"].split()) >= set(LAYOUTS.values())
    # Closed between patients, it forgot what each one typed (pinyin learns words).
    assert int(seen["forgotten"]) >= len(offered) - 2
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
