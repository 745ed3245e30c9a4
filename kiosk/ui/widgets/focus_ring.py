"""The focus ring, drawn just outside whichever control has keyboard or switch focus, the same
on every control in every look: a dark band with a yellow one outside it (the NHS pattern), so
that against any page or control colour one of the two is at least 3:1."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

_MOVED = {
    QEvent.Type.Move,
    QEvent.Type.Resize,
    QEvent.Type.Show,
    QEvent.Type.Hide,
    QEvent.Type.ParentChange,
}


class FocusRing(QWidget):
    """A see-through layer over the whole window that rings the focused control.

    Only controls a keyboard can reach (a Tab focus policy) are ringed: a heading that is given
    focus for a screen reader when a screen changes is not.

    Attributes:
        target: the control ringed now, or None.
        band: the width of each of the two bands, in pixels.
        colours: the inner band's colour (against the control), then the outer one's.
    """

    def __init__(self, window: QWidget, radius_of: Callable[[QWidget], float]) -> None:
        """:param radius_of: how round a control's corners are, so the ring follows them."""
        super().__init__(window)
        self.setObjectName("focus-ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.band = 4
        self.colours = ("#212B32", "#FFEB3B")
        self.target: QWidget | None = None
        self._radius_of = radius_of
        self._watched: list[QWidget] = []
        self._drawn = QRect()
        self.setGeometry(window.rect())
        window.installEventFilter(self)

    def follow(self, old: QWidget | None, new: QWidget | None) -> None:
        """Ring *new* if it is a control in this window (``QApplication.focusChanged``)."""
        self._unwatch()
        window = self.parentWidget()
        ringed = (
            new is not None
            and new.window() is window
            and bool(new.focusPolicy() & Qt.FocusPolicy.TabFocus)
        )
        self.target = new if ringed else None
        widget = self.target
        # The ring follows the control when it, or anything holding it, moves: a reflow,
        # a scroll, another screen, an on-screen keyboard lifting the window's content.
        while widget is not None and widget is not window:
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        self.refresh()

    def set_style(self, band: int, inner: str, outer: str) -> None:
        """Bands *band* pixels wide: *inner* against the control, *outer* outside it."""
        self.band = band
        self.colours = (inner, outer)
        self.refresh()
        self.update(self._drawn)

    def refresh(self) -> None:
        """Repaint where the ring was and where it is now."""
        ring = self._ring_rect()
        if ring != self._drawn:
            self.update(self._drawn)
            self.update(ring)
            self._drawn = ring

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        window = self.parentWidget()
        if watched is window and window is not None and kind == QEvent.Type.Resize:
            self.setGeometry(window.rect())
        elif kind in _MOVED:
            self.refresh()
        return False

    def _unwatch(self) -> None:
        for widget in self._watched:
            # One deleted since (a staff page rebuilt) has nothing left to unwatch.
            with contextlib.suppress(RuntimeError):
                widget.removeEventFilter(self)
        self._watched = []

    def _box(self, widget: QWidget) -> QRect:
        # The ring covers its window exactly, so the window's coordinates are its own.
        window = self.parentWidget()
        corner = widget.mapTo(window, QPoint(0, 0)) if window is not None else QPoint(0, 0)
        return QRect(corner, widget.size())

    def _clip(self, target: QWidget) -> QRect:
        # Only what a scroll area shows: a chip half scrolled out of view is ringed where it
        # can be seen, never over the buttons below. Elsewhere the ring may reach past its
        # control's container (a top bar button's ring onto the page below the bar).
        clip = self.rect()
        widget = target.parentWidget()
        while widget is not None and widget is not self.parentWidget():
            holder = widget.parentWidget()
            if isinstance(holder, QAbstractScrollArea) and widget is holder.viewport():
                clip &= self._box(widget)
            widget = holder
        return clip

    def _ring_rect(self) -> QRect:
        target = self.target
        if target is None or not target.isVisible():
            return QRect()
        reach = 2 * self.band + 1  # a pixel more for the antialiased edge
        return self._box(target).adjusted(-reach, -reach, reach, reach) & self._clip(target)

    def paintEvent(self, event: QPaintEvent) -> None:
        target = self.target
        if target is None or self._drawn.isEmpty():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(self._clip(target))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        box = QRectF(self._box(target))
        radius = self._radius_of(target)
        for index, colour in enumerate(self.colours):
            half = self.band * index + self.band / 2  # the middle of this band's stroke
            painter.setPen(QPen(QColor(colour), self.band))
            ring = box.adjusted(-half, -half, half, half)
            painter.drawRoundedRect(ring, radius + half, radius + half)
        painter.end()
