"""The bundled fonts: registering them with Qt, the font each language is drawn in, and proof
of which font really draws each string (its glyph runs), for ``--check`` and the tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QTextLayout

from kiosk.resources import fonts_dir
from kiosk.store import COMMENT_LIMIT
from kiosk.survey import Survey

LATIN_FAMILY = "Noto Sans"
URDU_FAMILY = "Noto Nastaliq Urdu"
#: Counted in place of a family for a character no font had: it shows as an empty box.
MISSING = "(no font: drawn as a box)"


@dataclass(frozen=True)
class Traits:
    """How a bundled font is used.

    Attributes:
        scale: its type size against the Latin font's. Nastaliq letters look large and its
            lines are about twice as tall as Latin ones.
        bold: whether it has a bold weight. Nastaliq has none, and a faked bold falls back to
            a font that cannot join Urdu letters, so Urdu text stays regular.
    """

    scale: float = 1.0
    bold: bool = True


BUNDLED: dict[str, Traits] = {LATIN_FAMILY: Traits(), URDU_FAMILY: Traits(0.85, bold=False)}


def traits(family: str) -> Traits:
    return BUNDLED.get(family, Traits())


def load_fonts() -> list[str]:
    """Register the bundled fonts with Qt; returns the families now available."""
    families: set[str] = set()
    for path in sorted(fonts_dir().glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.update(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(families)


def language_font(family: str) -> QFont:
    """A font that draws in *family*, falling back only to the other bundled fonts: a Latin
    ward name inside an Urdu sentence, or Urdu typed while English is on screen."""
    font = QFont()
    font.setFamilies([family, *(other for other in BUNDLED if other != family)])
    return font


def glyph_families(text: str, font: QFont) -> Counter[str]:
    """How many glyphs of *text*, laid out in *font* as Qt draws it, come from each font.

    Qt picks a font per run of characters, falling back to whatever the system has; the
    glyph runs say which it really chose. A glyph the chosen font lacks counts as ``MISSING``.
    """
    layout = QTextLayout(text, font)
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(1_000_000)
    layout.endLayout()
    counts: Counter[str] = Counter()
    for run in layout.glyphRuns():
        glyphs = run.glyphIndexes()
        boxes = glyphs.count(0)
        counts[run.rawFont().familyName()] += len(glyphs) - boxes
        if boxes:
            counts[MISSING] += boxes
    return +counts


def patient_text(survey: Survey, language: str, ward: str) -> Iterator[str]:
    """Every string a patient may see in *language*, as shown (placeholders filled in)."""
    values = {
        "ward": ward,
        "count": COMMENT_LIMIT,
        "limit": COMMENT_LIMIT,
        "seconds": 60,
        "number": 6,
        "answer": survey.answer(6, language),
    }
    for key in survey.strings:
        yield survey.text(key, language, **values)
    for code in survey.answers:
        yield survey.answer(code, language)
    for theme in survey.themes:
        yield survey.theme_text(theme.id, language)
    yield survey.language(language).name


def drawn_by(survey: Survey, language: str, ward: str) -> Counter[str]:
    """Glyphs of every patient-facing string in *language*, per font that really draws them,
    in the language's own font at each weight the screens use."""
    family = survey.language(language).font
    font = language_font(family)
    font.setPixelSize(32)
    weights = (
        [QFont.Weight.Normal, QFont.Weight.Bold] if traits(family).bold else [QFont.Weight.Normal]
    )
    counts: Counter[str] = Counter()
    for weight in weights:
        font.setWeight(weight)
        for text in patient_text(survey, language, ward):
            counts += glyph_families(text, font)
    return counts
