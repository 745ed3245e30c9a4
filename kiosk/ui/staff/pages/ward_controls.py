"""The Ward controls page: pause or resume feedback, clean the screen, export a month to a
folder (``kiosk.export``), and exit the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.export import ExportError, export_month
from kiosk.store import LocalStore
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from sync.fft import PERIODS, period

EXPORT_PERIODS = ("this-month", "last-month")


class WardControlsPage(StaffPage):
    """The ward's controls.

    Attributes:
        paused: feedback is paused, so the pause button offers to resume it.
        folder: where exports go (a USB stick, say).
        export_result: what the last export did, or why it did not.

    Signals:
        pause_requested(bool), clean_requested(), exit_requested(): staff pressed that control.
    """

    title = "Ward controls"
    pause_requested = Signal(bool)
    clean_requested = Signal()
    exit_requested = Signal()

    def __init__(
        self,
        store: LocalStore,
        config: KioskConfig,
        today: Callable[[], date],
        paused: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        self.today = today
        layout = QVBoxLayout(self)
        self.pause = make_button("secondary")
        self.pause.setObjectName("pause")
        self.pause.clicked.connect(lambda: self.pause_requested.emit(not self.paused))
        self.show_paused(paused)
        self.clean = make_button("secondary")
        set_words(self.clean, "Clean screen")
        self.clean.clicked.connect(self.clean_requested)
        layout.addWidget(self.pause, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.clean, 0, Qt.AlignmentFlag.AlignLeft)

        export_title = make_label("lead")
        export_title.setText("Export to a folder (for example a USB stick)")
        self.folder = QLineEdit(str(Path.home()))
        self.folder.setObjectName("export-folder")
        self.folder.setAccessibleName("Export folder")
        row = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for key in EXPORT_PERIODS:
            button = make_button("secondary")
            set_words(button, f"Export {PERIODS[key].lower()}")
            button.clicked.connect(lambda _=False, k=key: self.export(k))
            self.export_buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.export_result = make_label("body")
        self.export_result.setObjectName("export-result")
        layout.addWidget(export_title)
        layout.addWidget(self.folder)
        layout.addLayout(row)
        layout.addWidget(self.export_result)
        layout.addStretch(1)
        self.exit = make_button("secondary")
        set_words(self.exit, "Exit kiosk")
        self.exit.clicked.connect(self.exit_requested)
        layout.addWidget(self.exit, 0, Qt.AlignmentFlag.AlignLeft)

    def show_paused(self, paused: bool) -> None:
        self.paused = paused
        set_words(self.pause, "Resume feedback" if paused else "Pause feedback")

    def export(self, period_name: str) -> list[Path]:
        """Write the month of *period_name* to the folder; returns the files written."""
        first, _ = period(period_name, self.today())
        folder = Path(self.folder.text().strip())
        try:
            files = export_month(self.store, self.config.location, first.year, first.month, folder)
        except ExportError as exc:
            self.export_result.setText(f"Not exported: {exc}.")
            return []
        self.store.audit("export", f"{first:%Y-%m} to {folder}")
        self.export_result.setText("Saved " + " and ".join(path.name for path in files))
        return files
