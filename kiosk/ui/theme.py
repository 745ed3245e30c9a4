"""The look: NHS colours, a type scale that follows the screen, large text and high contrast.

The stylesheet template lives in ``resources/style.qss``; this module fills in its ``$names``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from string import Template

from kiosk.resources import resources_dir

NORMAL = {
    "surface": "#F0F4F5",
    "card": "#FFFFFF",
    "text": "#212B32",
    "secondary": "#4C6272",
    "heading": "#003087",
    "header": "#005EB8",
    "header_text": "#FFFFFF",
    "primary": "#007F3B",
    "primary_text": "#FFFFFF",
    "primary_shadow": "#00401E",
    "link": "#005EB8",
    "edge": "#AEB7BD",
    "focus": "#FFEB3B",
    "focus_edge": "#212B32",
    "pressed": "#D8DDE0",
    "alert_bg": "#FFF9C4",
    "alert_edge": "#FFB81C",
}

# Yellow on black: the scheme most asked for by people with low vision.
HIGH_CONTRAST = {
    **NORMAL,
    "surface": "#000000",
    "card": "#000000",
    "text": "#FFFFFF",
    "secondary": "#FFFFFF",
    "heading": "#FFEB3B",
    "header": "#000000",
    "header_text": "#FFEB3B",
    "primary": "#FFEB3B",
    "primary_text": "#000000",
    "primary_shadow": "#FFFFFF",
    "link": "#FFEB3B",
    "edge": "#FFFFFF",
    "focus": "#FFEB3B",
    "focus_edge": "#FFFFFF",
    "pressed": "#333333",
    "alert_bg": "#000000",
    "alert_edge": "#FFEB3B",
}

# Families of the bundled fonts (registered by kiosk/ui/fonts.py), in the stylesheet's order.
LATIN_FAMILY = "Noto Sans"
URDU_FAMILY = "Noto Nastaliq Urdu"


@dataclass(frozen=True)
class Look:
    """What the stylesheet depends on.

    Attributes:
        base_px: body text size, derived from the window's short side.
        large_text: the patient asked for larger text.
        high_contrast: the patient asked for high contrast.
        rtl_script: the language is Urdu-like; its font leads the family list.
    """

    base_px: int = 24
    large_text: bool = False
    high_contrast: bool = False
    rtl_script: bool = False

    @property
    def colours(self) -> dict[str, str]:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def scaled(self, factor: float) -> int:
        # Nastaliq letters look large and its lines are about twice as tall as Latin ones.
        script = 0.85 if self.rtl_script else 1.0
        size = self.base_px * (1.3 if self.large_text else 1.0) * script * factor
        return max(12, round(size))

    def for_window(self, width: int, height: int) -> Look:
        """The look for a window of this size: body text is a thirtieth of the short side."""
        return replace(self, base_px=max(18, min(40, round(min(width, height) / 30))))

    def stylesheet(self) -> str:
        families = [URDU_FAMILY, LATIN_FAMILY] if self.rtl_script else [LATIN_FAMILY, URDU_FAMILY]
        values = {
            **self.colours,
            "families": ", ".join(f'"{f}"' for f in families),
            # Nastaliq has no bold weight that Qt can use; a faked one falls back to a font
            # that cannot join Urdu letters, so Urdu text stays regular.
            "bold": "normal" if self.rtl_script else "bold",
            "base": self.scaled(1.0),
            "small": self.scaled(0.8),
            # The bar keeps its size with large text on, so its controls always fit.
            "bar": max(12, round(self.base_px * 0.8)),
            "tiny": self.scaled(0.6),
            "h1": self.scaled(1.6),
            "h2": self.scaled(1.15),
            "face": self.scaled(1.0),
            "touch": self.scaled(2.4),
            "wide": self.scaled(7.0),
            "pad": self.scaled(0.35),
            "padx": self.scaled(0.8),
            "chip_radius": self.scaled(1.2),
        }
        template = (resources_dir() / "style.qss").read_text(encoding="utf-8")
        return Template(template).substitute(values)
