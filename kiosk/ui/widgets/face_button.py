"""A big answer button: a face drawn from SVG, the answer's words, and its colour as an edge.

Meaning never rests on colour alone: each face has its own shape and its words beneath or
beside it. It lays itself out face-above-words when tall, face-beside-words when wide. Its
focus ring is the window's (``focus_ring``), drawn just outside the card.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from kiosk.resources import icons_dir
from kiosk.ui.widgets.labels import activated

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


# Every face's outline in the SVG files; in high contrast it is drawn light, not dark on black.
_OUTLINE = 'stroke="#212B32" stroke-width="4"'


@cache
def _face_svg(code: int, outline: str) -> QByteArray:
    svg = (icons_dir() / FACE_FILES[code]).read_text(encoding="utf-8")
    return QByteArray(svg.replace(_OUTLINE, f'stroke="{outline}" stroke-width="4"').encode())


def millimetres_to_pixels(widget: QWidget, millimetres: float) -> int:
    """Device-independent pixels spanning *millimetres* on the widget's screen."""
    screen = widget.screen()
    dpi = screen.physicalDotsPerInch() / screen.devicePixelRatio() if screen else 96.0
    return round(millimetres / 25.4 * dpi)


class FaceButton(QAbstractButton):
    """One FFT answer.

    Attributes:
        code: the FFT code (1-6) this button records.
        colours: palette for the card, its edge, the words and the face's outline; set
            through ``set_colours`` by the window's theme.
        text_lines: lines of room kept for the words below the face.
    """

    MIN_TARGET_MM = 15.0
    #: The card's outer line (3:1 against the page), then the answer's colour inside it.
    EDGE = 3.0
    BAND = 6.0
    #: From the widget's edge to the face and words: a pixel of air, the edge, the band, room.
    INSET = 1 + EDGE / 2 + 14

    def __init__(self, code: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName(f"face-{code}")
        self.setProperty("kind", "face")
        self.colours = {"card": "#FFFFFF", "text": "#212B32", "edge": "#4C6272"}
        self._renderer = QSvgRenderer(_face_svg(code, self.colours["text"]), self)
        # Keyboard and switch focus only: a tap records the answer without leaving a ring.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.text_lines = 3

    def set_colours(self, colours: dict[str, str]) -> None:
        """Draw in *colours*; the face's outline takes the text colour, so it shows on black."""
        if colours["text"] != self.colours["text"]:
            self._renderer.load(_face_svg(self.code, colours["text"]))
        self.colours = colours
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not activated(self, event):
            super().keyPressEvent(event)

    def lines_needed(self) -> int:
        """How many lines its words take below the face at its present width."""
        width = max(1, int(self.width() - 2 * self.INSET))
        metrics = QFontMetrics(self.font())
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter)
        height = metrics.boundingRect(0, 0, width, 100_000, flags, self.text()).height()
        return max(1, -(-height // max(1, metrics.lineSpacing())))

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
        background = QColor(self.colours["card"])
        if self.isDown():
            background = background.darker(115)
        # Three of the answers' colours are under 3:1 on the page, so the card's outline is the
        # theme's edge colour and the answer's colour runs just inside it.
        outline = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        edge = self.EDGE / 2
        painter.setPen(QPen(QColor(self.colours["edge"]), self.EDGE))
        painter.setBrush(background)
        card = outline.adjusted(edge, edge, -edge, -edge)
        painter.drawRoundedRect(card, 16, 16)
        band = self.BAND / 2
        painter.setPen(QPen(QColor(FACE_COLOURS[self.code]), self.BAND))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = edge + band
        painter.drawRoundedRect(card.adjusted(inset, inset, -inset, -inset), 16 - inset, 16 - inset)

        inner = QRectF(self.rect()).adjusted(self.INSET, self.INSET, -self.INSET, -self.INSET)
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
            # Room for as many lines as the longest answer takes (the question screen says), so
            # all six faces line up; the face gives way. Nastaliq lines are twice as tall as
            # Latin ones, and its answers short: room for three would shrink the faces.
            text_height = min(metrics.lineSpacing() * self.text_lines, inner.height() * 0.7)
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
