"""Staff mode's comings and goings: the hold, the PIN, the auto-lock, pause and clean screen.

It lives beside the patient screens and reaches the window only through ``StaffHost``; the staff
screens themselves (``dashboard``) are built the first time staff get in, so patients never wait.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.settings import WardSettings, save_settings
from kiosk.staff import SET_PIN_COMMAND, PinFile, StaffPin
from kiosk.store import StoreError
from kiosk.ui.staff.hold import HoldToOpen
from kiosk.ui.staff.pin_pad import PinPad
from kiosk.ui.timers import Timer
from kiosk.ui.widgets.labels import make_label

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.store import LocalStore
    from kiosk.survey import Survey
    from kiosk.ui.staff.dashboard import StaffScreen
    from sync.status import SyncStatus

log = logging.getLogger(__name__)

CLEAN_SECONDS = 30
# The keyboard's way to the PIN pad, beside holding the ward name. Three keys at once that no
# typing makes: Ctrl+Alt would be AltGr on Windows (AltGr+S types "ś" in Polish), and
# Ctrl+Alt+F-keys switch consoles on Linux.
STAFF_CHORD = "Ctrl+Shift+F12"
# There is no first-run "choose a PIN" on the pad: whoever held the ward name could choose it.
# The command has a line of its own so that it is never broken at its hyphen.
NOT_SET_UP = (
    "Staff mode is not set up on this kiosk: ask IT to set a staff PIN with the command\n"
    f"{SET_PIN_COMMAND}"
)
DAMAGED = (
    "The staff PIN file is damaged: ask IT to set the PIN again with the command\n"
    f"{SET_PIN_COMMAND}"
)


class StaffHost(Protocol):
    """The little staff mode needs from the window it lives in."""

    def add_screen(self, screen: QWidget) -> None:
        """Keep *screen* among the window's screens, not shown yet."""

    def show_screen(self, screen: QWidget) -> None:
        """Show *screen* instead of the patient screens and their top bar.

        Whoever was answering is finished first, as an idle reset would.
        """

    def show_patient_screens(self) -> None:
        """Back to the question for the next person, top bar and all (unless paused)."""


class CleanOverlay(QWidget):
    """Covers the whole window and swallows every touch while the glass is wiped.

    Signals:
        finished(): the countdown ended.
    """

    finished = Signal()

    def __init__(self, parent: QWidget, seconds: int = CLEAN_SECONDS) -> None:
        super().__init__(parent)
        self.setObjectName("clean-overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#clean-overlay { background: #005EB8; }")
        self.remaining = seconds
        layout = QVBoxLayout(self)
        self.label = make_label("question")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: white;")
        layout.addWidget(self.label)
        self.ticker = Timer("clean-countdown", 1000, parent=self)
        self.ticker.timeout.connect(self._tick)
        self.setGeometry(parent.rect())
        self._show()
        self.ticker.start()
        self.show()
        self.raise_()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.ticker.stop()
            self.hide()
            self.finished.emit()
            self.deleteLater()
        else:
            self._show()

    def _show(self) -> None:
        self.label.setText(
            f"Cleaning the screen\n\nTouches are ignored for {self.remaining} seconds"
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()  # the point of the overlay: nothing underneath hears the cloth

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()


class PublicBoard(QWidget):
    """ "You said, we did", large, for patients and visitors; a touch returns to the question.

    Signals:
        closed(): someone touched it.
    """

    closed = Signal()

    def __init__(self, hint_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("public-board-screen")
        self.setProperty("screen", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        self.text = make_label("lead")
        self.text.setObjectName("public-board-text")
        hint = make_label("hint")
        hint.setText(hint_text)
        layout.addWidget(self.text, 1)
        layout.addWidget(hint)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.closed.emit()


class StaffMode(QObject):
    """The PIN pad, the staff screens and the public board, over the patient screens.

    Attributes:
        pin: the ward's staff PIN.
        pad: the PIN pad screen.
        hold: the press-and-hold on the ward name that opens the pad.
        chord: the ``STAFF_CHORD`` shortcut that opens the pad from a keyboard.
        screen: the staff screens, once built.
        board: the public board, once shown.
        overlay: the clean-screen overlay while it is up.
        alerts, sync_status: the latest the window has passed on, for the staff screens.
        lock_timer: ``staff-lock``, locks staff mode after ``[staff] lock_seconds`` untouched.
        wait_timer: ``pin-wait``, ticks through a wait after too many wrong PINs.

    Signals:
        sync_requested(): staff asked to sync now.
        exit_requested(): staff chose "Exit kiosk"; the window may close.
        paused_changed(bool): staff paused or resumed feedback (already saved).
    """

    sync_requested = Signal()
    exit_requested = Signal()
    paused_changed = Signal(bool)

    def __init__(
        self,
        host: StaffHost,
        surface: QWidget,
        hold_target: QWidget,
        data_dir: Path,
        settings: WardSettings,
        store: LocalStore,
        config: KioskConfig,
        survey: Survey,
    ) -> None:
        """:param surface: the whole window, which the clean overlay covers.
        :param hold_target: the plain-looking widget that opens the PIN pad when held.
        """
        super().__init__(surface)
        self.host = host
        self.surface = surface
        self.data_dir = data_dir
        self.settings = settings
        self.store = store
        self.config = config
        self.survey = survey
        self.alerts: list[str] = []
        self.sync_status: SyncStatus | None = None
        self.pin = StaffPin(data_dir)
        self.pad = PinPad()
        host.add_screen(self.pad)
        self.screen: StaffScreen | None = None
        self._showing: QWidget | None = None
        self.hold = HoldToOpen(hold_target)
        self.hold.held.connect(self.open_pad)
        self.chord = QShortcut(QKeySequence(STAFF_CHORD), surface)
        self.chord.activated.connect(self._chord_pressed)
        self.lock_timer = Timer(
            "staff-lock", config.staff.lock_seconds * 1000, single_shot=True, parent=self
        )
        self.lock_timer.timeout.connect(self.lock)
        self.wait_timer = Timer("pin-wait", 1000, parent=self)
        self.wait_timer.timeout.connect(self._show_wait)
        self.overlay: CleanOverlay | None = None
        self.board: PublicBoard | None = None
        self.pad.entered.connect(self._on_pin)
        self.pad.cancelled.connect(self.lock)

    @property
    def showing_board(self) -> bool:
        return self.board is not None and self._showing is self.board

    @property
    def active(self) -> bool:
        """The PIN pad or the staff screens are up."""
        return self._showing is not None and self._showing in (self.pad, self.screen)

    def touched(self) -> None:
        self.lock_timer.start()

    def _show(self, screen: QWidget) -> None:
        self.host.show_screen(screen)
        self._showing = screen

    # -- what the window passes on -------------------------------------------------------

    def show_alerts(self, alerts: list[str]) -> None:
        """What staff must know (a damaged database, a full disk); shown on the staff screens."""
        self.alerts = list(alerts)
        if self.screen is not None:
            self.screen.show_alerts(self.alerts)

    def show_sync(self, status: SyncStatus | None) -> None:
        self.sync_status = status
        if self.screen is not None:
            self.screen.show_sync(status, status.device_id if status is not None else "")

    # -- getting in ----------------------------------------------------------------------

    def _chord_pressed(self) -> None:
        if not self.active:  # already on the pad or inside: the chord does nothing more
            self.open_pad()

    def open_pad(self) -> None:
        self.pad.ask("Staff PIN", "")
        self._show_wait()
        self._show(self.pad)
        self.lock_timer.start()

    def _on_pin(self, digits: str) -> None:
        if not self._usable():
            return  # the keys are off; this is only reachable from code, and still refused
        result = self.pin.check(digits)
        if result.ok:
            self._audit("staff entry")
            self.enter()
            return
        self._audit("failed PIN")
        self.pad.ask("Staff PIN", "")
        if result.wait.total_seconds() > 0:
            self._show_wait()
        else:
            self.pad.message.setText(
                f"That PIN is not right. {result.tries_left} more tries before a wait."
            )

    def _usable(self) -> bool:
        """Whether the PIN file lets anyone try a PIN; if not, lock the pad and say why."""
        state = self.pin.state
        if state is PinFile.SET:
            return True
        self.wait_timer.stop()
        if state is PinFile.UNSET:
            log.warning("staff mode was asked for, but no staff PIN is set on this kiosk")
            self.pad.refuse("Staff mode is locked", NOT_SET_UP)
        else:  # damaged: StaffPin has logged why
            self.pad.refuse("Staff mode is locked", DAMAGED)
        return False

    def _show_wait(self) -> None:
        if not self._usable():
            return
        seconds = int(self.pin.wait().total_seconds() + 0.999)
        locked = seconds > 0
        self.pad.set_locked(locked)
        if locked:
            self.pad.message.setText(f"Too many wrong PINs. Try again in {seconds} seconds.")
            self.wait_timer.start()
        else:
            self.wait_timer.stop()
            if self.pad.message.text().startswith("Too many"):
                self.pad.message.setText("")

    def enter(self) -> None:
        if self.screen is None:
            from kiosk.survey import complete_languages
            from kiosk.ui.staff.dashboard import StaffScreen

            config = self.config
            zone = config.location.zone
            every_language = complete_languages(config.survey.id, config.survey.folder)
            self.screen = StaffScreen(
                self.store,
                config,
                self.survey,
                lambda: datetime.now(zone).date(),
                self.settings,
                every_language,
            )
            self.screen.settings_changed.connect(self._save_settings)
            self.screen.board_requested.connect(self.show_board)
            self.screen.lock_requested.connect(self.lock)
            self.screen.exit_requested.connect(self._exit)
            self.screen.pause_requested.connect(self.set_paused)
            self.screen.clean_requested.connect(self.clean)
            self.screen.sync_requested.connect(self.sync_requested)
            self.host.add_screen(self.screen)
        self.show_alerts(self.alerts)
        self.show_sync(self.sync_status)
        self._show(self.screen)
        self.screen.show_page("Results")
        self.lock_timer.start()

    # -- getting out ---------------------------------------------------------------------

    def lock(self) -> None:
        was_in = self.screen is not None and self._showing is self.screen
        self.lock_timer.stop()
        self.wait_timer.stop()
        self._showing = None
        self.host.show_patient_screens()
        if was_in:
            self._audit("staff mode locked")

    def _exit(self) -> None:
        self._audit("exit kiosk")
        self.exit_requested.emit()

    # -- ward controls -------------------------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        self.settings.paused = paused
        save_settings(self.data_dir, self.settings)
        self._audit("feedback paused" if paused else "feedback resumed")
        self.paused_changed.emit(paused)
        if self.screen is not None:
            self.screen.show_paused(paused)

    def show_board(self, text: str) -> None:
        """Lock staff mode and leave the public board up until a patient touches it."""
        self.lock()
        if self.board is None:
            self.board = PublicBoard(self.survey.text("board_hint", self.survey.default_language))
            self.board.closed.connect(self.lock)
            self.host.add_screen(self.board)
        self.board.text.setText(text)
        self._show(self.board)
        self._audit("public board shown")

    def _save_settings(self, what: str) -> None:
        save_settings(self.data_dir, self.settings)
        self._audit("setting changed", "you said, we did" if what == "actions" else "settings")

    def clean(self) -> None:
        self._audit("screen cleaned", f"touches ignored for {CLEAN_SECONDS} seconds")
        self.overlay = CleanOverlay(self.surface)
        self.overlay.finished.connect(self._cleaned)

    def _cleaned(self) -> None:
        self.overlay = None
        if self.active:  # locked meanwhile: the patient screens have their own idle reset
            self.lock_timer.start()

    def _audit(self, event: str, detail: str = "") -> None:
        try:
            self.store.audit(event, detail)
        except StoreError as exc:
            log.error("could not record %r in the audit: %s", event, exc)
