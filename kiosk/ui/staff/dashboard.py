"""The staff screen behind the PIN: its heading, alerts, page buttons and period buttons, over
the pages themselves (``kiosk.ui.staff.pages``, one module each). Built the first time staff
get in; every page asks the core for its figures, so nothing here counts or words them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskConfig
from kiosk.settings import WardSettings
from kiosk.store import LocalStore
from kiosk.survey import Language, Survey
from kiosk.ui.staff.pages.audit import AuditPage
from kiosk.ui.staff.pages.comments import CommentsPage
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.staff.pages.public_board import PublicBoardPage
from kiosk.ui.staff.pages.results import ResultsPage
from kiosk.ui.staff.pages.settings import SettingsPage
from kiosk.ui.staff.pages.sync import SyncPage
from kiosk.ui.staff.pages.ward_controls import WardControlsPage
from kiosk.ui.widgets.button_rows import ButtonRows
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from sync.fft import PERIODS, period
from sync.status import SyncStatus

CUSTOM = "custom"  # the period between the "From" and "To" dates


def _as_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _as_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class StaffScreen(QWidget):
    """Everything ward staff see after the PIN.

    The pages' own widgets are also reachable here under the names they had before the pages
    had modules of their own (``count_labels``, ``we_did``, ``sync_text``...).

    Attributes:
        period_name: the period shown by the pages that use one (a key of ``PERIODS``, or
            ``custom`` for the From and To dates).
        pages: the pages, by their button's words, in the buttons' order.
        page_name: the page shown.

    Signals:
        lock_requested(), exit_requested(), pause_requested(bool), clean_requested(),
        sync_requested(): staff pressed the control of that name.
        settings_changed(str): ``settings`` or ``actions`` changed in ``settings``; save them.
        board_requested(str): show this public board text to patients.
    """

    lock_requested = Signal()
    exit_requested = Signal()
    settings_changed = Signal(str)
    board_requested = Signal(str)
    pause_requested = Signal(bool)
    clean_requested = Signal()
    sync_requested = Signal()

    def __init__(
        self,
        store: LocalStore,
        config: KioskConfig,
        survey: Survey,
        today: Callable[[], date],
        settings: WardSettings,
        all_languages: Sequence[Language],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staff-screen")
        self.setProperty("screen", True)
        self.store = store
        self.config = config
        self.survey = survey
        self.today = today
        self.period_name = "this-month"
        self.settings = settings

        self.results_page = ResultsPage(store, survey)
        self.comments_page = CommentsPage(store, config, survey)
        self.board_page = PublicBoardPage(store, config, settings, today)
        self.controls_page = WardControlsPage(store, config, today, settings.paused)
        self.settings_page = SettingsPage(config, settings, all_languages)
        self.sync_page = SyncPage(store, config)
        self.audit_page = AuditPage(store, config.location.zone)
        self.pages: dict[str, StaffPage] = {
            page.title: page
            for page in (
                self.results_page,
                self.comments_page,
                self.board_page,
                self.controls_page,
                self.settings_page,
                self.sync_page,
                self.audit_page,
            )
        }
        self.page_name = self.results_page.title
        self._forward_signals()
        self._keep_old_names()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        header = QHBoxLayout()
        title = make_label("heading")
        title.setText(f"Staff: {config.location.shown_name}")
        self.lock = make_button("primary")
        set_words(self.lock, "Lock")
        self.lock.clicked.connect(self.lock_requested)
        header.addWidget(title, 1)
        header.addWidget(self.lock)
        layout.addLayout(header)
        self.alert = make_label("alert")
        self.alert.setObjectName("staff-alerts")
        self.alert.hide()
        layout.addWidget(self.alert)

        self.nav = QButtonGroup(self)
        self.nav_buttons: dict[str, QPushButton] = {}
        for name in self.pages:
            button = make_button("chip", checkable=True)
            set_words(button, name)
            self.nav.addButton(button)
            self.nav_buttons[name] = button
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
        self.nav_grid = ButtonRows(list(self.nav_buttons.values()), spacing=8)
        self.nav_grid.set_columns(len(self.pages))
        layout.addLayout(self.nav_grid)
        self._add_period_controls(layout)

        self.stack = QStackedWidget()
        self.frames: dict[str, QScrollArea] = {}
        for name, page in self.pages.items():
            # Every page scrolls (by finger too) rather than squeeze its text on a small screen.
            frame = QScrollArea()
            frame.setWidgetResizable(True)
            frame.setFrameShape(QFrame.Shape.NoFrame)
            frame.setWidget(page)
            page.setProperty("screen", True)
            QScroller.grabGesture(frame.viewport(), QScroller.ScrollerGestureType.TouchGesture)
            self.frames[name] = frame
            self.stack.addWidget(frame)
        layout.addWidget(self.stack, 1)
        self.period_buttons[self.period_name].setChecked(True)
        self.show_page(self.results_page.title)

    def _add_period_controls(self, layout: QVBoxLayout) -> None:
        """The period buttons, then a custom range: "From" and "To" ward dates, applied as
        soon as either changes."""
        range_row = QHBoxLayout()
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[str, QPushButton] = {}
        for key, words in {**PERIODS, CUSTOM: "Custom"}.items():
            button = make_button("chip", checkable=True)
            set_words(button, words)
            self.period_group.addButton(button)
            self.period_buttons[key] = button
            button.clicked.connect(lambda _=False, k=key: self.set_period(k))
        self.range_from = QDateEdit()
        self.range_to = QDateEdit()
        for edit, words in ((self.range_from, "From"), (self.range_to, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(words)
            edit.setDate(_as_qdate(self.today()))
            range_row.addWidget(edit)
        self.range_from.setDate(_as_qdate(self.today().replace(day=1)))
        for edit in (self.range_from, self.range_to):
            edit.dateChanged.connect(lambda _: self.set_period(CUSTOM))
        range_row.addStretch(1)
        self.period_rows = ButtonRows(list(self.period_buttons.values()), spacing=8)
        self.period_rows.set_columns(len(self.period_buttons))
        layout.addLayout(self.period_rows)
        layout.addLayout(range_row)

    def _forward_signals(self) -> None:
        self.board_page.settings_changed.connect(self.settings_changed)
        self.board_page.board_requested.connect(self.board_requested)
        self.controls_page.pause_requested.connect(self.pause_requested)
        self.controls_page.clean_requested.connect(self.clean_requested)
        self.controls_page.exit_requested.connect(self.exit_requested)
        self.settings_page.settings_changed.connect(self.settings_changed)
        self.sync_page.sync_requested.connect(self.sync_requested)

    def _keep_old_names(self) -> None:
        # The pages' widgets by the names the tests and docs/screenshots/render_staff.py use.
        results = self.results_page
        self.count_labels = results.count_labels
        self.total, self.positive, self.negative = results.total, results.positive, results.negative
        self.excluded, self.themes, self.chart = results.excluded, results.themes, results.chart
        self.comment_list = self.comments_page.comment_list
        self.board, self.we_did = self.board_page.board, self.board_page.we_did
        self.folder = self.controls_page.folder
        self.export_result = self.controls_page.export_result
        settings = self.settings_page
        self.edit_name, self.edit_idle = settings.edit_name, settings.edit_idle
        self.edit_link, self.edit_words = settings.edit_link, settings.edit_words
        self.language_boxes = settings.language_boxes
        self.settings_result = settings.settings_result
        self.sync_text, self.device_qr = self.sync_page.sync_text, self.sync_page.device_qr
        self.audit_list = self.audit_page.audit_list

    def show_alerts(self, alerts: Sequence[str]) -> None:
        """Problems staff must know about, above everything else."""
        self.alert.setText("\n".join(f"Attention: {text}" for text in alerts))
        self.alert.setVisible(bool(alerts))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.nav_grid.fit(event.size().width() - 48, most=len(self.pages))
        self.period_rows.fit(event.size().width() - 48, most=len(self.period_buttons))
        portrait = event.size().height() > event.size().width()
        for page in self.pages.values():
            page.arrange(portrait)

    # -- navigation ----------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.page_name = name
        uses_period = self.pages[name].uses_period
        self.nav_buttons[name].setChecked(True)
        self.stack.setCurrentWidget(self.frames[name])
        for button in self.period_buttons.values():
            button.setVisible(uses_period)
        for edit in (self.range_from, self.range_to):
            edit.setVisible(uses_period and self.period_name == CUSTOM)
        self.refresh()

    def set_period(self, name: str) -> None:
        self.period_name = name
        self.period_buttons[name].setChecked(True)
        for edit in (self.range_from, self.range_to):
            edit.setVisible(name == CUSTOM)
        self.refresh()

    def dates(self) -> tuple[date, date]:
        """First and last ward date of the period chosen."""
        if self.period_name == CUSTOM:
            ends = sorted(_as_date(edit.date()) for edit in (self.range_from, self.range_to))
            return ends[0], ends[1]
        return period(self.period_name, self.today())

    def refresh(self) -> None:
        """Show the page on screen afresh, for the period chosen."""
        self.pages[self.page_name].refresh(*self.dates())

    # -- what StaffMode and tools ask of particular pages -----------------------------------

    def show_paused(self, paused: bool) -> None:
        self.controls_page.show_paused(paused)

    def show_sync(self, status: SyncStatus | None, device_id: str) -> None:
        self.sync_page.show_sync(status, device_id)

    def device_details(self, device_id: str) -> str:
        return self.sync_page.device_details(device_id)

    def board_text(self) -> str:
        return self.board_page.board_text()

    def export(self, period_name: str) -> list[Path]:
        return self.controls_page.export(period_name)

    def save_settings(self) -> bool:
        return self.settings_page.save_settings()

    def _save_actions(self) -> None:  # docs/screenshots/render_staff.py calls it
        self.board_page.save_actions()
