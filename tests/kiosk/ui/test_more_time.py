"""More time (WCAG 2.2.1): "Do you need more time?" before the idle reset, answered by any
touch or key; the thank-you countdown starting again on a touch; and the phone's QR code on
the question screen as well as on the thank-you screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.flow import MORE_TIME_SECONDS
from tests.helpers import activate, box_in, choose_language, find, focused, press, rows, tap

LINK = "https://example.nhs.uk/feedback/ward7"


def _short_idle(window, seconds: float = 1.6) -> None:
    """The idle reset after *seconds* instead of a minute: "more time?" comes halfway."""
    window.flow.idle_seconds = seconds
    window.idle_timer.setInterval(round(seconds * 1000))


def _to_followup(qtbot, window) -> None:
    tap(qtbot, window, "Poor")
    assert window.stack.currentWidget() is window.followup


def test_the_prompt_comes_20_seconds_before_the_idle_reset(qtbot, make_kiosk):
    window = make_kiosk()
    _to_followup(qtbot, window)
    idle = window.idle_timer.remainingTime() / 1000
    due = window.more_time_timer.remainingTime() / 1000
    assert abs((idle - due) - MORE_TIME_SECONDS) < 1
    with qtbot.wait_signal(window.more_time_timer.timeout, timeout=2000):
        window.more_time_timer.start(10)
    prompt = window.more_time
    assert prompt.isVisible() and prompt.geometry() == window.rect()
    assert prompt.title.text() == "Do you need more time?"
    button = find(window, "Yes, I need more time")
    assert button.height() >= 70 and button.width() >= 300  # a big target
    assert prompt.countdown.text().endswith(str(MORE_TIME_SECONDS))


def test_a_touch_anywhere_keeps_the_screen_and_presses_nothing_beneath(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    _short_idle(window)
    _to_followup(qtbot, window)
    qtbot.waitUntil(window.more_time.isVisible, timeout=3000)
    noise = window.followup.chips["noise"]
    # A tap where the "Noise" chip shows through: it answers the prompt, and is no choice.
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=box_in(window, noise).center())
    assert not window.more_time.isVisible()
    assert not noise.isChecked()
    assert window.stack.currentWidget() is window.followup
    assert window.idle_timer.remainingTime() > 1200  # counting from the touch again
    assert rows(data_dir)[0]["rating"] == 4


def test_nobody_answering_goes_back_to_the_question_keeping_the_answer(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    _short_idle(window)
    _to_followup(qtbot, window)
    tap(qtbot, window, "Noise")
    qtbot.waitUntil(window.more_time.isVisible, timeout=3000)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=3000)
    assert not window.more_time.isVisible()
    (row,) = rows(data_dir)
    assert '"noise"' in row["answers"]


def test_the_prompt_takes_the_keyboard_and_return_answers_it(qtbot, make_kiosk):
    window = make_kiosk()
    activate(qtbot, window)
    _to_followup(qtbot, window)
    window.more_time_timer.timeout.emit()
    assert focused() is window.more_time.button  # a keyboard or switch user is on it at once
    press(window, Qt.Key.Key_Return)
    assert not window.more_time.isVisible()
    assert window.stack.currentWidget() is window.followup


def test_the_prompt_speaks_the_language_on_screen(qtbot, make_kiosk):
    window = make_kiosk()
    choose_language(qtbot, window, "Cymraeg")
    tap(qtbot, window, "Gwael")
    window.more_time_timer.timeout.emit()
    assert window.more_time.title.text() == "Oes angen mwy o amser arnoch chi?"
    assert find(window, "Oes, mae angen mwy o amser arnaf").isVisible()


def test_a_passer_by_on_the_untouched_question_is_not_asked(qtbot, make_kiosk):
    window = make_kiosk()
    qtbot.mouseClick(window.question, Qt.MouseButton.LeftButton)  # touched, changed nothing
    window.more_time_timer.timeout.emit()
    assert not window.more_time.isVisible()
    tap(qtbot, window, "Larger text")  # a choice that the reset would take away
    window.more_time_timer.timeout.emit()
    assert window.more_time.isVisible()


def test_a_touch_starts_the_thank_you_countdown_again(qtbot, make_kiosk):
    window = make_kiosk()
    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    thanks = window.thanks
    start = thanks.remaining
    with qtbot.wait_signal(thanks.ticker.timeout, timeout=3000):
        pass
    assert thanks.remaining == start - 1
    assert thanks.countdown.text().endswith(str(start - 1))
    qtbot.mouseClick(thanks.title, Qt.MouseButton.LeftButton)
    assert thanks.remaining == start
    assert thanks.countdown.text().endswith(str(start))
    assert window.stack.currentWidget() is thanks


def test_the_question_screen_offers_the_phone_qr_code(qtbot, make_kiosk):
    window = make_kiosk(f'[survey]\nphone_link = "{LINK}"\n')
    qr = window.question.qr
    assert qr.isVisible() and qr.data == LINK
    assert qr.accessibleName() == "Answer on your own phone"
    assert qr.accessibleDescription() == LINK
    assert window.question.qr_caption.text() == "Prefer your phone? Scan to answer there"
    assert qr.width() >= 120 and qr.height() >= 120
    # Never in the faces' way.
    for face in window.question.faces.values():
        assert not box_in(window, qr).intersects(box_in(window, face))


def test_no_qr_code_on_the_question_screen_without_a_link(qtbot, make_kiosk):
    window = make_kiosk()
    assert not window.question.qr.isVisible()
    assert not window.question.qr_caption.isVisible()
