"""The six faces, placed so that the pictograms are as large as the screen and their words
allow: in a row (or a column, on a tall screen) at normal size, and with larger text in
whichever grid keeps them largest, so that larger words never make smaller faces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.widgets.face_button import FaceButton

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


@dataclass(frozen=True)
class Arrangement:
    """Faces in ``columns`` columns, each with its words ``above`` or ``beside``; the faces'
    ``side`` and the room left for words (height above, width beside)."""

    columns: int
    words: str
    side: float = 0.0
    room: float = 0.0


#: What may be tried, by orientation; the first is the one normal text uses (a row of six
#: across a wide screen, a column down a tall one), the others only larger text.
CHOICES = {
    False: [
        Arrangement(6, "above"),
        Arrangement(3, "beside"),
        Arrangement(3, "above"),
        Arrangement(2, "beside"),
    ],
    True: [
        Arrangement(1, "beside"),
        Arrangement(3, "above"),
        Arrangement(2, "above"),
        Arrangement(2, "beside"),
    ],
}

#: In a row across a wide screen at normal size, the cards are at most this much taller than
#: a sixth of the screen is wide, so a tall landscape screen does not stretch them into empty
#: columns (``QuestionScreen.set_mode`` keeps to it).
TALLEST = 1.4

#: The words' sizes tried, largest first, when no arrangement has room for them at the
#: theme's size (a script whose answers are long words, such as Tamil, under large text):
#: smaller words beat faces too small to tap or no faces at all.
WORD_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)


class FaceGrid(QWidget):
    """Lays out *faces* (in reading order) in the best ``Arrangement`` for its size.

    Attributes:
        portrait: the screen is taller than wide.
        roomy: larger text is on: any arrangement may be chosen, and the grid takes all the
            height it is given rather than keeping cards in proportion.
        chosen: the arrangement now on screen.
    """

    def __init__(self, faces: Sequence[FaceButton], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faces")
        self.faces = list(faces)
        for face in self.faces:
            face.setParent(self)
        self.spacing = 16
        self.portrait = False
        self.roomy = False
        self.chosen = CHOICES[False][0]
        #: The faces' side at normal text size, by (portrait, width).
        self.usual_side: dict[tuple[bool, int], float] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_mode(self, portrait: bool, roomy: bool) -> None:
        self.portrait, self.roomy = portrait, roomy
        self.arrange()

    def sizeHint(self) -> QSize:
        side = self.faces[0].minimumSizeHint().height()
        return QSize(side * 3, side * 2)

    def minimumSizeHint(self) -> QSize:
        side = self.faces[0].minimumSizeHint().height()
        return QSize(side, side)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Choose the arrangement with the largest faces (the first, at normal text size) and
        place the faces in it, centred, mirrored for right-to-left."""
        width, height = self.width(), self.height()
        choices = CHOICES[self.portrait] if self.roomy else CHOICES[self.portrait][:1]
        # Larger words must not make smaller faces: with larger text on, the faces stay at
        # least as large as they last were at normal size on this screen.
        least = float(self.faces[0].minimumSizeHint().height())
        if self.roomy:
            least = max(least, self.usual_side.get((self.portrait, width), 0.0))
        tried = []
        for scale in WORD_SCALES:
            self._scale_words(scale)
            scored = [self._fit(choice, width, height) for choice in choices]
            best = max(scored, key=lambda found: found.side)  # the first of equals
            if best.side >= least:
                break  # the largest words that leave the faces their size
            tried.append((best.side, scale, best))
        else:
            # No size of words leaves them that: the largest faces any size gives.
            _, scale, best = max(tried, key=lambda found: found[0])
            self._scale_words(scale)
        self.chosen = best
        if not self.roomy:
            self.usual_side[self.portrait, width] = best.side
        self._place(best, width, height)

    def _scale_words(self, scale: float) -> None:
        for face in self.faces:
            face.set_words_scale(scale)

    def _cards(self, columns: int, width: int, height: int) -> tuple[float, float]:
        rows = math.ceil(len(self.faces) / columns)
        card_w = (width - (columns - 1) * self.spacing) / columns
        card_h = (height - (rows - 1) * self.spacing) / rows
        return card_w, card_h

    def _fit(self, choice: Arrangement, width: int, height: int) -> Arrangement:
        """*choice* with the largest face side at which every face's words still fit."""
        card_w, card_h = self._cards(choice.columns, width, height)
        inset = 2 * FaceButton.INSET
        inner_w, inner_h = card_w - inset, card_h - inset
        if inner_w <= 0 or inner_h <= 0:
            return Arrangement(choice.columns, choice.words)
        if choice.words == "above":
            sizes = [face.words_size(inner_w) for face in self.faces]
            if max(longest for _, longest in sizes) > inner_w:
                return Arrangement(choice.columns, choice.words)  # a word would be cut
            room = float(max(words for words, _ in sizes))
            side = min(inner_w, inner_h - FaceButton.GAP - room)
            return Arrangement(choice.columns, choice.words, max(0.0, side), room)
        # Beside: the largest face that leaves its words room to wrap within the card's height.
        gap = 2 * FaceButton.GAP
        low, high = 0.0, min(inner_h, inner_w - gap)
        if not self._beside_fits(inner_w - gap - low, inner_h):
            return Arrangement(choice.columns, choice.words)
        for _ in range(12):
            middle = (low + high) / 2
            if self._beside_fits(inner_w - gap - middle, inner_h):
                low = middle
            else:
                high = middle
        return Arrangement(choice.columns, choice.words, math.floor(low), inner_w - gap - low)

    def _beside_fits(self, room: float, height: float) -> bool:
        if room <= 0:
            return False
        for face in self.faces:
            words, longest = face.words_size(room)
            if longest > room or words > height:
                return False
        return True

    def _place(self, chosen: Arrangement, width: int, height: int) -> None:
        columns = chosen.columns
        rows = math.ceil(len(self.faces) / columns)
        card_w, card_h = self._cards(columns, width, height)
        used_h = rows * card_h + (rows - 1) * self.spacing
        top = (height - used_h) / 2
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for index, face in enumerate(self.faces):
            row, column = divmod(index, columns)
            x = column * (card_w + self.spacing)
            if rtl:
                x = width - x - card_w
            y = top + row * (card_h + self.spacing)
            face.setGeometry(QRect(round(x), round(y), round(card_w), round(card_h)))
            face.place(chosen.words, chosen.side, chosen.room)
