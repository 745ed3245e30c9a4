"""The bundled fonts: registering them with Qt, and proof that they draw every character a
patient may see in each offered language. ``kiosk/ui/theme.py`` names the families to use.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QRawFont

from kiosk.resources import fonts_dir
from kiosk.survey import Survey


def load_fonts() -> list[str]:
    """Register the bundled fonts with Qt; returns the families now available."""
    families: set[str] = set()
    for path in sorted(fonts_dir().glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.update(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(families)


def missing_glyphs(survey: Survey) -> dict[str, str]:
    """Characters of each offered language that no bundled font has; empty when all draw.

    Needs a QGuiApplication.
    """
    fonts = [QRawFont(str(path), 16) for path in sorted(fonts_dir().glob("*.ttf"))]
    fonts = [font for font in fonts if font.isValid()]
    gaps: dict[str, str] = {}
    for language in survey.languages:
        chars = {ch for text in survey.all_text(language.code) for ch in text if not ch.isspace()}
        missing = sorted(ch for ch in chars if not any(f.supportsCharacter(ord(ch)) for f in fonts))
        if missing:
            gaps[language.code] = "".join(missing)
    return gaps
