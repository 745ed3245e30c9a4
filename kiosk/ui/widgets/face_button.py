"""A big answer button: a face drawn from SVG, the answer's words, and its colour as an edge.

Meaning never rests on colour alone: each face has its own shape and its words beneath or
beside it, as ``kiosk.ui.widgets.face_grid`` places them. Its focus ring is the window's.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
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
    """One FFT answer: the face at its given size, and its words below it (``above``) or
    beside it (``beside``) in the room its grid gives them.

    Attributes:
        code: the FFT code (1-6) this button records.
        colours: palette for the card, its edge, the words and the face's outline; set
            through ``set_colours`` by the window's theme.
        arrangement: ``above`` (face above words) or ``beside`` (face at the leading edge).
        side: the face's width and height, in pixels.
        words_room: the height kept for the words below the face, or the width beside it.
        heard: read aloud and waiting for a second press (drawn pressed in, edge doubled).

    Signals:
        focused(): it gained focus from the keyboard or a switch (not from code or a tap).
    """

    focused = Signal()

    MIN_TARGET_MM = 15.0
    #: The card's outer line (3:1 against the page), then the answer's colour inside it.
    EDGE = 3.0
    BAND = 6.0
    #: From the widget's edge to the face and words: a pixel of air, the edge, the band, room.
    INSET = 1 + EDGE / 2 + 14
    #: Between the face and its words.
    GAP = 8.0

    def __init__(self, code: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName(f"face-{code}")
        self.setProperty("kind", "face")
        self.colours = {
            "card": "#FFFFFF",
            "text": "#212B32",
            "edge": "#4C6272",
            "pressed": "#D8DDE0",
        }
        self._renderer = QSvgRenderer(_face_svg(code, self.colours["text"]), self)
        # The face drawn once per size and colour: rendering the SVG on every paint (a press
        # repaints a face several times) was a third of a tap's time to the next screen.
        self._drawn: tuple[tuple[int, float, str], QPixmap] | None = None
        # Keyboard and switch focus only: a tap records the answer without leaving a ring.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.arrangement = "above"
        self.side = 0.0
        self.words_room = 0.0
        self.heard = False
        self.words_scale = 1.0

    def place(self, arrangement: str, side: float, words_room: float) -> None:
        """Draw the face *side* pixels across, its words *arrangement* with *words_room*."""
        if (arrangement, side, words_room) != (self.arrangement, self.side, self.words_room):
            self.arrangement, self.side, self.words_room = arrangement, side, words_room
            self.update()

    def set_heard(self, heard: bool) -> None:
        if heard != self.heard:
            self.heard = heard
            self.update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.focused.emit()

    def set_words_scale(self, scale: float) -> None:
        """Draw the words at *scale* times the theme's size (the grid steps it down only when
        no arrangement has room for the words at full size)."""
        if scale != self.words_scale:
            self.words_scale = scale
            self.update()

    def words_font(self) -> QFont:
        """The font the words are measured and drawn in: the theme's, at ``words_scale``."""
        font = QFont(self.font())
        if self.words_scale != 1.0:
            if font.pixelSize() > 0:
                font.setPixelSize(max(1, round(font.pixelSize() * self.words_scale)))
            else:
                font.setPointSizeF(font.pointSizeF() * self.words_scale)
        return font

    def words_size(self, width: float) -> tuple[int, int]:
        """The words' height wrapped in *width* pixels, and their longest word's width (no
        word is ever broken)."""
        metrics = QFontMetrics(self.words_font())
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter)
        height = metrics.boundingRect(0, 0, max(1, int(width)), 100_000, flags, self.text())
        longest = max((metrics.horizontalAdvance(word) for word in self.text().split()), default=0)
        return height.height(), longest

    def set_colours(self, colours: dict[str, str]) -> None:
        """Draw in *colours*; the face's outline takes the text colour, so it shows on black."""
        if colours["text"] != self.colours["text"]:
            self._renderer.load(_face_svg(self.code, colours["text"]))
        self.colours = colours
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not activated(self, event):
            super().keyPressEvent(event)

    def minimumSizeHint(self) -> QSize:
        side = millimetres_to_pixels(self, self.MIN_TARGET_MM)
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        height = QFontMetrics(self.font()).height()
        return QSize(height * 7, height * 7)

    def pictogram(self) -> QRectF:
        """Where the face is drawn, in the button's own coordinates."""
        return self._layout()[0]

    def words_box(self) -> QRectF:
        """Where its words are drawn (wrapped to its width), in its own coordinates."""
        return self._layout()[1]

    def _layout(self) -> tuple[QRectF, QRectF, Qt.AlignmentFlag]:
        """The face's square, the words' box and their alignment."""
        inner = QRectF(self.rect()).adjusted(self.INSET, self.INSET, -self.INSET, -self.INSET)
        side = max(0.0, min(self.side, inner.width(), inner.height()))
        if self.arrangement == "beside":
            # The face at the leading edge, its words beside it; the pair centred in the card.
            room = min(self.words_room, inner.width() - side - 2 * self.GAP)
            width = side + 2 * self.GAP + room
            left = inner.left() + (inner.width() - width) / 2
            face = QRectF(left, inner.center().y() - side / 2, side, side)
            words = QRectF(face.right() + 2 * self.GAP, inner.top(), room, inner.height())
            if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
                face.moveRight(inner.right() - (face.left() - inner.left()))
                words.moveRight(face.left() - 2 * self.GAP)
            # The painter's direction is the widget's, so AlignLeft means the leading edge.
            return face, words, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        # The face above its words, the pair centred in the card. Every face in the grid keeps
        # the same room for words, so all six line up.
        room = min(self.words_room, inner.height() - side - self.GAP)
        top = inner.top() + (inner.height() - side - self.GAP - room) / 2
        face = QRectF(inner.center().x() - side / 2, top, side, side)
        words = QRectF(inner.left(), face.bottom() + self.GAP, inner.width(), room)
        return face, words, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter

    def _face_pixmap(self, face: QRectF) -> QPixmap:
        """The face's SVG rendered at *face*'s size in device pixels, kept until the size or
        the outline colour changes."""
        ratio = self.devicePixelRatioF()
        side = max(1, round(face.width() * ratio))
        key = (side, ratio, self.colours["text"])
        if self._drawn is None or self._drawn[0] != key:
            pixmap = QPixmap(side, side)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._renderer.render(painter, QRectF(0, 0, side, side))
            painter.end()
            pixmap.setDevicePixelRatio(ratio)
            self._drawn = (key, pixmap)
        return self._drawn[1]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(self.colours["card"])
        if self.isDown() or self.heard:
            background = QColor(self.colours["pressed"])
        # Three of the answers' colours are under 3:1 on the page, so the card's outline is the
        # theme's edge colour and the answer's colour runs just inside it. A face heard aloud
        # (read-aloud's first press) has its outline in the text colour, twice as thick.
        edge_width = self.EDGE * (2 if self.heard else 1)
        edge_colour = self.colours["text" if self.heard else "edge"]
        outline = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        edge = edge_width / 2
        painter.setPen(QPen(QColor(edge_colour), edge_width))
        painter.setBrush(background)
        card = outline.adjusted(edge, edge, -edge, -edge)
        painter.drawRoundedRect(card, 16, 16)
        band = self.BAND / 2
        painter.setPen(QPen(QColor(FACE_COLOURS[self.code]), self.BAND))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = edge + band
        painter.drawRoundedRect(card.adjusted(inset, inset, -inset, -inset), 16 - inset, 16 - inset)

        face, words, align = self._layout()
        painter.setLayoutDirection(self.layoutDirection())
        painter.drawPixmap(face, self._face_pixmap(face), QRectF())
        painter.setPen(QColor(self.colours["text"]))
        painter.setFont(self.words_font())
        painter.drawText(words, int(align | Qt.TextFlag.TextWordWrap), self.text())
        painter.end()
