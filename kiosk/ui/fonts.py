"""Font coverage: proof that the bundled fonts draw every character a patient may see."""

from __future__ import annotations

from PySide6.QtGui import QRawFont

from kiosk.resources import fonts_dir
from kiosk.survey import Survey


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
