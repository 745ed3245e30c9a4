"""Languages and accessibility toggles on the patient screens."""

from __future__ import annotations

from PySide6.QtCore import Qt

from sync import fft
from tests.helpers import choose_language, find, rows, tap


def test_switching_to_urdu_changes_text_and_mirrors_the_screen(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    english_question = window.question.question.text()
    assert english_question == fft.QUESTION

    choose_language(qtbot, window, "اردو")

    survey = window.survey
    assert window.question.question.text() == survey.text("question", "ur")
    assert window.question.question.text() != english_question
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.question.layoutDirection() == Qt.LayoutDirection.RightToLeft
    # The first answer sits at the right-hand end of the row in Urdu.
    faces = window.question.faces
    qtbot.waitUntil(lambda: faces[1].geometry().x() > faces[6].geometry().x(), timeout=2000)
    tap(qtbot, window, survey.answer(1, "ur"))
    assert rows(data_dir)[0]["language"] == "ur"
    assert window.followup.prompt.text() == survey.text("followup_positive", "ur")


def test_welsh_text_comes_from_the_survey(qtbot, make_kiosk):
    window = make_kiosk()
    choose_language(qtbot, window, "Cymraeg")
    assert find(window, "Da iawn").isVisible()
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_toggles_change_the_look_and_reset_for_the_next_person(qtbot, make_kiosk):
    window = make_kiosk("[kiosk]\nthanks_seconds = 2\n")
    normal_size = window.question.question.font().pixelSize()
    tap(qtbot, window, "Larger text")
    tap(qtbot, window, "High contrast")
    assert window.question.question.font().pixelSize() > normal_size
    assert window.look.high_contrast and window.look.large_text

    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)
    assert not window.look.high_contrast and not window.look.large_text
    assert not find(window, "Larger text").isChecked()
    assert window.question.question.font().pixelSize() == normal_size


def test_the_paused_and_demo_notices_are_in_the_chosen_language(qtbot, tmp_path):
    from kiosk.app import create_kiosk

    window = create_kiosk(None, tmp_path / "data")  # no kiosk.toml: a demo ward
    qtbot.addWidget(window)
    window.show()
    window.show_paused(True)
    survey = window.survey
    for language in ("en", "cy", "ur"):
        window.set_language(language)
        assert window.question.demo.text() == survey.text("demo_ward", language)
        assert window.question.paused_notice.text() == survey.text("paused", language)
    assert window.question.paused_notice.text() != survey.text("paused", "en")
    window.shutdown()
