"""Fonts that really draw: every patient-facing string, laid out with ``QTextLayout`` in the
font its widget really has, comes from the bundled font its language names (the glyph runs
say which font Qt chose), and ``--check`` says so per language, or fails."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from PySide6.QtGui import QFont, QRawFont, QTextLayout
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.diagnostics import check_fonts
from kiosk.resources import fonts_dir, surveys_dir
from kiosk.survey import load_survey
from tests.helpers import tap


def _runs(text: str, font: QFont) -> list[tuple[str, list[int]]]:
    """(family, glyph indexes) of each glyph run of *text* as Qt lays it out in *font*."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(100_000)
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]


def _bundled() -> dict[str, QRawFont]:
    fonts = [QRawFont(str(path), 32) for path in sorted(fonts_dir().glob("*Regular.ttf"))]
    return {font.familyName(): font for font in fonts}


def _patient_widgets(window) -> list[QWidget]:
    parts = (window.topbar, window.question, window.followup, window.thanks)
    return [
        widget
        for part in parts
        for widget in part.findChildren(QWidget)
        if isinstance(widget, QLabel | QAbstractButton) and widget.text().strip()
    ]


@pytest.mark.parametrize("language", ["en", "cy", "ur"])
@pytest.mark.parametrize("large_text", [False, True])
def test_every_string_is_drawn_by_the_bundled_font_its_language_names(
    qtbot, make_kiosk, language, large_text
):
    window = make_kiosk()
    if large_text:
        tap(qtbot, window, "Larger text")
    window.set_language(language)
    survey, bundled = window.survey, _bundled()
    by_locale = {lang.code: lang.font for lang in survey.languages}
    drawn: Counter[str] = Counter()
    widgets = _patient_widgets(window)
    assert len(widgets) > 30
    for widget in widgets:
        # The language a widget speaks is its locale: the screen's, or a language button's own.
        code = widget.locale().name().split("_")[0]
        named = bundled[by_locale[code]]
        text, font = widget.text(), widget.font()
        for family, glyphs in _runs(text, font):
            assert family in bundled, f"{text!r} in {widget.objectName()}: drawn by {family}"
            assert 0 not in glyphs, f"{text!r}: a character no font has (an empty box)"
            drawn[family] += len(glyphs)
        # What the named font can draw, it draws: no word is half one font, half another.
        own = "".join(ch for ch in text if named.supportsCharacter(ch))
        assert {family for family, _ in _runs(own, font)} <= {named.familyName()}, text
    if language == "ur":
        # Before: 82% of Urdu glyphs came from DejaVu Sans and 13% from Nastaliq.
        assert drawn["Noto Nastaliq Urdu"] / sum(drawn.values()) > 0.9


def test_urdu_text_joins_in_nastaliq_not_a_system_naskh(qtbot, make_kiosk):
    window = make_kiosk()
    window.set_language("ur")
    label = window.question.question
    assert [family for family, _ in _runs(label.text(), label.font())] == ["Noto Nastaliq Urdu"]
    assert label.font().families()[0] == "Noto Nastaliq Urdu"


def test_the_survey_names_a_bundled_font_for_each_language():
    survey = load_survey("fft-inpatient")
    assert {lang.code: lang.font for lang in survey.languages} == {
        "en": "Noto Sans",
        "cy": "Noto Sans",
        "ur": "Noto Nastaliq Urdu",
    }
    assert {lang.font for lang in survey.languages} <= set(_bundled())


def test_check_says_which_font_draws_each_language(qapp):
    results = check_fonts(load_survey("fft-inpatient"), "Ward 7")
    assert [ok for ok, _ in results] == [True, True, True]
    en, cy, ur = (text for _, text in results)
    assert en.startswith("en: all ") and en.endswith(" glyphs drawn by Noto Sans")
    assert cy.endswith(" glyphs drawn by Noto Sans")
    # The ward's Latin name is drawn by Noto Sans inside the Urdu sentence; nothing else is.
    assert ur.startswith("ur: ") and " glyphs drawn by Noto Nastaliq Urdu, " in ur
    assert ur.endswith(" by Noto Sans")


def _survey_with(tmp_path, change) -> object:
    data = json.loads((surveys_dir() / "fft-inpatient.json").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "fft-inpatient.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return load_survey("fft-inpatient", directory=tmp_path)


def test_check_fails_when_a_system_font_draws_any_glyph(qapp, tmp_path):
    # A character no bundled font has: some system font (or none) would have to draw it.
    def smiley(data: dict) -> None:
        data["text"]["send"]["cy"] = "Anfon ☺"

    results = check_fonts(_survey_with(tmp_path, smiley), "Ward 7")
    (ok, text), *_ = [result for result in results if result[1].startswith("cy:")]
    assert not ok
    assert "of " in text and "languages.cy.font" in text
    assert "Noto" not in text.split(", of ")[0]  # it names the font that is not bundled


def test_check_fails_on_a_font_that_is_not_bundled_or_does_not_draw_the_language(qapp, tmp_path):
    def fonts(data: dict) -> None:
        data["languages"]["cy"]["font"] = "Comic Sans MS"
        data["languages"]["ur"]["font"] = "Noto Sans"

    results = dict(
        (text[:2], (ok, text)) for ok, text in check_fonts(_survey_with(tmp_path, fonts), "W")
    )
    assert results["en"][0]
    assert not results["cy"][0] and "'Comic Sans MS' is not a bundled font" in results["cy"][1]
    assert not results["ur"][0] and "names Noto Sans, but it draws only" in results["ur"][1]
