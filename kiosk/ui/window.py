"""The kiosk window: the patient screens in a stack, and the small controller between them.

Screens emit intent; this window turns it into session calls and screen changes, and runs the
idle reset. It holds no feedback logic of its own (that is ``kiosk.session``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.session import FeedbackSession
from kiosk.settings import WardSettings
from kiosk.store import LocalStore, Origin, StoreError
from kiosk.survey import Survey
from kiosk.ui.patient.followup import FollowUpScreen
from kiosk.ui.patient.question import QuestionScreen
from kiosk.ui.patient.thanks import ThanksScreen
from kiosk.ui.patient.topbar import TopBar
from kiosk.ui.staff.mode import StaffMode
from kiosk.ui.theme import Look

if TYPE_CHECKING:  # sync (requests, pydantic) loads only on kiosks that sync
    from kiosk.ui.sync_worker import SyncThread
    from sync.engine import SyncStatus

log = logging.getLogger(__name__)

_USER_INPUT = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
    QEvent.Type.InputMethod,
}


class KioskWindow(QWidget):
    """The top-level kiosk window.

    Attributes:
        session: the respondent now at the kiosk (Qt-free logic).
        stack: the patient screens; ``question``, ``followup``, ``thanks``.
        idle_timer: single-shot timer (``idle-reset``) that returns to the question.
        language: code of the language on screen now.
        sync: the background sync thread, None when sync is off.
        sync_status: the latest word from it.

    Signals:
        sync_requested(str): ``response`` when someone finished, ``now``, or ``online``.
        exit_requested(): staff chose "Exit kiosk".
    """

    sync_requested = Signal(str)
    exit_requested = Signal()

    def __init__(
        self,
        config: KioskConfig,
        survey: Survey,
        store: LocalStore,
        data_dir: Path | None = None,
        settings: WardSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KioskRoot")
        self.setWindowTitle(f"Feedback: {config.location.shown_name}")
        self.config = config
        self.survey = survey
        self.store = store
        location = config.location
        self.session = FeedbackSession(
            store,
            Origin(
                survey_id=survey.id,
                survey_version=survey.version,
                org_code=location.org_code,
                site_code=location.site_code,
                ward_name=location.ward_name,
                mode=config.kiosk.mode,
                timezone=location.zone,
            ),
            repeat_tap_seconds=config.kiosk.repeat_tap_seconds,
        )
        self.language = survey.default_language
        self.look = Look()
        self.sync: SyncThread | None = None
        self.sync_status: SyncStatus | None = None
        self.alerts: list[str] = []
        self.allow_close = False
        self._last_activity = time.monotonic()

        self.topbar = TopBar(survey)
        self.question = QuestionScreen()
        self.followup = FollowUpScreen(survey)
        self.thanks = ThanksScreen(config.survey.phone_link)
        self.stack = QStackedWidget()
        for screen in (self.question, self.followup, self.thanks):
            self.stack.addWidget(screen)
        layout = QVBoxLayout(self)
        # The window is the screen: never let tall content (Nastaliq is tall) grow it past it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.topbar)
        layout.addWidget(self.stack, 1)

        self.settings = settings or WardSettings()
        self.staff: StaffMode | None = None
        if data_dir is not None:
            self.staff = StaffMode(self, data_dir, self.settings)

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idle-reset")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(config.kiosk.idle_reset_seconds * 1000)
        self.idle_timer.timeout.connect(self.reset_for_next_person)

        self.topbar.language_chosen.connect(self.set_language)
        self.topbar.large_text_toggled.connect(self._set_large_text)
        self.topbar.high_contrast_toggled.connect(self._set_high_contrast)
        self.question.rated.connect(self._on_rated)
        self.followup.sent.connect(self._on_sent)
        self.followup.skipped.connect(self._on_skipped)
        self.thanks.finished.connect(self.reset_for_next_person)

        keyboard = QGuiApplication.inputMethod()
        keyboard.visibleChanged.connect(self._fit_above_keyboard)
        keyboard.keyboardRectangleChanged.connect(self._fit_above_keyboard)

        # Watching input for the idle reset starts once the first frame is up: nobody can touch
        # the screen before that, and it keeps start-up short.
        QTimer.singleShot(0, self._watch_input)
        self._show_text()
        self._apply_look()
        if self.settings.paused:
            self.show_paused(True)

    # -- intent from the screens ---------------------------------------------------------

    def _on_rated(self, code: int) -> None:
        if self.stack.currentWidget() is not self.question or self.settings.paused:
            return
        try:
            response_id = self.session.rate(code, self.language)
        except StoreError as exc:
            log.error("could not save a response: %s", exc)
            self.question.show_alert(self.survey.text("save_failed", self.language))
            self.alert_staff(f"Feedback could not be saved: {exc}")
            return
        if response_id is None:
            return
        self.question.show_alert("")
        self.followup.begin(code)
        self.stack.setCurrentWidget(self.followup)
        self.idle_timer.start()

    def _on_sent(self, themes: list[str], comment: str) -> None:
        self._keep_followup(themes, comment)
        self._finish_respondent()

    def _on_skipped(self) -> None:
        self._finish_respondent()

    def _keep_followup(self, themes: list[str], comment: str) -> None:
        try:
            self.session.follow_up(themes, comment)
        except StoreError as exc:
            log.error("could not save a follow-up: %s", exc)

    def _finish_respondent(self, last_activity: float | None = None) -> None:
        try:
            self.session.finish(last_activity)
        except StoreError as exc:
            log.error("could not mark a response finished: %s", exc)
        self.sync_requested.emit("response")
        if self.stack.currentWidget() is self.followup:
            self.followup.comment.clearFocus()
            self.stack.setCurrentWidget(self.thanks)
            self.thanks.start(self.config.kiosk.thanks_seconds)

    def reset_for_next_person(self) -> None:
        """Back to the question with the kiosk's defaults, keeping whatever was answered."""
        if self.staff is not None and (self.staff.active or self.staff.showing_board):
            return  # staff mode has its own lock; the public board stays until touched
        if self.stack.currentWidget() is self.followup:
            self._keep_followup(*self.followup.answers())
        if self.session.current is not None:
            self._finish_respondent(self._last_activity)
        self.thanks.stop()
        self.idle_timer.stop()
        self.stack.setCurrentWidget(self.question)
        changed = (
            self.language != self.survey.default_language
            or self.look.large_text
            or self.look.high_contrast
        )
        self.language = self.survey.default_language
        if changed:
            self.look = Look(base_px=self.look.base_px)
            self._show_text()
            self._apply_look()

    # -- sync ----------------------------------------------------------------------------

    def attach_sync(self, sync: SyncThread) -> None:
        """Run *sync* beside the patient screens, and hear how it is going."""
        self.sync = sync
        self.sync_requested.connect(sync.worker.request)
        sync.worker.status_changed.connect(self.show_sync_status)
        sync.start()

    def show_sync_status(self, status: SyncStatus) -> None:
        if self.allow_close and self.sync is None:
            return  # a last word from the sync thread, queued before shutdown
        self.sync_status = status
        if self.staff is not None:
            self.staff.refresh_sync()
        log.info(
            "sync %s: %d waiting, %d rejected%s",
            status.state,
            status.pending,
            status.rejected,
            f"; {status.last_error}" if status.last_error else "",
        )

    def alert_staff(self, text: str) -> None:
        """Something staff must know (a damaged database, a full disk): shown in staff mode."""
        if text not in self.alerts:
            self.alerts.append(text)
            if self.staff is not None and self.staff.screen is not None:
                self.staff.screen.show_alerts(self.alerts)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A kiosk: Alt+F4 or a close button does nothing, except from staff mode.
        if self.allow_close or (self.staff is not None and self.staff.active):
            event.accept()
        else:
            log.info("ignored a request to close the kiosk outside staff mode")
            event.ignore()

    def shutdown(self) -> None:
        """Stop syncing and close the store; the window is not used after this."""
        self.allow_close = True
        if self.sync is not None:
            sync, self.sync = self.sync, None
            sync.stop()
        self.store.close()

    # -- language and look ---------------------------------------------------------------

    def set_language(self, code: str) -> None:
        self.language = code
        self._show_text()
        self._apply_look()

    def _set_large_text(self, on: bool) -> None:
        self.look = replace(self.look, large_text=on)
        self._apply_look()

    def _set_high_contrast(self, on: bool) -> None:
        self.look = replace(self.look, high_contrast=on)
        self._apply_look()

    def _show_text(self) -> None:
        survey, language = self.survey, self.language
        location = self.config.location
        self.topbar.show_state(survey, language, self.look.large_text, self.look.high_contrast)
        self.question.show_text(
            survey, language, location.shown_name, self.config.survey.lead_in, self.config.is_demo
        )
        self.followup.show_text(survey, language)
        self.thanks.show_text(survey, language)

    def _apply_look(self) -> None:
        rtl = self.survey.language(self.language).rtl
        self.look = replace(self.look, rtl_script=rtl)
        self.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        )
        self.setStyleSheet(self.look.stylesheet())
        for face in self.question.faces.values():
            face.colours = self.look.colours
            face.update()
        self.followup.fit(self.width())

    def _fit_above_keyboard(self) -> None:
        """Keep what is being typed, and Send, above an on-screen keyboard that covers us."""
        keyboard = QGuiApplication.inputMethod()
        covered = 0
        if keyboard.isVisible():
            # Qt reports the keyboard in the focused window's coordinates: this window's.
            covered = max(0, self.height() - int(keyboard.keyboardRectangle().top()))
            covered = min(covered, self.height() // 2)
        layout = self.layout()
        if layout is not None and layout.contentsMargins().bottom() != covered:
            layout.setContentsMargins(0, 0, 0, covered)
        # While typing, the words being typed need the room more than the language buttons.
        self.topbar.setVisible(not covered)
        if covered:
            QTimer.singleShot(0, self.followup.show_comment)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        portrait = size.height() > size.width()
        self.question.set_portrait(portrait, size.width())
        self.thanks.set_portrait(portrait)
        look = self.look.for_window(size.width(), size.height())
        if look != self.look:
            self.look = look
            self._apply_look()
        else:
            self.followup.fit(size.width())

    # -- idle ----------------------------------------------------------------------------

    def _watch_input(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USER_INPUT:
            self._last_activity = time.monotonic()
            if self.staff is not None and self.staff.active:
                self.staff.touched()
            else:
                self.idle_timer.start()
        return False

    def show_paused(self, paused: bool) -> None:
        """While paused, patients see only that feedback is paused on this ward."""
        self.settings.paused = paused
        self.question.show_paused(paused)
        if self.staff is None or not self.staff.active:
            self.topbar.setVisible(not paused)
