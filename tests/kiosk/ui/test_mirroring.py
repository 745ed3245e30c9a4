"""Right-to-left languages mirror the screen: chosen on a kiosk that offers them, Arabic and
Urdu lay the question screen out right to left, with the first answer ("Very good", code 1) at
the right-hand end of the row; a left-to-right language keeps it on the left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.survey_files import read_languages, read_survey_file
from tests.helpers import box_in, choose_language

SURVEY = read_survey_file("fft-inpatient")
DIRECTIONS = {
    code: file.direction
    for code, file in read_languages(SURVEY, list(SURVEY.languages), None).items()
}
RTL = sorted(code for code, direction in DIRECTIONS.items() if direction == "rtl")


def test_arabic_and_urdu_are_the_right_to_left_languages():
    assert {"ar", "ur"} <= set(RTL)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
@pytest.mark.parametrize("language", [*RTL, "en", "cy"])
def test_the_first_answer_sits_where_reading_starts(qtbot, make_kiosk, language, size):
    offered = ", ".join(f'"{code}"' for code in ["en", *RTL, "cy"])
    window = make_kiosk(f"[survey]\nlanguages = [{offered}]\n", size=size)
    if language != "en":
        choose_language(qtbot, window, window.survey.language(language).name)
    assert window.language == language
    rtl = DIRECTIONS[language] == "rtl"
    direction = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    assert window.question.layoutDirection() == direction
    assert window.layoutDirection() == direction
    faces = window.question.faces
    first, last = faces[1], faces[6]
    assert first.accessibleName().strip("\u200f") == window.survey.answer(1, language).strip(
        "\u200f"
    )

    def placed() -> bool:
        a, b = box_in(window, first), box_in(window, last)
        return a.center().x() > b.center().x() if rtl else a.center().x() < b.center().x()

    qtbot.waitUntil(placed, timeout=2000)
    # In the same row, with the first answer at the end a reader starts from.
    a, b = box_in(window, first), box_in(window, last)
    assert abs(a.center().y() - b.center().y()) < a.height() // 2
    if rtl:
        assert a.right() > window.width() // 2 > b.left()
