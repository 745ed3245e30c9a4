"""Chips in rows, each as wide as its words: as many to a row as fit the width, in order, from
the leading edge (mirrored for right-to-left), re-flowed when the screen or the text changes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout


class ChipRows(QVBoxLayout):
    """*buttons* in rows of ``QHBoxLayout``; ``rows`` says how many went on each."""

    def __init__(self, buttons: Sequence[QPushButton], spacing: int = 12) -> None:
        super().__init__()
        self.buttons = list(buttons)
        self.setSpacing(spacing)
        self.rows: list[int] = []
        self.fit(0)

    def fit(self, width: int) -> None:
        """Flow the buttons into rows no wider than *width* pixels (one each, if 0)."""
        spacing = self.spacing()
        rows: list[int] = []
        used = 0
        for button in self.buttons:
            wide = button.sizeHint().width()
            if rows and used + spacing + wide <= width:
                rows[-1] += 1
                used += spacing + wide
            else:
                rows.append(1)
                used = wide
        if rows == self.rows:
            return
        self.rows = rows
        while (item := self.takeAt(0)) is not None:
            row = item.layout()
            if row is not None:
                while row.takeAt(0) is not None:
                    pass
                row.deleteLater()
        start = 0
        for count in rows:
            row = QHBoxLayout()
            row.setSpacing(spacing)
            for button in self.buttons[start : start + count]:
                row.addWidget(button)
            row.addStretch(1)
            self.addLayout(row)
            start += count
