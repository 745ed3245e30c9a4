"""Fonts that really draw: every patient-facing string of every shipped survey in every
language, laid out with ``QTextLayout`` in the font its widget really has, comes from the bundled
font its language names (the glyph runs say which font Qt chose, and each run's font tables say
it is the bundled file, not a system font of the same name), and ``--check`` says so per
language, or fails."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from functools import cache

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QFont, QRawFont, QTextLayout
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.diagnostics import check_fonts
from kiosk.resources import fonts_dir, surveys_dir
from kiosk.survey import available_surveys, load_survey
from kiosk.survey_files import read_survey_file
from kiosk.ui.fonts import BUNDLED, LATIN_FAMILY, glyph_families, language_font, patient_text
from tests.helpers import tap

#: Every shipped survey and language, from the files: a new language is checked as it lands.
SHIPPED = [
    (survey_id, code)
    for survey_id in available_surveys()
    for code in read_survey_file(survey_id).languages
]
INPATIENT = read_survey_file("fft-inpatient").languages


def _runs(text: str, font: QFont) -> list[tuple[str, list[int], bytes]]:
    """(family, glyph indexes, ``head`` table) of each glyph run of *text* as Qt lays it out
    in *font*. The ``head`` table tells one font file from another of the same family name."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(100_000)
    layout.endLayout()
    return [
        (
            run.rawFont().familyName(),
            list(run.glyphIndexes()),
            bytes(run.rawFont().fontTable("head")),
        )
        for run in layout.glyphRuns()
    ]


@cache
def _bundled() -> dict[str, QRawFont]:
    """Each bundled family's regular face."""
    return {family: QRawFont(str(fonts_dir() / t.files[0]), 32) for family, t in BUNDLED.items()}


@cache
def _bundled_heads() -> frozenset[bytes]:
    """The ``head`` tables of every bundled file: a run whose font has another came from the
    system, even if its family name is a bundled one."""
    return frozenset(
        bytes(QRawFont(str(fonts_dir() / name), 32).fontTable("head"))
        for traits in BUNDLED.values()
        for name in traits.files
    )


def _check_runs(text: str, font: QFont, named: str, where: str) -> Counter[str]:
    """Glyphs of *text* per family, failing on any glyph from outside the bundle or from no
    font, or on a character the language's font *named* has but another font drew."""
    drawn: Counter[str] = Counter()
    for family, glyphs, head in _runs(text, font):
        assert family in BUNDLED and head in _bundled_heads(), (
            f"{where}: {text!r} drawn by {family}"
        )
        assert 0 not in glyphs, f"{where}: {text!r} has a character no font has (an empty box)"
        drawn[family] += len(glyphs)
    # What the named font can draw, it draws: no word is half one font, half another.
    # By code point: PySide6 passes a one-character str as a QChar, wrongly past Latin-1.
    own = "".join(ch for ch in text if _bundled()[named].supportsCharacter(ord(ch)))
    assert {family for family, _, _ in _runs(own, font)} <= {named}, f"{where}: {text!r}"
    return drawn


@pytest.mark.parametrize(("survey_id", "language"), SHIPPED)
def test_every_string_of_every_survey_is_drawn_by_its_languages_bundled_font(
    qapp, survey_id, language
):
    survey = load_survey(survey_id, [language])
    named = survey.language(language).font
    assert named in BUNDLED, f"{language}.json names '{named}', which the kiosk does not bundle"
    font = language_font(named)  # what the screens set for the language
    font.setPixelSize(32)
    weights = (
        [QFont.Weight.Normal, QFont.Weight.Bold] if BUNDLED[named].bold else [QFont.Weight.Normal]
    )
    drawn: Counter[str] = Counter()
    for weight in weights:
        font.setWeight(weight)
        for text in patient_text(survey, language, "Ward 7"):
            drawn += _check_runs(text, font, named, f"{survey_id}/{language}.json")
    # Only the ward's Latin name, digits and the like come from another bundled font.
    assert drawn[named] / sum(drawn.values()) > 0.9, drawn


def test_a_glyph_from_a_system_font_fails_the_check(qapp):
    # No bundled font has a smiley: the system's DejaVu Sans draws it, or nothing does.
    font = language_font(LATIN_FAMILY)
    assert {family for family, _, _ in _runs("☺", font)} - set(BUNDLED)
    with pytest.raises(AssertionError):
        _check_runs("Anfon ☺", font, LATIN_FAMILY, "cy.json")


def test_latin_inside_another_script_is_drawn_by_noto_sans(qapp):
    for family in BUNDLED:
        assert glyph_families("Ward 7", language_font(family)).keys() <= {family, LATIN_FAMILY}
    # Arabic has its own font now, not Urdu's: its ward name in Latin comes from Noto Sans.
    arabic = language_font("Noto Naskh Arabic")
    assert glyph_families("جناح", arabic) == Counter({"Noto Naskh Arabic": 4})
    assert glyph_families("Ward", arabic) == Counter({LATIN_FAMILY: 4})


def _patient_widgets(window) -> list[QWidget]:
    parts = (window.topbar, window.picker, window.question, window.followup, window.thanks)
    return [
        widget
        for part in parts
        for widget in part.findChildren(QWidget)
        if isinstance(widget, QLabel | QAbstractButton) and widget.text().strip()
    ]


@pytest.mark.parametrize("language", INPATIENT)
@pytest.mark.parametrize("large_text", [False, True])
def test_every_widget_draws_in_the_bundled_font_its_language_names(
    qtbot, make_kiosk, language, large_text
):
    window = make_kiosk()
    if large_text:
        tap(qtbot, window, "Larger text")
    window.set_language(language)
    # The language a widget speaks is its locale: the screen's, or a language button's own.
    by_locale = {QLocale(lang.code).name(): lang.font for lang in window.survey.languages}
    drawn: Counter[str] = Counter()
    widgets = _patient_widgets(window)
    assert len(widgets) > 30
    for widget in widgets:
        named = by_locale[widget.locale().name()]
        drawn += _check_runs(widget.text(), widget.font(), named, widget.objectName())
    own = window.survey.language(language).font
    if own != LATIN_FAMILY:
        # Before Urdu had its own font, 82% of its glyphs came from DejaVu Sans.
        assert drawn[own] / sum(drawn.values()) > 0.6, drawn


def test_urdu_text_joins_in_nastaliq_not_a_system_naskh(qtbot, make_kiosk):
    window = make_kiosk()
    window.set_language("ur")
    label = window.question.question
    assert [family for family, _, _ in _runs(label.text(), label.font())] == ["Noto Nastaliq Urdu"]
    assert label.font().families()[0] == "Noto Nastaliq Urdu"


def test_every_bundled_file_is_listed_under_its_real_family_and_licensed():
    listed = {name: family for family, traits in BUNDLED.items() for name in traits.files}
    on_disk = {path.name for path in fonts_dir().iterdir() if path.suffix in (".ttf", ".otf")}
    assert set(listed) == on_disk
    sources = (fonts_dir() / "SOURCES.md").read_text(encoding="utf-8")
    licence = (fonts_dir() / "OFL.txt").read_text(encoding="utf-8")
    for name, family in listed.items():
        raw = QRawFont(str(fonts_dir() / name), 32)
        assert raw.familyName() == family, name
        assert (raw.weight() >= QFont.Weight.Bold.value) == ("-Bold." in name), name
        assert name in sources and family in licence.split("\n\n")[0], name
    # A family with a bold face is drawn bold; one without stays regular (no faked bold).
    assert not BUNDLED["Noto Nastaliq Urdu"].bold and BUNDLED["Noto Naskh Arabic"].bold


def test_all_fonts_together_keep_to_30_mb():
    sizes = [path.stat().st_size for path in fonts_dir().glob("*.[ot]tf")]
    assert sum(sizes) <= 30_000_000, f"{sum(sizes) / 1e6:.1f} MB of fonts"


def test_every_language_names_a_bundled_font_and_each_script_its_own():
    expected = {
        "ur": "Noto Nastaliq Urdu",
        "ar": "Noto Naskh Arabic",
        "zh-Hans": "Noto Sans CJK SC",
    }
    for survey_id in available_surveys():
        survey = load_survey(survey_id)
        fonts = {lang.code: lang.font for lang in survey.languages}
        assert set(fonts.values()) <= set(BUNDLED), survey_id
        assert {code: fonts[code] for code in expected if code in fonts} == {
            code: family for code, family in expected.items() if code in fonts
        }
        assert fonts["en"] == LATIN_FAMILY


def test_check_says_which_font_draws_each_language(qapp):
    survey = load_survey("fft-inpatient")
    results = dict((text.split(":")[0], (ok, text)) for ok, text in check_fonts(survey, "Ward 7"))
    assert list(results) == [lang.code for lang in survey.languages]
    assert all(ok for ok, _ in results.values()), results
    en, cy, ur = (results[code][1] for code in ("en", "cy", "ur"))
    assert en.startswith("en: all ") and en.endswith(" glyphs drawn by Noto Sans")
    assert cy.endswith(" glyphs drawn by Noto Sans")
    # The ward's Latin name is drawn by Noto Sans inside the Urdu sentence; nothing else is.
    assert ur.startswith("ur: ") and " glyphs drawn by Noto Nastaliq Urdu, " in ur
    assert ur.endswith(" by Noto Sans")


def _survey_with(tmp_path, change) -> object:
    """The shipped survey with *change* made to its language files' data, by language code."""
    folder = tmp_path / "fft-inpatient"
    shutil.copytree(surveys_dir() / "fft-inpatient", folder)
    files = {
        code: json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))
        for code in ("en", "cy", "ur")
    }
    change(files)
    for code, data in files.items():
        (folder / f"{code}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return load_survey("fft-inpatient", ["en", "cy", "ur"], directory=tmp_path)


def test_check_fails_when_a_system_font_draws_any_glyph(qapp, tmp_path):
    # A character no bundled font has: some system font (or none) would have to draw it.
    def smiley(files: dict) -> None:
        files["cy"]["text"]["send"] = "Anfon ☺"

    results = check_fonts(_survey_with(tmp_path, smiley), "Ward 7")
    (ok, text), *_ = [result for result in results if result[1].startswith("cy:")]
    assert not ok
    assert "of " in text and f'set "font" in {tmp_path / "fft-inpatient" / "cy.json"}' in text
    assert "Noto" not in text.split(", of ")[0]  # it names the font that is not bundled


def test_check_fails_on_a_font_that_is_not_bundled_or_does_not_draw_the_language(qapp, tmp_path):
    def fonts(files: dict) -> None:
        files["cy"]["font"] = "Comic Sans MS"
        files["ur"]["font"] = "Noto Sans"

    results = dict(
        (text[:2], (ok, text)) for ok, text in check_fonts(_survey_with(tmp_path, fonts), "W")
    )
    assert results["en"][0]
    assert not results["cy"][0] and "'Comic Sans MS' is not a bundled font" in results["cy"][1]
    assert not results["ur"][0] and "names Noto Sans, but it draws only" in results["ur"][1]
