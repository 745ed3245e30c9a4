"""The top bar's "Language" button, where a ward offers more languages than fit along the bar:
a globe, understood whatever one reads, and the word in the language on screen. It opens the
language picker (``kiosk.ui.patient.language_picker``)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.resources import icons_dir
from kiosk.ui.widgets.labels import Button

GLOBE = "globe.svg"
_GLOBE_STROKE = 'stroke="#FFFFFF"'


@cache
def globe(colour: str, side: int) -> QIcon:
    """The globe drawn in *colour*, *side* pixels square (rendered once per colour and size)."""
    svg = (icons_dir() / GLOBE).read_text(encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(svg.replace(_GLOBE_STROKE, f'stroke="{colour}"').encode()))
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return QIcon(pixmap)


class LanguageButton(Button):
    """ "Language" in the top bar: a globe, understood whatever one reads, and the word in the
    language on screen. Its accessible name is its words; the globe is a picture of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "bar")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)

    def set_globe(self, colour: str, side: int) -> None:
        self.setIcon(globe(colour, side))
        self.setIconSize(QSize(side, side))
