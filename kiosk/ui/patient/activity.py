"""Noticing that someone is at the kiosk: any touch, click or key anywhere in the application.

The idle reset and staff mode's auto-lock both count from the last such moment. While the
window asks "Do you need more time?", that touch or key only answers it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication

_USER_INPUT = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
    QEvent.Type.InputMethod,
}


class ActivityWatch(QObject):
    """An application-wide event filter that reports user input and lets it through, unless
    *answers_prompt* says the input (for the object it is sent to) answers a prompt: then
    nothing beneath the prompt is pressed.

    Signals:
        touched(): a press, touch, key or on-screen keyboard input, anywhere.
    """

    touched = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        answers_prompt: Callable[[QObject], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._answers_prompt = answers_prompt or (lambda target: False)

    def watch(self) -> None:
        """Start watching (the application must exist by now)."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _USER_INPUT:
            return False
        prompt = self._answers_prompt(watched)
        self.touched.emit()
        return prompt
