"""The easy-read and children's versions through create_kiosk: a ward that asks either one, the
"Easy read" and "For grown-ups" switches, the version stored on each response, and the reset
back to the ward's own survey and language for the next person."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.survey import load_survey
from sync import fft
from tests.helpers import choose_language, find, rows, tap

QUICK = "[kiosk]\nthanks_seconds = 2\n"
VERSIONS = ["fft-easy-read", "fft-children"]


def _version(survey_id: str) -> int:
    return load_survey(survey_id).version


@pytest.mark.parametrize("survey_id", VERSIONS)
def test_a_ward_asking_a_version_shows_its_words(qtbot, make_kiosk, survey_id):
    window = make_kiosk(f'[survey]\nid = "{survey_id}"\n')
    survey = load_survey(survey_id)
    assert window.flow.survey.id == survey_id
    assert window.question.question.text() == survey.text("question", "en")
    assert window.question.question.text() != fft.QUESTION
    for code in fft.CODES:
        assert find(window, survey.answer(code, "en")).isVisible()


@pytest.mark.parametrize("survey_id", VERSIONS)
@pytest.mark.parametrize("code", list(fft.CODES))
def test_each_answer_of_a_version_stores_its_nhs_code(qtbot, make_kiosk, data_dir, survey_id, code):
    window = make_kiosk(f'[survey]\nid = "{survey_id}"\n')
    words = load_survey(survey_id).answer(code, "en")
    tap(qtbot, window, words)

    (row,) = rows(data_dir)
    assert row["rating"] == code
    assert (row["survey_id"], row["survey_version"]) == (survey_id, _version(survey_id))
    assert window.stack.currentWidget() is window.followup


def test_the_six_answers_of_each_version_are_in_nhs_order(qtbot, make_kiosk):
    # The faces sit in the same order, 1 (very good) first, whatever words a version uses.
    window = make_kiosk('[survey]\nid = "fft-children"\n')
    faces = window.question.faces
    xs = [faces[code].geometry().x() for code in fft.CODES]
    assert xs == sorted(xs)
    assert [faces[code].accessibleName() for code in fft.CODES] == [
        load_survey("fft-children").answer(code, "en") for code in fft.CODES
    ]


def test_easy_read_is_offered_to_anyone_and_stored_on_the_response(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK)
    easy = load_survey("fft-easy-read")
    assert not find(window, "Easy read").isChecked()
    assert not window.topbar.grown_ups.isVisible()  # not a children's ward

    tap(qtbot, window, "Easy read")
    assert window.question.question.text() == easy.text("question", "en")
    assert find(window, "Easy read").isChecked()
    tap(qtbot, window, easy.answer(4, "en"))
    assert window.followup.prompt.text() == easy.text("followup_negative", "en")
    tap(qtbot, window, "Skip")

    (row,) = rows(data_dir)
    assert row["rating"] == 4
    assert (row["survey_id"], row["survey_version"]) == ("fft-easy-read", easy.version)
    # The thank-you ends: the next person gets the ward's own question.
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)
    assert window.flow.survey.id == "fft-inpatient"
    assert window.question.question.text() == fft.QUESTION
    assert not find(window, "Easy read").isChecked()


def test_easy_read_pressed_again_goes_back_to_the_standard_question(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    tap(qtbot, window, "Easy read")
    tap(qtbot, window, "Easy read")
    assert window.question.question.text() == fft.QUESTION
    tap(qtbot, window, "Good")
    assert rows(data_dir)[0]["survey_id"] == "fft-inpatient"


def test_for_grown_ups_on_a_childrens_ward(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK + '[survey]\nid = "fft-children"\n')
    children = load_survey("fft-children")
    assert window.question.question.text() == children.text("question", "en")

    tap(qtbot, window, "For grown-ups")
    assert window.question.question.text() == fft.QUESTION
    assert find(window, "For grown-ups").isChecked()
    tap(qtbot, window, "Neither good nor poor")
    tap(qtbot, window, "Skip")
    # A child next: the children's question again.
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)
    assert window.question.question.text() == children.text("question", "en")
    assert not find(window, "For grown-ups").isChecked()
    tap(qtbot, window, children.answer(1, "en"))

    first, second = rows(data_dir)
    assert (first["rating"], first["survey_id"]) == (3, "fft-inpatient")
    assert (second["rating"], second["survey_id"]) == (1, "fft-children")


def test_a_childrens_ward_offers_easy_read_too(qtbot, make_kiosk, data_dir):
    window = make_kiosk('[survey]\nid = "fft-children"\n')
    tap(qtbot, window, "For grown-ups")
    tap(qtbot, window, "Easy read")
    assert window.question.question.text() == load_survey("fft-easy-read").text("question", "en")
    assert not find(window, "For grown-ups").isChecked()
    tap(qtbot, window, "Easy read")  # off: back to the ward's own, the children's question
    assert window.question.question.text() == load_survey("fft-children").text("question", "en")


def test_an_easy_read_ward_starts_in_easy_read_and_switches_to_the_standard(
    qtbot, make_kiosk, data_dir
):
    window = make_kiosk('[survey]\nid = "fft-easy-read"\n')
    assert find(window, "Easy read").isChecked()
    tap(qtbot, window, "Easy read")
    assert window.question.question.text() == fft.QUESTION
    tap(qtbot, window, "Very poor")
    assert rows(data_dir)[0]["survey_id"] == "fft-inpatient"


def test_switching_language_and_version_then_the_idle_reset_comes_back_to_the_default(
    qtbot, make_kiosk, data_dir
):
    window = make_kiosk("[kiosk]\nidle_reset_seconds = 45\n")
    window.idle_timer.setInterval(300)  # the same timer, shortened so the test is quick
    easy = load_survey("fft-easy-read", ["en", "cy", "ur"])

    choose_language(qtbot, window, "اردو")
    tap(qtbot, window, window.topbar.easy_read.accessibleName())
    assert window.question.question.text() == easy.text("question", "ur")
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    tap(qtbot, window, easy.answer(2, "ur"))
    with qtbot.waitSignal(window.idle_timer.timeout, timeout=3000):
        pass

    (row,) = rows(data_dir)
    assert (row["rating"], row["language"], row["survey_id"]) == (2, "ur", "fft-easy-read")
    assert window.stack.currentWidget() is window.question
    assert (window.language, window.flow.survey.id) == ("en", "fft-inpatient")
    assert window.question.question.text() == fft.QUESTION
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert not find(window, "Easy read").isChecked()


def test_the_version_toggles_are_named_in_the_language_on_screen(qtbot, make_kiosk):
    window = make_kiosk('[survey]\nid = "fft-children"\n')
    children = load_survey("fft-children", ["en", "cy", "ur"])
    choose_language(qtbot, window, "Cymraeg")
    for toggle, key in (
        (window.topbar.easy_read, "easy_read"),
        (window.topbar.grown_ups, "for_grown_ups"),
    ):
        assert toggle.text() == toggle.accessibleName() == children.text(key, "cy")
