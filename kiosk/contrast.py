"""WCAG 2.2 colour contrast: relative luminance and the contrast ratio between two colours.

Text needs 4.5:1 and borders and focus indicators 3:1 (WCAG 1.4.3, 1.4.11, 2.4.7); the theme
and the tests that read grabbed pixels use this one formula.
"""

from __future__ import annotations

TEXT_MINIMUM = 4.5
NON_TEXT_MINIMUM = 3.0

RGB = tuple[int, int, int]


def rgb(colour: str | RGB) -> RGB:
    """*colour* as red, green and blue from 0 to 255; ``"#RRGGBB"`` or a triple."""
    if isinstance(colour, tuple):
        return colour
    digits = colour.removeprefix("#")
    if len(digits) != 6:
        raise ValueError(f"{colour!r} is not a #RRGGBB colour")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str | RGB) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    red, green, blue = (_linear(c) for c in rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str | RGB, second: str | RGB) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black and white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
