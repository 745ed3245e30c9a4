"""Noticing that someone is at the kiosk: any touch, click or key anywhere in the application.

The idle reset and staff mode's auto-lock both count from the last such moment.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication

_USER_INPUT = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
    QEvent.Type.InputMethod,
}


class ActivityWatch(QObject):
    """An application-wide event filter that reports user input and lets every event through.

    Signals:
        touched(): a press, touch, key or on-screen keyboard input, anywhere.
    """

    touched = Signal()

    def watch(self) -> None:
        """Start watching (the application must exist by now)."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USER_INPUT:
            self.touched.emit()
        return False
