"""The Public board page: what patients may see (``kiosk.board``), the ward's "You said, we
did" to edit and save, and the button that leaves the board up on the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from kiosk.board import board_text
from kiosk.config import KioskConfig
from kiosk.settings import WardSettings
from kiosk.store import LocalStore
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from sync.fft import period


class PublicBoardPage(StaffPage):
    """This month's public board and the ward's actions. It always shows this month, whatever
    the period chosen, because that is what patients would see.

    Attributes:
        board: the board's text, as the kiosk would show it.
        we_did: the ward's "You said, we did", as typed.

    Signals:
        settings_changed(str): ``actions`` changed in the ward's settings; save them.
        board_requested(str): show this board text to patients.
    """

    title = "Public board"
    settings_changed = Signal(str)
    board_requested = Signal(str)

    def __init__(
        self,
        store: LocalStore,
        config: KioskConfig,
        settings: WardSettings,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        self.settings = settings
        self.today = today
        layout = QVBoxLayout(self)
        hint = make_label("hint")
        hint.setText(
            "What patients may see: this month's results as NHS England publishes them "
            "(with fewer than 5 answers, only the total), and what the ward has done. "
            "No comments are shown."
        )
        self.board = make_label("body")
        self.board.setObjectName("public-board")
        self.board.setTextFormat(Qt.TextFormat.PlainText)
        self.we_did = QPlainTextEdit(settings.actions)
        self.we_did.setObjectName("we-did")
        self.we_did.setAccessibleName("You said, we did")
        self.we_did.setPlaceholderText("You said... we did...")
        self.we_did.setFixedHeight(self.we_did.fontMetrics().lineSpacing() * 6)
        save = make_button("secondary")
        set_words(save, "Save what we did")
        save.clicked.connect(self.save_actions)
        show = make_button("primary")
        set_words(show, "Show on the kiosk")
        show.clicked.connect(lambda: self.board_requested.emit(self.board_text()))
        layout.addWidget(hint)
        layout.addWidget(self.board)
        layout.addWidget(self.we_did)
        buttons = QHBoxLayout()
        buttons.addWidget(save)
        buttons.addWidget(show)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def board_text(self) -> str:
        """The public board: this month, as NHS England would publish it, and the ward's
        actions. No comments."""
        first, last = period("this-month", self.today())
        return board_text(
            self.config.location.shown_name,
            first,
            self.store.counts(first, last),
            self.settings.actions,
        )

    def refresh(self, first: date, last: date) -> None:
        self.board.setText(self.board_text())

    def save_actions(self) -> None:
        """Keep what was typed as the ward's actions, and show the board with them."""
        self.settings.actions = self.we_did.toPlainText()
        self.settings_changed.emit("actions")
        self.board.setText(self.board_text())
