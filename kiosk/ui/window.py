"""The kiosk window: the patient screens in a stack, drawn as ``kiosk.flow.PatientFlow`` says.

It lays the screens out and renders the flow's intents in the chosen language, font and look,
moves focus to each new screen's heading and announces it, asks for more time, and speaks for
read-aloud. It is also the host staff mode shows its screens in, and keeps the sync status and
staff alerts.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.flow import PatientFlow
from kiosk.session import FeedbackSession, origin_for
from kiosk.settings import WardSettings
from kiosk.store import LocalStore
from kiosk.survey import Survey
from kiosk.ui.fonts import language_font
from kiosk.ui.patient.activity import ActivityWatch
from kiosk.ui.patient.followup import FollowUpScreen
from kiosk.ui.patient.keyboard import KeyboardRoom
from kiosk.ui.patient.language_picker import LanguagePicker, PickerScreen
from kiosk.ui.patient.more_time import MoreTimePrompt
from kiosk.ui.patient.navigation import Navigation
from kiosk.ui.patient.question import QuestionScreen
from kiosk.ui.patient.thanks import ThanksScreen
from kiosk.ui.patient.topbar import TopBar
from kiosk.ui.patient.voice import ReadAloud
from kiosk.ui.staff.mode import StaffMode
from kiosk.ui.theme import Look
from kiosk.ui.timers import Timer
from kiosk.versions import load_versions

if TYPE_CHECKING:  # sync (requests, pydantic) loads only on kiosks that sync
    from kiosk.ui.sync_worker import SyncThread
    from sync.status import SyncStatus

log = logging.getLogger(__name__)


class KioskWindow(QWidget):
    """The top-level kiosk window; the ``View`` of the patient flow and the ``StaffHost``.

    Attributes:
        flow: the patient flow's rules (Qt-free); ``session`` is its respondent's record.
        stack: the patient screens; ``question``, ``followup``, ``thanks``, and ``picker``,
            every language as a big button, over the whole window while it is up.
        topbar: language, version and accessibility controls above them.
        idle_timer: single-shot ``idle-reset`` timer; its timeout tells the flow.
        more_time_timer: single-shot ``more-time`` timer, started with it: the prompt is due.
        more_time: "Do you need more time?", over the whole window while it asks.
        read_aloud: read-aloud's voice (``read_aloud.speech``), loaded after the first frame.
        activity: notices any touch or key, for the idle reset and staff mode's auto-lock.
        keyboard_room: keeps the follow-up's comment and Send above an on-screen keyboard.
        navigation: keyboard, switch and screen-reader access; ``focus_ring`` and ``scanner``
            are its focus ring and its one-switch scanning (None unless configured).
        look: text size, contrast and direction now on screen.
        staff: staff mode, None without a data directory.
        sync: the background sync thread, None when sync is off.
        sync_status: the latest word from it.
        alerts: what staff must know, newest last.
        allow_close: a close request is obeyed (staff chose "Exit kiosk", or shutdown).

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
        # Before any widget exists, so that each inherits the language's font (``_apply_look``).
        QApplication.setFont(language_font(survey.language(survey.default_language).font))
        super().__init__(parent)
        self.setObjectName("KioskRoot")
        self.setWindowTitle(f"Feedback: {config.location.shown_name}")
        self.config = config
        self.survey = survey
        self.store = store
        self.settings = settings or WardSettings()
        origin = origin_for(config, survey)
        versions = load_versions(survey, config.survey.languages, config.survey.folder)
        self.flow = PatientFlow(
            self,
            FeedbackSession(store, origin, repeat_tap_seconds=config.kiosk.repeat_tap_seconds),
            survey,
            thanks_seconds=config.kiosk.thanks_seconds,
            idle_seconds=config.kiosk.idle_reset_seconds,
            paused=self.settings.paused,
            versions=versions,
        )
        self.look = Look()
        self._shown = (self.flow.language, survey.id)
        self.sync: SyncThread | None = None
        self.sync_status: SyncStatus | None = None
        self.alerts: list[str] = []
        self.allow_close = False

        self.topbar = TopBar(survey, versions)
        self.question = QuestionScreen(config.survey.phone_link)
        self.followup = FollowUpScreen(survey)
        self.thanks = ThanksScreen(config.survey.phone_link)
        self.picker = LanguagePicker(survey)
        self.stack = QStackedWidget()
        for screen in (self.question, self.followup, self.thanks, self.picker):
            self.stack.addWidget(screen)
        layout = QVBoxLayout(self)
        # The window is the screen: never let tall content (Nastaliq is tall) grow it past it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.topbar)
        layout.addWidget(self.stack, 1)

        self.staff: StaffMode | None = None
        if data_dir is not None:
            self.staff = StaffMode(
                self, self, self.question.ward, data_dir, self.settings, store, config, survey
            )
            self.staff.sync_requested.connect(lambda: self.sync_requested.emit("now"))
            self.staff.exit_requested.connect(self._exit)
            self.staff.paused_changed.connect(self.show_paused)

        self.idle_timer = Timer(
            "idle-reset", config.kiosk.idle_reset_seconds * 1000, single_shot=True, parent=self
        )
        self.idle_timer.timeout.connect(self.flow.idle_timeout)
        self.more_time_timer = Timer("more-time", single_shot=True, parent=self)
        self.more_time_timer.timeout.connect(self.flow.more_time_due)
        self.more_time = MoreTimePrompt(self)
        self.activity = ActivityWatch(self, self.more_time.answers)
        self.activity.touched.connect(self._touched)
        access = config.accessibility
        self.read_aloud = ReadAloud(self, self.flow, self.topbar, self.question, access)
        self.speech = self.read_aloud.speech

        self.topbar.language_chosen.connect(self.flow.choose_language)
        self.topbar.easy_read_toggled.connect(self.flow.set_easy_read)
        self.topbar.grown_ups_toggled.connect(self.flow.set_for_grown_ups)
        self.topbar.large_text_toggled.connect(lambda on: self._change_look(large_text=on))
        self.topbar.high_contrast_toggled.connect(lambda on: self._change_look(high_contrast=on))
        self.question.rated.connect(self.flow.press_face)
        self.question.face_focused.connect(self.flow.hear_face)
        self.followup.sent.connect(self.flow.send)
        self.followup.skipped.connect(self.flow.skip)
        self.thanks.finished.connect(self.flow.thanks_over)

        self.keyboard_room = KeyboardRoom(self, self.topbar, self.followup)

        self.navigation = Navigation(
            self,
            self.topbar,
            self.stack,
            config.accessibility,
            self.staff_has_screen,
            lambda control: self.look.corner_radius(str(control.property("kind") or "")),
            hold=self.read_aloud.reading,
        )
        self.navigation.prompt = self.more_time
        self.navigation.reached = self.read_aloud.name_aloud
        self.focus_ring = self.navigation.ring
        self.scanner = self.navigation.scanner
        headings = (self.question.question, self.followup.prompt, self.thanks.title)
        self.picker_screen = PickerScreen(
            self.picker, self.topbar, self.stack, self.navigation, headings, self.flow
        )
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.followup.keep_in_view)

        # Watching input for the idle reset starts once the first frame is up: nobody can touch
        # the screen before that, and it keeps start-up short.
        QTimer.singleShot(0, self._watch_input)
        self._show_text()
        self._apply_look()
        if self.settings.paused:
            self.show_paused(True)
        # The window itself, when it first shows: no control is ringed while the kiosk waits
        # (nor its heading, whose first focus costs start-up time), and Tab starts at the top.
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def session(self) -> FeedbackSession:
        return self.flow.session

    @property
    def language(self) -> str:
        """Code of the language the patient chose."""
        return self.flow.language

    def set_language(self, code: str) -> None:
        self.flow.choose_language(code)

    def reset_for_next_person(self) -> None:
        """Back to the question with the kiosk's defaults, keeping whatever was answered."""
        self.flow.reset_for_next_person()

    def _watch_input(self) -> None:
        # The switch's filter goes in first: Qt asks the last one installed first, so the
        # activity watch counts a switch press as a touch before the scanner takes it.
        self.navigation.watch()
        self.activity.watch()

    def _touched(self) -> None:
        self.flow.user_input()
        if self.staff is not None and self.staff.active:
            self.staff.touched()

    # -- the flow's view (kiosk.flow.View) -----------------------------------------------

    def show_question(self) -> None:
        self.picker_screen.close(focus=False)
        self.followup.comment.clearFocus()  # lets an on-screen keyboard go
        self.thanks.stop()
        self.stack.setCurrentWidget(self.question)
        self.navigation.enter_screen(self.question.question)

    def show_followup(self, rating: int) -> None:
        self.picker_screen.close(focus=False)
        self.followup.begin(rating)
        self.stack.setCurrentWidget(self.followup)
        self.navigation.enter_screen(self.followup.prompt)

    def show_thanks(self, seconds: int) -> None:
        self.picker_screen.close(focus=False)
        self.followup.comment.clearFocus()
        self.stack.setCurrentWidget(self.thanks)
        self.thanks.start(seconds)
        self.navigation.enter_screen(self.thanks.title)

    def restart_thanks(self, seconds: int) -> None:
        self.thanks.start(seconds)

    def show_more_time(self, seconds: int) -> None:
        prompt = self.more_time
        prompt.open(seconds)
        self.focus_ring.raise_()  # the ring stays visible over the prompt
        self.navigation.enter_prompt(prompt, prompt.button, prompt.title.text())

    def hide_more_time(self) -> None:
        self.more_time.close_prompt(self.stack.currentWidget() or self)

    def look_chosen(self) -> bool:
        return self.look.large_text or self.look.high_contrast

    def can_read_aloud(self, language: str) -> bool:
        return self.speech.has_voice(language)

    def show_read_aloud(self, on: bool) -> None:
        self.topbar.show_read_aloud(self.speech.has_voice(self.language), on)
        self.navigation.follow_tab(on)
        if not on:
            self.speech.stop()

    def speak(self, text: str) -> None:
        self.read_aloud.speak(text)

    def show_heard_face(self, code: int | None) -> None:
        self.question.show_heard(code)

    def show_alert(self, text: str) -> None:
        self.question.show_alert(text)

    def show_language(self, code: str) -> None:
        self._show_text()
        self._apply_look()

    def restore_defaults(self, language: str) -> None:
        if (language, self.flow.survey.id) == self._shown and not (
            self.look.large_text or self.look.high_contrast
        ):
            return  # restyling costs a frame; most people change nothing
        self.look = Look(base_px=self.look.base_px)
        self._show_text()
        self._apply_look()

    def followup_answers(self) -> tuple[list[str], str]:
        return self.followup.answers()

    def start_idle_timer(self, more_time_after: float) -> None:
        self.idle_timer.start()
        self.more_time_timer.start(round(more_time_after * 1000))

    def stop_idle_timer(self) -> None:
        self.idle_timer.stop()
        self.more_time_timer.stop()

    def respondent_finished(self) -> None:
        self.sync_requested.emit("response")

    def alert_staff(self, text: str) -> None:
        """Something staff must know (a damaged database, a full disk): shown in staff mode."""
        if text not in self.alerts:
            self.alerts.append(text)
            if self.staff is not None:
                self.staff.show_alerts(self.alerts)

    def staff_has_screen(self) -> bool:
        return self.staff is not None and (self.staff.active or self.staff.showing_board)

    # -- staff mode's host (kiosk.ui.staff.mode.StaffHost) -------------------------------

    def add_screen(self, screen: QWidget) -> None:
        self.stack.addWidget(screen)

    def show_screen(self, screen: QWidget) -> None:
        self.flow.reset_for_next_person()
        self.topbar.hide()
        self.stack.setCurrentWidget(screen)
        self.navigation.staff_screen(screen)

    def show_patient_screens(self) -> None:
        self.flow.reset_for_next_person()
        self.topbar.setVisible(not self.settings.paused)

    def show_paused(self, paused: bool) -> None:
        """While paused, patients see only that feedback is paused on this ward."""
        self.settings.paused = paused
        self.flow.paused = paused
        self.question.show_paused(paused)
        if self.staff is None or not self.staff.active:
            self.topbar.setVisible(not paused)

    def _exit(self) -> None:
        self.allow_close = True
        self.exit_requested.emit()

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
            self.staff.show_sync(status)
        log.info(
            "sync %s: %d waiting, %d rejected%s",
            status.state,
            status.pending,
            status.rejected,
            f"; {status.last_error}" if status.last_error else "",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # A kiosk: Alt+F4 or a close button does nothing, except from staff mode.
        if self.allow_close or (self.staff is not None and self.staff.active):
            event.accept()
        else:
            log.info("ignored a request to close the kiosk outside staff mode")
            event.ignore()

    def shutdown(self) -> None:
        """Stop syncing and speaking and close the store; the window is not used after this."""
        self.allow_close = True
        self.speech.shutdown()
        if self.sync is not None:
            sync, self.sync = self.sync, None
            sync.stop()
        self.store.close()

    # -- language and look ---------------------------------------------------------------

    def _change_look(self, **change: Any) -> None:
        self.look = replace(self.look, **change)
        self._apply_look()

    def _show_text(self) -> None:
        survey, language = self.flow.survey, self.flow.language
        self._shown = (language, survey.id)
        # Screen readers choose their voice by it (each language button carries its own).
        locale = QLocale(language)
        parts = (self.topbar, self.question, self.followup, self.thanks, self.more_time)
        for part in (*parts, self.picker.heading):
            part.setLocale(locale)
        location = self.config.location
        self.topbar.show_state(survey, language, self.look.large_text, self.look.high_contrast)
        self.question.show_text(
            survey, language, location.shown_name, self.config.survey.lead_in, self.config.is_demo
        )
        self.followup.show_text(survey, language)
        self.thanks.show_text(survey, language)
        self.more_time.show_text(survey, language)
        self.picker.show_text(survey, language)
        self.read_aloud.show_button()

    def _apply_look(self) -> None:
        language = self.survey.language(self.flow.language)
        self.look = replace(self.look, family=language.font)
        self.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if language.rtl else Qt.LayoutDirection.LeftToRight
        )
        # On the application, not in the stylesheet or on the window: under a stylesheet, Qt
        # hands neither's family on to the labels and buttons, which then draw Urdu in a system
        # font, mid-word. Restyling after it (always) is what makes every widget take it up.
        font = language_font(language.font)
        if QApplication.font().families() != font.families():  # each change restyles all
            QApplication.setFont(font)
        self.setStyleSheet(self.look.stylesheet())
        colours = self.look.colours
        for face in self.question.faces.values():
            face.set_colours(colours)
        self.focus_ring.set_style(self.look.ring_band, colours["focus_edge"], colours["focus"])
        self.topbar.set_colours(colours["header_text"], round(self.look.base_px * 1.1))
        self._fit(self.width(), self.height())

    def _fit(self, width: int, height: int) -> None:
        """Lay every patient screen out for the window's size and the text size."""
        look = self.look
        self.topbar.fit(width)
        qr_side = max(120, min(200, look.base_px * 5))
        self.question.set_mode(height > width, look.large_text, width, qr_side)
        self.followup.fit(look.colours["header_text"])
        self.picker.fit(width, height, look.base_px)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        self.thanks.set_portrait(size.height() > size.width())
        if self.more_time.isVisible():
            self.more_time.setGeometry(self.rect())
        look = self.look.for_window(size.width(), size.height())
        if look != self.look:
            self.look = look
            self._apply_look()
        else:
            self._fit(size.width(), size.height())
