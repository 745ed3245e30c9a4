"""The look: NHS colours, a type scale that follows the screen, large text and high contrast.

The stylesheet template lives in ``resources/style.qss``; this module fills in its ``$names``.
The font family is not in it: the application's font carries it (``kiosk.ui.fonts``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from string import Template

from kiosk.resources import resources_dir
from kiosk.ui.fonts import LATIN_FAMILY, traits

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
    # NHS form border grey: 5.6:1 on the page, so a chip's or a face's edge is seen (WCAG 1.4.11).
    "edge": "#4C6272",
    # The focus ring, the same in both looks: yellow outside a dark band, as the NHS design
    # system does it. Yellow and #212B32 are 11.8:1 apart, so against any colour, page or
    # control, one of the two bands is at least 3:1.
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
    "pressed": "#333333",
    "alert_bg": "#000000",
    "alert_edge": "#FFEB3B",
}


#: The least height or width of anything a patient presses, in pixels (15 mm on a kiosk's
#: screen, with a little to spare).
TARGET_PX = 70


@dataclass(frozen=True)
class Look:
    """What the stylesheet depends on.

    Attributes:
        base_px: body text size, derived from the window's short side.
        large_text: the patient asked for larger text.
        high_contrast: the patient asked for high contrast.
        family: the bundled font the language on screen is drawn in; its size and weights
            follow that font (``kiosk.ui.fonts.traits``).
    """

    base_px: int = 24
    large_text: bool = False
    high_contrast: bool = False
    family: str = LATIN_FAMILY

    @property
    def colours(self) -> dict[str, str]:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def scaled(self, factor: float) -> int:
        script = traits(self.family).scale
        size = self.base_px * (1.3 if self.large_text else 1.0) * script * factor
        return max(12, round(size))

    def for_window(self, width: int, height: int) -> Look:
        """The look for a window of this size: body text is a thirtieth of the short side."""
        return replace(self, base_px=max(18, min(40, round(min(width, height) / 30))))

    @property
    def ring_band(self) -> int:
        """Width of each of the focus ring's two bands: 6 px on a tablet, 5 on a small screen,
        so that the ring fits the gaps between controls."""
        return 6 if self.base_px >= 26 else 5

    def corner_radius(self, kind: str) -> int:
        """How round a control's corners are, by its ``kind`` (the focus ring follows them)."""
        if kind == "chip":
            return self.scaled(1.2)
        if kind == "face":
            return 16
        return 6 if kind in ("primary", "secondary", "bar") else 0

    def target(self, content: int, padding: int, border: int) -> int:
        """A control's least content height for an outer height of at least ``TARGET_PX``."""
        return max(content, TARGET_PX - 2 * padding - 2 * border)

    def stylesheet(self) -> str:
        pad, bar_pad, cue_pad = self.scaled(0.35), round(self.base_px * 0.3), self.scaled(0.2)
        values = {
            **self.colours,
            "bold": "bold" if traits(self.family).bold else "normal",
            "base": self.scaled(1.0),
            "small": self.scaled(0.8),
            # The bar keeps its size with large text on, so its controls always fit and the
            # screen below keeps its room for the larger words.
            "bar": max(12, round(self.base_px * 0.8)),
            "bar_touch": self.target(round(self.base_px * 1.9), bar_pad, 2),
            "bar_pad": bar_pad,
            # Chips are many and the follow-up screen short: as tall as their words need, and
            # never under the target size.
            "chip_touch": self.target(self.scaled(1.9), pad, 3),
            # "More below" is a helper, not an answer: the least touch size, in smaller words.
            "cue_touch": self.target(self.scaled(0.8 * 1.4), cue_pad, 3),
            "cue_pad": cue_pad,
            "scrollbar": max(20, round(self.base_px * 0.8)),
            "scroll_radius": max(6, round(self.base_px * 0.3)),
            "tiny": self.scaled(0.6),
            "h1": self.scaled(1.6),
            "h2": self.scaled(1.15),
            "face": self.scaled(1.0),
            "touch": self.scaled(2.4),
            "wide": self.scaled(7.0),
            "pad": pad,
            "padx": self.scaled(0.8),
            "chip_radius": self.corner_radius("chip"),
        }
        template = (resources_dir() / "style.qss").read_text(encoding="utf-8")
        return Template(template).substitute(values)
