"""The bundled fonts: registering them with Qt, the font each language is drawn in, and proof
of which font really draws each string (its glyph runs), for ``--check`` and the tests.

Which font draws a language is the survey's data (each ``<lang>.json`` names its ``"font"``);
this module only knows the fonts themselves: the files of each family and how it is sized.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QTextLayout

from kiosk.resources import fonts_dir
from kiosk.store import COMMENT_LIMIT
from kiosk.survey import Survey

LATIN_FAMILY = "Noto Sans"
#: Counted in place of a family for a character no font had: it shows as an empty box.
MISSING = "(no font: drawn as a box)"


@dataclass(frozen=True)
class Traits:
    """A bundled font family: its files in ``resources/fonts`` and how it is used.

    Attributes:
        files: the regular face first, then the bold one where the bundle has it.
        scale: its type size against the Latin font's, where the script needs another size
            to read as large as Latin text beside it.
    """

    files: tuple[str, ...]
    scale: float = 1.0

    @property
    def bold(self) -> bool:
        """Whether the family has a real bold face. Without one text stays regular: a faked
        bold can fall back to a font that cannot join the script's letters (Nastaliq)."""
        return any("-Bold." in name for name in self.files)


#: Every font the kiosk ships, by family. Noto Sans comes first: it is the fallback for the
#: Latin words (ward names, digits) inside any other script.
BUNDLED: dict[str, Traits] = {
    LATIN_FAMILY: Traits(("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")),
    # Nastaliq letters look large, and its lines are about twice as tall as Latin ones.
    "Noto Nastaliq Urdu": Traits(("NotoNastaliqUrdu-Regular.ttf",), scale=0.85),
    # Naskh's letters are small on their body beside Latin at the same size.
    "Noto Naskh Arabic": Traits(
        ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"), scale=1.1
    ),
    "Noto Sans Bengali": Traits(("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf")),
    "Noto Sans Gujarati": Traits(("NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf")),
    "Noto Sans Gurmukhi": Traits(("NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf")),
    "Noto Sans Tamil": Traits(("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf")),
    # Cut down by ``python -m kiosk.font_subset``: every hanzi in Regular, GB2312 in Bold.
    "Noto Sans CJK SC": Traits(("NotoSansCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf")),
}

#: Families registered with Qt so far, in this process.
_registered: set[str] = set()


def traits(family: str) -> Traits:
    """How *family* is used; a family the kiosk does not bundle is sized like Latin and
    drawn regular (``--check`` reports it)."""
    return BUNDLED.get(family, Traits(()))


def load_fonts(families: Iterable[str] | None = None) -> list[str]:
    """Register the bundled *families* (all of them by default) with Qt, each once; returns
    every family now available. Registering is cheap, as Qt reads a font's glyphs only when
    it first draws one (``bench/startup.py`` times it), so every font is registered at start."""
    for family in BUNDLED if families is None else families:
        if family in _registered or family not in BUNDLED:
            continue
        for name in BUNDLED[family].files:
            font_id = QFontDatabase.addApplicationFont(str(fonts_dir() / name))
            if font_id >= 0:
                _registered.update(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(_registered)


def language_font(family: str) -> QFont:
    """A font that draws in *family*, falling back only to the other bundled fonts, Latin
    first: a ward name inside an Arabic sentence, or Urdu typed while English is on screen."""
    load_fonts()
    fallbacks = [other for other in BUNDLED if other != family]
    font = QFont()
    font.setFamilies([family, *fallbacks])
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
