"""Buttons and labels whose accessible name always equals their visible words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QSizePolicy, QWidget


def set_words(widget: QAbstractButton | QLabel, words: str) -> None:
    """Show *words* and give screen readers (and tests) the same name."""
    widget.setText(words)
    widget.setAccessibleName(words)


def make_button(kind: str, checkable: bool = False, parent: QWidget | None = None) -> QPushButton:
    """A touch-sized button styled by *kind*: ``primary``, ``secondary``, ``chip`` or ``bar``."""
    button = QPushButton(parent)
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
