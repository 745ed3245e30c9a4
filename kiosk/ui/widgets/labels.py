"""Buttons and labels whose accessible name always equals their visible words, and buttons
that Return and Enter press as well as Space."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QSizePolicy, QWidget

#: Keys that press the focused button. Qt's buttons take only Space; a keyboard user and most
#: switch interfaces reach for Return or Enter.
ACTIVATION_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def activated(button: QAbstractButton, event: QKeyEvent) -> bool:
    """Click *button* if *event* is Return or Enter (not a held key repeating); whether it did."""
    if event.key() in ACTIVATION_KEYS and not event.isAutoRepeat():
        button.click()
        return True
    return False


class Button(QPushButton):
    """A push button pressed by Space, Return or Enter.

    It takes focus from the keyboard and from code, never from a touch: a tap presses it
    without leaving a focus ring behind for the next person.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not activated(self, event):
            super().keyPressEvent(event)


def set_words(widget: QAbstractButton | QLabel, words: str) -> None:
    """Show *words* and give screen readers (and tests) the same name."""
    widget.setText(words)
    widget.setAccessibleName(words)


def make_button(kind: str, checkable: bool = False, parent: QWidget | None = None) -> QPushButton:
    """A touch-sized button styled by *kind*: ``primary``, ``secondary``, ``chip`` or ``bar``."""
    button = Button(parent)
    button.setProperty("kind", kind)
    button.setCheckable(checkable)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return button


def make_label(role: str, parent: QWidget | None = None) -> QLabel:
    """A word-wrapped label styled by *role*: ``question``, ``heading``, ``lead``, ``body``..."""
    label = QLabel(parent)
    label.setProperty("role", role)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
