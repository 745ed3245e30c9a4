"""The staff PIN pad: big digit keys, dots for what was typed, and a plain message."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ui.widgets.labels import make_button, make_label, set_words

MAX_DIGITS = 8


class PinPad(QWidget):
    """Collects a PIN, from its keys or a keyboard (digits, Backspace, Return, Escape).

    Signals:
        entered(str): "Enter" with the digits typed.
        cancelled(): "Cancel".
    """

    entered = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pin-pad")
        self.setProperty("screen", True)
        # The theme gives a switched-off key no look of its own, and a key that looks live but
        # does nothing reads as a broken pad: grey them (NHS greys; the words 5.4:1 on the key).
        self.setStyleSheet(
            "QPushButton:disabled { background: #E8EDEE; color: #4C6272;"
            " border: 3px solid #AEB7BD; }"
        )
        self.digits = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        self.title = make_label("heading")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.dots = make_label("question")
        self.dots.setObjectName("pin-dots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.message = make_label("body")
        self.message.setObjectName("pin-message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.title)
        outer.addWidget(self.dots)
        outer.addWidget(self.message)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.keys = {}
        for index, digit in enumerate("123456789"):
            key = make_button("secondary")
            set_words(key, digit)
            key.clicked.connect(lambda _=False, d=digit: self.press(d))
            grid.addWidget(key, index // 3, index % 3)
            self.keys[digit] = key
        self.delete = make_button("secondary")
        set_words(self.delete, "Delete")
        self.delete.clicked.connect(self.backspace)
        zero = make_button("secondary")
        set_words(zero, "0")
        zero.clicked.connect(lambda: self.press("0"))
        self.keys["0"] = zero
        self.enter = make_button("primary")
        set_words(self.enter, "Enter")
        self.enter.clicked.connect(lambda: self.entered.emit(self.digits))
        grid.addWidget(self.delete, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(self.enter, 3, 2)
        for key in (*self.keys.values(), self.delete, self.enter):
            key.setMinimumSize(120, 80)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addLayout(grid)
        centre.addStretch(1)
        outer.addLayout(centre, 1)
        self.cancel = make_button("secondary")
        set_words(self.cancel, "Cancel")
        self.cancel.clicked.connect(self.cancelled)
        outer.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignHCenter)
        self.ask("Staff PIN", "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys that a focused pad key does not take itself: staff who opened the pad with the
        # keyboard chord type the PIN on the same keyboard.
        key, text = event.key(), event.text()
        if text.isdigit() and text.isascii():
            self.press(text)
        elif key == Qt.Key.Key_Backspace:
            self.backspace()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.enter.isEnabled():
            self.entered.emit(self.digits)
        elif key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)

    def ask(self, title: str, message: str) -> None:
        """Clear the digits and show *title* and *message*."""
        self.digits = ""
        self.title.setText(title)
        self.message.setText(message)
        self._show_dots()

    def press(self, digit: str) -> None:
        if not self.enter.isEnabled():
            return  # locked: a key press from code (or a stray event) types nothing
        if len(self.digits) < MAX_DIGITS:
            self.digits += digit
            self._show_dots()

    def backspace(self) -> None:
        self.digits = self.digits[:-1]
        self._show_dots()

    def set_locked(self, locked: bool) -> None:
        """Turn every key but Cancel off (*locked*) or on."""
        for key in (*self.keys.values(), self.delete, self.enter):
            key.setEnabled(not locked)

    def refuse(self, title: str, message: str) -> None:
        """Show why no PIN can be typed here at all, with only Cancel left to press."""
        self.ask(title, message)
        self.set_locked(True)

    def _show_dots(self) -> None:
        self.dots.setText("●" * len(self.digits) or " ")
