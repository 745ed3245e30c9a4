"""What a screen reader is told: each screen's and each language button's locale, an
announcement on every screen change, the QR code's purpose and link, the comment box's
privacy request and count, and patient-facing words only from the survey file."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.resources import surveys_dir
from tests.helpers import tap

LINK = "https://example.nhs.uk/feedback/ward7"
PHONE = f'[survey]\nphone_link = "{LINK}"\n[kiosk]\nthanks_seconds = 30\n'


@pytest.mark.parametrize("language", ["en", "cy", "ur"])
def test_every_screen_and_what_is_on_it_carries_the_language(qtbot, make_kiosk, language):
    window = make_kiosk()
    window.set_language(language)
    expected = QLocale(language).language()
    for part in (window.topbar, window.question, window.followup, window.thanks):
        assert part.locale().language() == expected, part.objectName()
    for widget in (window.question.faces[1], window.question.question, window.followup.send):
        assert widget.locale().language() == expected
    assert window.followup.comment.locale().language() == expected
    # Each language button speaks its own language, whatever is on screen.
    for code, button in {**window.picker.buttons, **window.topbar.language_buttons}.items():
        assert button.locale().language() == QLocale(code).language()
    assert expected != QLocale.Language.C


@pytest.fixture
def announced(monkeypatch) -> list[tuple[str, str]]:
    """What the kiosk announces to screen readers (QAccessibleAnnouncementEvent): the
    widget's object name and the words."""
    heard: list[tuple[str, str]] = []
    real = QAccessible.updateAccessibility

    def hear(event) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            heard.append((event.object().objectName(), event.message()))
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", hear)
    return heard


@pytest.mark.parametrize("language", ["en", "ur"])
def test_each_screen_change_is_announced_in_the_language_on_screen(
    qtbot, make_kiosk, announced, language
):
    window = make_kiosk(PHONE)
    window.set_language(language)
    survey = window.survey
    tap(qtbot, window, survey.answer(4, language))
    tap(qtbot, window, survey.text("skip", language))
    window.thanks.finished.emit()
    assert announced == [
        ("followup-prompt", survey.text("followup_negative", language)),
        ("thanks-title", survey.text("thanks_title", language)),
        ("question", survey.text("question", "en")),  # the next person starts in English
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_qr_code_names_its_purpose_and_gives_its_link(qtbot, make_kiosk, language):
    window = make_kiosk(PHONE)
    window.set_language(language)
    tap(qtbot, window, window.survey.answer(1, language))
    tap(qtbot, window, window.survey.text("skip", language))
    qr = window.thanks.qr
    assert qr.isVisible()
    assert qr.accessibleName() == window.survey.text("phone_qr_name", language)
    assert qr.accessibleName() != window.thanks.qr_caption.text()  # not the caption again
    assert qr.accessibleDescription() == LINK


def test_the_comment_box_describes_the_privacy_request_and_the_count(qtbot, make_kiosk):
    window = make_kiosk()
    tap(qtbot, window, "Good")
    box = window.followup.comment
    assert box.accessibleName() == "Anything else you would like to tell us? (optional)"
    description = box.accessibleDescription()
    assert "Please do not include names or personal details." in description
    assert "0 of 1000 characters" in description
    qtbot.keyClicks(box, "Kind nurses")
    assert "11 of 1000 characters" in box.accessibleDescription()
    window.set_language("cy")
    assert "Peidiwch â chynnwys enwau na manylion personol." in box.accessibleDescription()


def _templates(language: str) -> list[re.Pattern[str]]:
    """Every string the survey's file has for *language*, and every language's own name,
    placeholders matching anything."""
    folder = surveys_dir() / "fft-inpatient"

    def read(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    raw = read(f"{language}.json")
    texts = [*raw["text"].values(), *raw["answers"].values(), *raw["themes"].values()]
    texts += [read(f"{code}.json")["name"] for code in read("survey.json")["languages"]]
    return [re.compile("\u200f?" + re.sub(r"\\\{\w+\\\}", ".+", re.escape(text))) for text in texts]


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_every_word_a_patient_sees_or_hears_comes_from_the_survey(qtbot, make_kiosk, language):
    window = make_kiosk(PHONE)
    window.set_language(language)
    patterns = _templates(language)
    ward = window.config.location.shown_name

    def check_screen() -> None:
        for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
            if not widget.isVisible():
                continue
            for words in (widget.text(), widget.accessibleName()):
                if words and words != ward:
                    assert any(p.fullmatch(words) for p in patterns), (widget, words)

    check_screen()
    tap(qtbot, window, window.survey.answer(5, language))
    check_screen()
    tap(qtbot, window, window.survey.text("send", language))
    check_screen()
    assert any(p.fullmatch(window.thanks.qr.accessibleName()) for p in patterns)


def test_the_public_board_hint_comes_from_the_survey(qtbot, make_kiosk, data_dir):
    window = make_kiosk('[survey]\nlanguages = ["cy", "en", "ur"]\n')
    window.staff.show_board("Dywedoch chi, fe wnaethom ni")
    hints = [label.text() for label in window.staff.board.findChildren(QLabel)]
    assert window.survey.text("board_hint", "cy") in hints
