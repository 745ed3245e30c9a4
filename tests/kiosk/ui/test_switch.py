"""One-switch scanning (``[accessibility] switch_scanning``): the focus ring steps through the
controls on screen on the ``switch-scan`` timer, one key presses the ringed control, and a
whole answer is given with nothing else."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer

from tests.helpers import activate, focused, press, rows, tap

SCANNING = """
[kiosk]
thanks_seconds = 30

[accessibility]
switch_scanning = true
scan_seconds = 0.5
"""


def _scanner(window) -> QTimer:
    timer = window.findChild(QTimer, "switch-scan")
    assert timer is not None and timer.isActive()
    return timer


def _wait_for(window, name: str, most: int = 40) -> None:
    """Let the highlight step on (the named timer's timeout) until *name* is ringed."""
    timer = _scanner(window)
    for _ in range(most):
        if focused() is not None and focused().accessibleName() == name:
            assert window.focus_ring.target is focused()  # the highlight is the focus ring
            return
        timer.timeout.emit()
    raise AssertionError(f"the switch's highlight never reached {name!r}")


def test_scanning_is_off_unless_configured(qtbot, make_kiosk):
    window = make_kiosk()
    assert window.scanner is None
    assert window.findChild(QTimer, "switch-scan") is None


def test_the_highlight_steps_on_its_own_timer_from_the_first_answer(qtbot, make_kiosk):
    window = make_kiosk(SCANNING)
    activate(qtbot, window)
    timer = _scanner(window)
    assert timer.interval() == 500
    qtbot.waitUntil(lambda: focused() is window.question.faces[1], timeout=2000)
    qtbot.waitUntil(lambda: focused() is window.question.faces[2], timeout=2000)
    # Round the six answers, then the top bar ("Read aloud" once its voice has loaded), then
    # back to the first answer.
    qtbot.waitUntil(window.topbar.read_aloud.isVisible, timeout=2000)
    order = [focused().accessibleName()]
    # The languages are along the bar, or behind "Language" where there are many.
    languages = [b.accessibleName() for b in window.topbar.language_buttons.values()]
    languages = languages or ["Language"]
    for _ in range(10 + len(languages)):
        timer.timeout.emit()
        order.append(focused().accessibleName())
    assert order == [
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
        *languages,
        "Easy read",
        "Larger text",
        "High contrast",
        "Read aloud",
        "Very good",
        "Good",
    ]


@pytest.mark.parametrize(
    ("key", "switch"), [("space", Qt.Key.Key_Space), ("return", Qt.Key.Key_Return)]
)
def test_a_whole_answer_with_one_switch(qtbot, make_kiosk, data_dir, key, switch):
    window = make_kiosk(SCANNING + f'scan_key = "{key}"\n')
    activate(qtbot, window)
    _wait_for(window, "Poor")
    press(window, switch)
    assert [row["rating"] for row in rows(data_dir)] == [4]
    # The follow-up's highlight starts on its first chip, not back in the top bar.
    assert focused() is window.followup.chips["staff"]
    _wait_for(window, "Food and drink")
    press(window, switch)
    assert window.followup.chips["food"].isChecked()
    _wait_for(window, "Send")
    press(window, switch)

    assert window.stack.currentWidget() is window.thanks
    (row,) = rows(data_dir)
    assert row["rating"] == 4
    assert json.loads(row["answers"]) == {"themes": ["food"]}
    assert row["finished_at"] is not None


def test_the_switch_can_choose_a_language_and_the_scan_goes_on_in_it(qtbot, make_kiosk, data_dir):
    window = make_kiosk(SCANNING)
    activate(qtbot, window)
    if window.topbar.languages.isVisible():
        _wait_for(window, "Language")
        press(window, Qt.Key.Key_Space)
        assert window.stack.currentWidget() is window.picker  # every language, nothing else
    _wait_for(window, "اردو")
    press(window, Qt.Key.Key_Space)
    assert window.language == "ur"
    _wait_for(window, window.survey.answer(1, "ur"))
    press(window, Qt.Key.Key_Space)
    assert rows(data_dir)[0]["language"] == "ur"


def test_scanning_leaves_someone_typing_alone(qtbot, make_kiosk):
    window = make_kiosk(SCANNING)
    activate(qtbot, window)
    tap(qtbot, window, "Good")
    window.followup.comment.setFocus()
    for _ in range(3):
        _scanner(window).timeout.emit()
    assert focused() is window.followup.comment


def test_staff_screens_stop_the_scan(qtbot, make_kiosk):
    window = make_kiosk(SCANNING)
    activate(qtbot, window)
    window.staff.open_pad()
    assert not window.findChild(QTimer, "switch-scan").isActive()
    window.staff.lock()
    assert _scanner(window).isActive()


def test_with_read_aloud_the_highlight_waits_for_the_voice_and_names_each_face(
    qtbot, make_kiosk, data_dir
):
    window = make_kiosk(SCANNING + 'speech_engine = "mock"\nspeech_rate = 1.0\n')
    activate(qtbot, window)
    qtbot.waitUntil(window.topbar.read_aloud.isVisible, timeout=2000)
    tap(qtbot, window, "Read aloud")  # the question and its answers are read out
    timer = _scanner(window)
    ringed = focused()
    timer.timeout.emit()
    assert focused() is ringed  # no stepping on while the screen is read out
    qtbot.waitUntil(lambda: window.speech.state == "ready", timeout=10000)
    words: list[str] = []
    window.speech.tts.sayingWord.connect(lambda word, *_: words.append(word))
    for _ in range(6):  # each face the highlight reaches is named, and it waits for that
        if focused() is window.question.faces[4]:
            break
        qtbot.waitUntil(lambda: window.speech.state != "speaking", timeout=3000)
        words.clear()
        timer.timeout.emit()
    assert focused() is window.question.faces[4]
    qtbot.waitUntil(lambda: words[:2] == ["4", "Poor"], timeout=3000)
    assert rows(data_dir) == []  # heard, not chosen
    press(window, Qt.Key.Key_Space)  # one press of the switch chooses it
    assert [row["rating"] for row in rows(data_dir)] == [4]
