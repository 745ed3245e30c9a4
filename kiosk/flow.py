"""The patient flow's rules, without Qt: what a tap, a send, idling or the end of thanks does.

``PatientFlow`` turns intent from the patient screens into store calls (through
``FeedbackSession``) and screen intents on a ``View``. The Qt window is one view; tests use a fake.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from kiosk.session import FeedbackSession
from kiosk.store import StoreError
from kiosk.survey import Survey

log = logging.getLogger(__name__)


class Screen(StrEnum):
    """The patient screen the flow has put up."""

    QUESTION = "question"
    FOLLOWUP = "followup"
    THANKS = "thanks"


class View(Protocol):
    """What the flow asks of whatever draws the patient screens."""

    def show_question(self) -> None:
        """Put the question screen up (ending any thank-you countdown and typing)."""

    def show_followup(self, rating: int) -> None:
        """Put up a fresh follow-up screen for someone who answered *rating*."""

    def show_thanks(self, seconds: int) -> None:
        """Thank them and count *seconds* down; then call ``PatientFlow.thanks_over``."""

    def show_alert(self, text: str) -> None:
        """Show *text* to the patient on the question screen; an empty string clears it."""

    def show_language(self, code: str) -> None:
        """Draw every patient screen in language *code*."""

    def restore_defaults(self, language: str) -> None:
        """Language *language* and the standard look (no large text, no high contrast)."""

    def followup_answers(self) -> tuple[list[str], str]:
        """The themes chosen and the comment as typed so far on the follow-up screen."""

    def start_idle_timer(self) -> None:
        """(Re)start the idle countdown; when it ends, call ``PatientFlow.idle_timeout``."""

    def stop_idle_timer(self) -> None: ...

    def respondent_finished(self) -> None:
        """Someone is done and their record is complete: a good moment to sync."""

    def alert_staff(self, text: str) -> None:
        """Something staff must know; shown in staff mode."""

    def staff_has_screen(self) -> bool:
        """Whether staff mode or the public board is up; the patient flow then stands aside."""


class PatientFlow:
    """One respondent after another: question, follow-up, thanks, and back for the next person.

    Attributes:
        session: the respondent's record (``session.origin`` is what every response carries).
        screen: the patient screen the flow last put up.
        language: code of the language the patient chose; the survey's first between people.
        paused: the ward has paused feedback; taps are ignored and nothing is stored.
        thanks_seconds: how long the thank-you screen stays.
    """

    def __init__(
        self,
        view: View,
        session: FeedbackSession,
        survey: Survey,
        *,
        thanks_seconds: int,
        paused: bool = False,
    ) -> None:
        self.view = view
        self.session = session
        self.survey = survey
        self.thanks_seconds = thanks_seconds
        self.paused = paused
        self.screen = Screen.QUESTION
        self.language = survey.default_language
        self.last_activity = session.clock()

    # -- intent from the patient ---------------------------------------------------------

    def rate(self, code: int) -> None:
        """A face was tapped: store it durably, then ask what was good or could be better."""
        if self.screen is not Screen.QUESTION or self.paused or self.view.staff_has_screen():
            return
        try:
            response_id = self.session.rate(code, self.language)
        except StoreError as exc:
            log.error("could not save a response: %s", exc)
            self.view.show_alert(self.survey.text("save_failed", self.language))
            self.view.alert_staff(f"Feedback could not be saved: {exc}")
            return
        if response_id is None:
            return  # a second tap while the first one's response is still open
        self.view.show_alert("")
        self.screen = Screen.FOLLOWUP
        self.view.show_followup(code)
        self.view.start_idle_timer()

    def send(self, themes: Iterable[str], comment: str) -> None:
        """Send on the follow-up screen: keep what was given, then thanks."""
        if self.screen is not Screen.FOLLOWUP:
            return
        self._keep_followup(themes, comment)
        self._finish_respondent()
        self._thank()

    def skip(self) -> None:
        """Skip on the follow-up screen: the rating alone stands, then thanks."""
        if self.screen is not Screen.FOLLOWUP:
            return
        self._finish_respondent()
        self._thank()

    def choose_language(self, code: str) -> None:
        self.language = code
        self.view.show_language(code)

    def user_input(self) -> None:
        """Someone touched the screen or a key: they are still here."""
        self.last_activity = self.session.clock()
        if not self.view.staff_has_screen():  # staff mode keeps its own lock timer
            self.view.start_idle_timer()

    # -- time ----------------------------------------------------------------------------

    def idle_timeout(self) -> None:
        self.reset_for_next_person()

    def thanks_over(self) -> None:
        self.reset_for_next_person()

    def reset_for_next_person(self) -> None:
        """Back to the question with the kiosk's defaults, keeping whatever was answered."""
        if self.view.staff_has_screen():
            return  # staff mode has its own lock; the public board stays until touched
        if self.screen is Screen.FOLLOWUP:
            # Walked away mid-sentence: what they chose and typed is kept as it stands.
            self._keep_followup(*self.view.followup_answers())
        if self.session.current is not None:
            # The repeat-tap window starts from their last touch, not from this timeout.
            self._finish_respondent(self.last_activity)
        self.screen = Screen.QUESTION
        self.view.stop_idle_timer()
        # The kiosk's own language and look first, so the question comes up (and is announced
        # to a screen reader) as the next person will see it.
        self.language = self.survey.default_language
        self.view.restore_defaults(self.language)
        self.view.show_question()

    # -- the record ----------------------------------------------------------------------

    def _thank(self) -> None:
        self.screen = Screen.THANKS
        self.view.show_thanks(self.thanks_seconds)

    def _keep_followup(self, themes: Iterable[str], comment: str) -> None:
        try:
            self.session.follow_up(themes, comment)
        except StoreError as exc:
            # The rating itself is already safe; only the extra words are lost.
            log.error("could not save a follow-up: %s", exc)

    def _finish_respondent(self, last_activity: float | None = None) -> None:
        try:
            self.session.finish(last_activity)
        except StoreError as exc:
            log.error("could not mark a response finished: %s", exc)
        self.view.respondent_finished()
