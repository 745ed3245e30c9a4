"""Buttons in rows: as many to a row as fit the width, re-flowed when the screen turns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QGridLayout, QPushButton


class ButtonRows(QGridLayout):
    """A grid of *buttons* in their order, ``columns`` to a row."""

    def __init__(self, buttons: Sequence[QPushButton], spacing: int = 12) -> None:
        super().__init__()
        self.buttons = list(buttons)
        self.setSpacing(spacing)
        self.columns = 0

    def set_columns(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for button in self.buttons:
            self.removeWidget(button)
        for index, button in enumerate(self.buttons):
            self.addWidget(button, index // columns, index % columns)

    def fit(self, width: int, most: int) -> None:
        """As many to a row as fit in *width* pixels, at most *most*."""
        widest = max(button.sizeHint().width() for button in self.buttons)
        spacing = self.horizontalSpacing()
        self.set_columns(max(1, min(most, (width + spacing) // (widest + spacing))))
