"""The language picker: a ward offering sixteen languages has one "Language" button in the top
bar, which opens every language as a big button, each named, drawn and tagged in its own
language; choosing one, Escape, the keyboard and the reset for the next person."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QLocale, Qt

from kiosk.survey import load_survey
from kiosk.ui.patient.language_picker import grid_columns
from kiosk.ui.theme import TARGET_PX
from tests.helpers import activate, box_in, find, focused, press, rows, tap

SIXTEEN = ["en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "zh-Hans", "lt"]
SIXTEEN += ["ta", "tr", "so"]
# The easy-read version has all sixteen complete; the picker is the same for any survey.
WARD = f'[survey]\nid = "fft-easy-read"\nlanguages = {json.dumps(SIXTEEN)}\n'
QUICK = "[kiosk]\nthanks_seconds = 30\n"


@pytest.fixture
def survey():
    return load_survey("fft-easy-read", SIXTEEN)


def _open(qtbot, window) -> None:
    tap(qtbot, window, window.topbar.languages.accessibleName())
    assert window.stack.currentWidget() is window.picker


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_sixteen_languages_are_one_button_that_opens_them_all(qtbot, make_kiosk, survey, size):
    window = make_kiosk(WARD, size=size)
    activate(qtbot, window)
    assert window.topbar.language_buttons == {}
    button = find(window, "Language")
    assert button.text() == "Language" and not button.icon().isNull()  # a globe and the word

    _open(qtbot, window)
    assert not window.topbar.isVisible()  # the whole window is the picker's
    assert focused() is window.picker.heading
    area = window.picker.rect()
    for language in survey.languages:
        choice = find(window, language.name)  # named in its own language, and only once
        assert choice.text() == choice.accessibleName() == language.name
        assert choice.locale().language() == QLocale(language.code).language()
        assert choice.font().families()[0] == language.font
        assert choice.width() >= TARGET_PX and choice.height() >= TARGET_PX
        assert area.contains(box_in(window.picker, choice)), language.code  # nothing cut off
    assert window.picker.buttons["en"].isChecked()  # the language on screen


def test_the_grid_is_four_across_a_tablet_and_two_upright(qtbot, make_kiosk):
    window = make_kiosk(WARD, size=(1280, 800))
    _open(qtbot, window)
    buttons = list(window.picker.buttons.values())
    assert len({b.y() for b in buttons[:4]}) == 1 and buttons[4].y() > buttons[0].y()
    window.resize(800, 1280)
    qtbot.waitUntil(lambda: buttons[2].y() > buttons[0].y(), timeout=2000)
    assert buttons[1].y() == buttons[0].y()


def test_choosing_a_language_shows_the_screen_in_it(qtbot, make_kiosk, data_dir, survey):
    window = make_kiosk(WARD)
    activate(qtbot, window)
    _open(qtbot, window)
    tap(qtbot, window, "Polski")

    assert window.stack.currentWidget() is window.question
    assert window.topbar.isVisible()
    assert window.question.question.text() == survey.text("question", "pl")
    assert focused() is window.question.question  # announced, in Polish
    assert find(window, survey.text("choose_language", "pl")) is window.topbar.languages
    tap(qtbot, window, survey.answer(3, "pl"))
    assert (rows(data_dir)[0]["rating"], rows(data_dir)[0]["language"]) == (3, "pl")


def test_arabic_from_the_picker_mirrors_the_screen(qtbot, make_kiosk, survey):
    window = make_kiosk(WARD)
    _open(qtbot, window)
    tap(qtbot, window, "العربية")
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    faces = window.question.faces
    qtbot.waitUntil(lambda: faces[1].geometry().x() > faces[6].geometry().x(), timeout=2000)
    # The picker reads from the right too: English, the first language, at the top right.
    _open(qtbot, window)
    english, welsh = window.picker.buttons["en"], window.picker.buttons["cy"]
    qtbot.waitUntil(lambda: english.x() > welsh.x(), timeout=2000)


def test_escape_goes_back_without_changing_the_language(qtbot, make_kiosk):
    window = make_kiosk(WARD)
    activate(qtbot, window)
    _open(qtbot, window)
    press(window, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.question
    assert window.language == "en" and window.topbar.isVisible()
    assert focused() is window.question.question


def test_the_keyboard_reaches_every_language_and_only_them(qtbot, make_kiosk):
    window = make_kiosk(WARD)
    activate(qtbot, window)
    _open(qtbot, window)
    stops = []
    for _ in range(len(SIXTEEN)):
        press(window, Qt.Key.Key_Tab)
        stops.append(focused())
    assert stops == list(window.picker.buttons.values())  # in the survey's order
    press(window, Qt.Key.Key_Tab)
    assert focused() is stops[0]  # round again, never under the picker
    for _ in SIXTEEN.index("ta") * [None]:
        press(window, Qt.Key.Key_Tab)
    press(window, Qt.Key.Key_Return)
    assert window.language == "ta"


def test_a_language_chosen_on_the_follow_up_keeps_what_was_typed(qtbot, make_kiosk, survey):
    window = make_kiosk(QUICK + WARD)
    tap(qtbot, window, survey.answer(4, "en"))
    qtbot.keyClicks(window.followup.comment, "The tea was cold")
    _open(qtbot, window)
    tap(qtbot, window, "Cymraeg")
    assert window.stack.currentWidget() is window.followup
    assert window.followup.prompt.text() == survey.text("followup_negative", "cy")
    assert window.followup.comment.toPlainText() == "The tea was cold"


def test_the_idle_reset_takes_the_picker_down_and_the_language_back(
    qtbot, make_kiosk, data_dir, survey
):
    window = make_kiosk("[kiosk]\nidle_reset_seconds = 45\n" + WARD)
    window.idle_timer.setInterval(300)  # the same timer, shortened so the test is quick
    _open(qtbot, window)
    tap(qtbot, window, "Türkçe")
    tap(qtbot, window, survey.answer(2, "tr"))
    _open(qtbot, window)  # and walked away from the follow-up with every language on screen
    with qtbot.waitSignal(window.idle_timer.timeout, timeout=3000):
        pass
    assert window.stack.currentWidget() is window.question
    assert window.topbar.isVisible() and window.language == "en"
    assert not window.picker.buttons["tr"].isChecked()
    (row,) = rows(data_dir)
    assert (row["rating"], row["language"]) == (2, "tr") and row["finished_at"] is not None


def test_a_few_languages_stay_along_the_bar(qtbot, make_kiosk):
    window = make_kiosk('[survey]\nlanguages = ["en", "cy", "ur"]\n')
    assert not window.topbar.languages.isVisible()
    assert [b.text() for b in window.topbar.language_buttons.values()] == [
        "English",
        "Cymraeg",
        "اردو",
    ]


@pytest.mark.parametrize(
    ("count", "size", "columns"),
    [(16, (1280, 800), 4), (16, (800, 1280), 2), (16, (1920, 1080), 4), (4, (1280, 800), 2)],
)
def test_grid_columns(count, size, columns):
    assert grid_columns(count, *size) == columns
