"""A big answer button: a face drawn from SVG, the answer's words, and its colour as an edge.

Meaning never rests on colour alone: each face has its own shape and its words beneath or
beside it. It lays itself out face-above-words when tall, face-beside-words when wide.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from kiosk.resources import icons_dir

FACE_FILES = {
    1: "face-1-very-good.svg",
    2: "face-2-good.svg",
    3: "face-3-neither.svg",
    4: "face-4-poor.svg",
    5: "face-5-very-poor.svg",
    6: "face-6-dont-know.svg",
}

#: The colour of each answer's face and edge (NHS palette: greens to red, grey for don't know).
FACE_COLOURS = {
    1: "#007F3B",
    2: "#78BE20",
    3: "#FFB81C",
    4: "#ED8B00",
    5: "#DA291C",
    6: "#768692",
}


def millimetres_to_pixels(widget: QWidget, millimetres: float) -> int:
    """Device-independent pixels spanning *millimetres* on the widget's screen."""
    screen = widget.screen()
    dpi = screen.physicalDotsPerInch() / screen.devicePixelRatio() if screen else 96.0
    return round(millimetres / 25.4 * dpi)


class FaceButton(QAbstractButton):
    """One FFT answer.

    Attributes:
        code: the FFT code (1-6) this button records.
        colours: palette used for the card, text and focus ring; set by the window's theme.
    """

    MIN_TARGET_MM = 15.0

    def __init__(self, code: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName(f"face-{code}")
        self._renderer = QSvgRenderer(str(icons_dir() / FACE_FILES[code]), self)
        self.colours = {"card": "#FFFFFF", "text": "#212B32", "focus": "#FFEB3B"}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def minimumSizeHint(self) -> QSize:
        side = millimetres_to_pixels(self, self.MIN_TARGET_MM)
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        height = QFontMetrics(self.font()).height()
        return QSize(height * 7, height * 7)

    def _wide(self) -> bool:
        return self.width() > self.height() * 1.8

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = QColor(FACE_COLOURS[self.code])
        margin = 4.0
        card = QRectF(self.rect()).adjusted(margin, margin, -margin, -margin)
        background = QColor(self.colours["card"])
        if self.isDown():
            background = background.darker(115)
        painter.setPen(QPen(edge, 6))
        painter.setBrush(background)
        painter.drawRoundedRect(card, 16, 16)
        if self.hasFocus():
            painter.setPen(QPen(QColor(self.colours["focus"]), 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-2, -2, 2, 2), 18, 18)

        inner = card.adjusted(12, 12, -12, -12)
        metrics = QFontMetrics(self.font())
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        painter.setLayoutDirection(self.layoutDirection())
        if self._wide():
            # Face at the leading edge, words beside it.
            side = min(inner.height(), inner.width() * 0.3)
            face = QRectF(0, 0, side, side)
            face.moveCenter(inner.center())
            text_rect = QRectF(inner)
            if rtl:
                face.moveRight(inner.right())
                text_rect.setRight(face.left() - 24)
            else:
                face.moveLeft(inner.left())
                text_rect.setLeft(face.right() + 24)
            # The painter's direction is the widget's, so AlignLeft means the leading edge.
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        else:
            # Face above its words, the pair centred in the card.
            # Room for three lines on every card, so all six faces line up; the face gives way.
            text_height = min(metrics.lineSpacing() * 3, inner.height() * 0.7)
            side = min(inner.width(), inner.height() - text_height - 8)
            top = inner.top() + (inner.height() - side - 8 - text_height) / 2
            face = QRectF(inner.center().x() - side / 2, top, side, side)
            text_rect = QRectF(inner.left(), face.bottom() + 8, inner.width(), text_height)
            align = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        flags = Qt.TextFlag.TextWordWrap
        self._renderer.render(painter, face)
        painter.setPen(QColor(self.colours["text"]))
        painter.drawText(text_rect, int(align | flags), self.text())
        painter.end()
