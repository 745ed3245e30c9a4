"""Room for an on-screen keyboard: what is being typed, and Send, stay above it.

The keyboard (Qt Virtual Keyboard, or the system's own) covers the lower screen; the window's
content is lifted clear of it and the top bar gives way while someone types.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from kiosk.ui.patient.followup import FollowUpScreen


class KeyboardRoom(QObject):
    """Follows the input method's keyboard and refits *window* around it."""

    def __init__(self, window: QWidget, topbar: QWidget, followup: FollowUpScreen) -> None:
        super().__init__(window)
        self._window = window
        self._topbar = topbar
        self._followup = followup
        keyboard = QGuiApplication.inputMethod()
        keyboard.visibleChanged.connect(self.fit)
        keyboard.keyboardRectangleChanged.connect(self.fit)

    def fit(self) -> None:
        keyboard = QGuiApplication.inputMethod()
        window = self._window
        covered = 0
        if keyboard.isVisible():
            # Qt reports the keyboard in the focused window's coordinates: this window's.
            covered = max(0, window.height() - int(keyboard.keyboardRectangle().top()))
            covered = min(covered, window.height() // 2)
        layout = window.layout()
        if layout is not None and layout.contentsMargins().bottom() != covered:
            layout.setContentsMargins(0, 0, 0, covered)
        # While typing, the words being typed need the room more than the language buttons.
        self._topbar.setVisible(not covered)
        if covered:
            QTimer.singleShot(0, self._followup.show_comment)
