"""The staff screens: results, comments, ward controls, sync and the audit, behind the PIN.

Figures come straight from the store's period queries; nothing here computes FFT arithmetic
itself (``sync.fft`` does). Loaded only when staff unlock the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__
from kiosk.board import board_text
from kiosk.config import KioskConfig
from kiosk.export import ExportError, export_month
from kiosk.settings import SettingError, WardSettings, validate
from kiosk.staff import period
from kiosk.store import LocalStore
from kiosk.survey import Language, Survey
from kiosk.ui.widgets.button_rows import ButtonRows
from kiosk.ui.widgets.face_button import FACE_COLOURS
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from kiosk.ui.widgets.qr import QrCode
from sync import fft

PERIODS = {
    "today": "Today",
    "last-7-days": "Last 7 days",
    "this-month": "This month",
    "last-month": "Last month",
}
PAGES = ["Results", "Comments", "Public board", "Ward controls", "Settings", "Sync", "Audit"]


def _as_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _as_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class StaffScreen(QWidget):
    """Everything ward staff see after the PIN.

    Attributes:
        period_name: the period shown by Results and Comments (a key of ``PERIODS``).
        pages: the panels, by their button's words.

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
        self.all_languages = all_languages
        self.paused = settings.paused
        self.comment_filter: tuple[int, ...] = tuple(fft.CODES)

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
        for name in PAGES:
            button = make_button("chip", checkable=True)
            set_words(button, name)
            self.nav.addButton(button)
            self.nav_buttons[name] = button
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
        self.nav_grid = ButtonRows(list(self.nav_buttons.values()), spacing=8)
        self.nav_grid.set_columns(len(PAGES))
        layout.addLayout(self.nav_grid)

        range_row = QHBoxLayout()
        self.period_group = QButtonGroup(self)
        self.period_buttons: dict[str, QPushButton] = {}
        for key, words in PERIODS.items():
            button = make_button("chip", checkable=True)
            set_words(button, words)
            self.period_group.addButton(button)
            self.period_buttons[key] = button
            button.clicked.connect(lambda _=False, k=key: self.set_period(k))
        # A custom range: "From" and "To" ward dates, applied as soon as either changes.
        custom = make_button("chip", checkable=True)
        set_words(custom, "Custom")
        self.period_group.addButton(custom)
        self.period_buttons["custom"] = custom
        custom.clicked.connect(lambda: self.set_period("custom"))

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
            edit.dateChanged.connect(lambda _: self.set_period("custom"))
        range_row.addStretch(1)
        self.period_rows = ButtonRows(list(self.period_buttons.values()), spacing=8)
        self.period_rows.set_columns(len(self.period_buttons))
        layout.addLayout(self.period_rows)
        layout.addLayout(range_row)

        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {
            "Results": self._results_page(),
            "Comments": self._comments_page(),
            "Public board": self._board_page(),
            "Ward controls": self._controls_page(),
            "Settings": self._settings_page(),
            "Sync": self._sync_page(),
            "Audit": self._audit_page(),
        }
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
        self.show_page("Results")

    def show_alerts(self, alerts: Sequence[str]) -> None:
        """Problems staff must know about, above everything else."""
        self.alert.setText("\n".join(f"Attention: {text}" for text in alerts))
        self.alert.setVisible(bool(alerts))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.nav_grid.fit(event.size().width() - 48, most=len(PAGES))
        self.period_rows.fit(event.size().width() - 48, most=len(self.period_buttons))
        # On a tall screen the chart goes under the figures, full width.
        portrait = event.size().height() > event.size().width()
        self.results_layout.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    # -- navigation ----------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.nav_buttons[name].setChecked(True)
        self.stack.setCurrentWidget(self.frames[name])
        for button in self.period_buttons.values():
            button.setVisible(name in ("Results", "Comments"))
        for edit in (self.range_from, self.range_to):
            edit.setVisible(name in ("Results", "Comments") and self.period_name == "custom")
        self.refresh()

    def set_period(self, name: str) -> None:
        self.period_name = name
        self.period_buttons[name].setChecked(True)
        for edit in (self.range_from, self.range_to):
            edit.setVisible(name == "custom")
        self.refresh()

    def dates(self) -> tuple[date, date]:
        if self.period_name == "custom":
            ends = sorted(_as_date(edit.date()) for edit in (self.range_from, self.range_to))
            return ends[0], ends[1]
        return period(self.period_name, self.today())

    def refresh(self) -> None:
        frame = self.stack.currentWidget()
        page = frame.widget() if isinstance(frame, QScrollArea) else frame
        if page is self.pages["Results"]:
            self._show_results()
        elif page is self.pages["Comments"]:
            self._show_comments()
        elif page is self.pages["Audit"]:
            self._show_audit()
        elif page is self.pages["Public board"]:
            self._show_board()

    # -- results -------------------------------------------------------------------------

    def _results_page(self) -> QWidget:
        page = QWidget()
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, page)
        self.results_layout = layout
        figures = QGridLayout()
        figures.setVerticalSpacing(6)
        self.count_labels: dict[int, QLabel] = {}
        for row, (code, words) in enumerate(fft.CODES.items()):
            name = make_label("body")
            name.setText(words)
            value = make_label("body")
            value.setObjectName(f"count-{code}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            figures.addWidget(name, row, 0)
            figures.addWidget(value, row, 1)
            self.count_labels[code] = value
        self.total = make_label("lead")
        self.total.setObjectName("total")
        self.positive = make_label("lead")
        self.positive.setObjectName("percent-positive")
        self.negative = make_label("lead")
        self.negative.setObjectName("percent-negative")
        self.excluded = make_label("hint")
        self.excluded.setObjectName("repeat-taps")
        self.themes = make_label("hint")
        self.themes.setObjectName("theme-counts")
        column = QVBoxLayout()
        column.addLayout(figures)
        for label in (self.total, self.positive, self.negative, self.excluded, self.themes):
            column.addWidget(label)
        column.addStretch(1)
        layout.addLayout(column, 2)
        self.chart = QChart()
        self.chart.setTitle("Responses each day")
        self.axis_x = QBarCategoryAxis()
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%d")
        self.chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("daily-chart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(360, 320)
        layout.addWidget(self.chart_view, 3)
        return page

    def _show_results(self) -> None:
        first, last = self.dates()
        counts = self.store.counts(first, last)
        for code, label in self.count_labels.items():
            label.setText(str(counts.by_code[code]))
        self.total.setText(f"Total responses: {counts.total}")
        self.positive.setText(f"Positive: {fft.whole_percent(counts.positive, counts.total)}")
        self.negative.setText(f"Negative: {fft.whole_percent(counts.negative, counts.total)}")
        self.excluded.setText(f"Repeat taps left out of these figures: {counts.excluded}")
        themes = self.store.theme_counts(first, last)
        named = [f"{self._theme_words(theme)} {n}" for theme, n in themes.items()]
        self.themes.setText("Themes chosen: " + (", ".join(named) or "none"))
        self._draw_chart(first, last)

    def _theme_words(self, theme: str) -> str:
        try:
            return self.survey.theme_text(theme, self.survey.default_language)
        except KeyError:  # a theme from an older survey version
            return theme

    def _draw_chart(self, first: date, last: date) -> None:
        self.chart.removeAllSeries()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        daily = self.store.daily_counts(first, last)
        series = QStackedBarSeries()
        for code, words in fft.CODES.items():
            bars = QBarSet(words)
            bars.setColor(QColor(FACE_COLOURS[code]))
            bars.append([daily.get(day, {}).get(code, 0) for day in days])
            series.append(bars)
        self.chart.addSeries(series)
        self.axis_x.clear()
        self.axis_x.append(
            [day.strftime("%d %b") if len(days) <= 10 else day.strftime("%d") for day in days]
        )
        most = max((sum(daily.get(day, {}).values()) for day in days), default=0)
        self.axis_y.setRange(0, max(1, most))
        self.axis_y.applyNiceNumbers()
        series.attachAxis(self.axis_x)
        series.attachAxis(self.axis_y)

    # -- comments ------------------------------------------------------------------------

    def _comments_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        group = QButtonGroup(page)
        self.filter_buttons: dict[str, QPushButton] = {}
        for words, codes in (
            ("All", tuple(fft.CODES)),
            ("Positive", fft.POSITIVE),
            ("Negative", fft.NEGATIVE),
        ):
            button = make_button("chip", checkable=True)
            set_words(button, words)
            group.addButton(button)
            button.clicked.connect(lambda _=False, c=codes: self._filter(c))
            self.filter_buttons[words] = button
            row.addWidget(button)
        row.addStretch(1)
        self.filter_buttons["All"].setChecked(True)
        layout.addLayout(row)
        self.comment_list = QListWidget()
        self.comment_list.setObjectName("comment-list")
        self.comment_list.setWordWrap(True)
        layout.addWidget(self.comment_list, 1)
        return page

    def _filter(self, codes: tuple[int, ...]) -> None:
        self.comment_filter = codes
        self._show_comments()

    def _show_comments(self) -> None:
        first, last = self.dates()
        words = self.config.staff.safeguarding_words
        comments = self.store.comments(first, last, codes=self.comment_filter)
        flagged = [c for c in comments if any(w in c["comment"].lower() for w in words)]
        ordinary = [c for c in comments if c not in flagged]
        self.comment_list.clear()
        for comment in flagged + ordinary:
            when = datetime.fromisoformat(comment["answered_at"]).astimezone(
                self.config.location.zone
            )
            head = f"{when:%d %b %H:%M} · {fft.CODES[comment['rating']]}"
            if comment["themes"]:
                head += " · " + ", ".join(self._theme_words(t) for t in comment["themes"])
            item = QListWidgetItem(f"{head}\n{comment['comment']}")
            if comment in flagged:
                item.setText(f"Safeguarding: read now. {head}\n{comment['comment']}")
                item.setBackground(QColor("#FFEB3B"))
                item.setForeground(QColor("#212B32"))
            self.comment_list.addItem(item)
        if not comments:
            self.comment_list.addItem("No comments in this period.")

    # -- ward controls -------------------------------------------------------------------

    def _controls_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.pause = make_button("secondary")
        self.pause.setObjectName("pause")
        self.pause.clicked.connect(lambda: self.pause_requested.emit(not self.paused))
        self.show_paused(self.paused)
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
        for key in ("this-month", "last-month"):
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
        return page

    def show_paused(self, paused: bool) -> None:
        self.paused = paused
        set_words(self.pause, "Resume feedback" if paused else "Pause feedback")

    def export(self, period_name: str) -> list[Path]:
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

    # -- "You said, we did" --------------------------------------------------------------

    def _board_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        hint = make_label("hint")
        hint.setText(
            "What patients may see: this month's results as NHS England publishes them "
            "(with fewer than 5 answers, only the total), and what the ward has done. "
            "No comments are shown."
        )
        self.board = make_label("body")
        self.board.setObjectName("public-board")
        self.board.setTextFormat(Qt.TextFormat.PlainText)
        self.we_did = QPlainTextEdit(self.settings.actions)
        self.we_did.setObjectName("we-did")
        self.we_did.setAccessibleName("You said, we did")
        self.we_did.setPlaceholderText("You said... we did...")
        self.we_did.setFixedHeight(self.we_did.fontMetrics().lineSpacing() * 6)
        save = make_button("secondary")
        set_words(save, "Save what we did")
        save.clicked.connect(self._save_actions)
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
        return page

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

    def _show_board(self) -> None:
        self.board.setText(self.board_text())

    def _save_actions(self) -> None:
        self.settings.actions = self.we_did.toPlainText()
        self.settings_changed.emit("actions")
        self._show_board()

    # -- settings ------------------------------------------------------------------------

    def _settings_page(self) -> QWidget:
        page = QWidget()
        form = QVBoxLayout(page)
        current = self.config
        self.edit_name = self._field(form, "Name shown on screen", current.location.shown_name)
        self.edit_idle = self._field(
            form,
            "Seconds before an unattended screen starts again",
            str(current.kiosk.idle_reset_seconds),
        )
        self.edit_link = self._field(
            form, "Link for the phone QR code (blank for none)", current.survey.phone_link
        )
        self.edit_words = self._field(
            form,
            "Safeguarding words, separated by commas",
            ", ".join(current.staff.safeguarding_words),
        )
        languages = make_label("body")
        languages.setText("Languages offered")
        form.addWidget(languages)
        row = QHBoxLayout()
        self.language_boxes: dict[str, QCheckBox] = {}
        for language in self.all_languages:
            box = QCheckBox(language.name)
            box.setAccessibleName(language.name)
            box.setChecked(language.code in current.survey.languages)
            self.language_boxes[language.code] = box
            row.addWidget(box)
        row.addStretch(1)
        form.addLayout(row)
        save = make_button("primary")
        set_words(save, "Save settings")
        save.clicked.connect(self.save_settings)
        self.settings_result = make_label("body")
        self.settings_result.setObjectName("settings-result")
        form.addWidget(save, 0, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.settings_result)
        form.addStretch(1)
        return page

    def _field(self, form: QVBoxLayout, words: str, value: str) -> QLineEdit:
        label = make_label("body")
        label.setText(words)
        edit = QLineEdit(value)
        edit.setAccessibleName(words)
        label.setBuddy(edit)
        form.addWidget(label)
        form.addWidget(edit)
        return edit

    def save_settings(self) -> bool:
        """Check every field as the config file would, then keep them all, or none."""
        idle_text = self.edit_idle.text().strip()
        values: dict[str, object] = {
            "display_name": self.edit_name.text().strip(),
            "idle_reset_seconds": int(idle_text) if idle_text.isdigit() else idle_text,
            "phone_link": self.edit_link.text().strip(),
            "safeguarding_words": [
                w.strip() for w in self.edit_words.text().split(",") if w.strip()
            ],
            "languages": [code for code, box in self.language_boxes.items() if box.isChecked()],
        }
        try:
            for name, value in values.items():
                validate(name, value)
        except SettingError as exc:
            self.settings_result.setText(f"Not saved: {exc}.")
            return False
        for name, value in values.items():
            setattr(self.settings, name, value)
        self.settings_changed.emit("settings")
        self.settings_result.setText(
            "Saved. The kiosk uses them from its next start (Exit kiosk, or a restart)."
        )
        return True

    # -- sync and audit ------------------------------------------------------------------

    def _sync_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.sync_text = make_label("body")
        self.sync_text.setObjectName("sync-status")
        self.sync_text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.sync_now = make_button("primary")
        set_words(self.sync_now, "Sync now")
        self.sync_now.clicked.connect(self.sync_requested)
        layout.addWidget(self.sync_text)
        layout.addWidget(self.sync_now, 0, Qt.AlignmentFlag.AlignLeft)
        asset = make_label("body")
        asset.setText("Device details for IT (scan for asset checks)")
        self.device_qr = QrCode()
        self.device_qr.setObjectName("device-qr")
        self.device_qr.setFixedSize(220, 220)
        layout.addWidget(asset)
        layout.addWidget(self.device_qr)
        layout.addStretch(1)
        self.show_sync(None, "")
        return page

    def device_details(self, device_id: str) -> str:
        """What the device QR code says: enough for an asset check, nothing about patients."""
        location = self.config.location
        return "\n".join(
            [
                f"device: {device_id or 'not enrolled'}",
                f"ward: {location.org_code} {location.site_code} {location.ward_name}",
                f"app: ward-kiosk {__version__}",
                f"waiting to send: {self.store.sync_counts()['pending']}",
            ]
        )

    def show_sync(self, status: object | None, device_id: str) -> None:
        self.device_qr.set_data(self.device_details(device_id))
        sync = self.config.sync
        if sync is None:
            self.sync_text.setText("Sync not configured: answers stay on this kiosk.")
            self.sync_now.hide()
            return
        counts = self.store.sync_counts()
        lines = [
            f"Central server: {sync.server_url}",
            f"Device: {device_id or 'not enrolled yet'}",
            f"Waiting to send: {counts['pending']}",
            f"Refused by the server: {counts['rejected']}",
        ]
        last_success = getattr(status, "last_success", None)
        if last_success is not None:
            local = last_success.astimezone(self.config.location.zone)
            lines.append(f"Last sent: {local:%d %b %H:%M}")
        else:
            lines.append("Last sent: not yet")
        error = getattr(status, "last_error", None)
        lines.append(f"Last problem: {error}" if error else "Last problem: none")
        self.sync_text.setText("\n".join(lines))

    def _audit_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.audit_list = QListWidget()
        self.audit_list.setObjectName("audit-list")
        layout.addWidget(self.audit_list)
        return page

    def _show_audit(self) -> None:
        self.audit_list.clear()
        zone = self.config.location.zone
        for entry in self.store.audit_entries():
            when = datetime.fromisoformat(entry["at"]).astimezone(zone)
            detail = f": {entry['detail']}" if entry["detail"] else ""
            self.audit_list.addItem(f"{when:%d %b %Y %H:%M}  {entry['event']}{detail}")
