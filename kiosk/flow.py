"""The patient flow's rules, without Qt: what a tap, a send, idling, the end of thanks, asking
for more time and reading aloud do. ``PatientFlow`` turns intent from the patient screens into
store calls (through ``FeedbackSession``) and screen intents on a ``View``; tests use a fake.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from kiosk import read_aloud
from kiosk.session import FeedbackSession
from kiosk.store import StoreError
from kiosk.survey import Survey
from kiosk.versions import SurveyVersions, speaks

log = logging.getLogger(__name__)

#: WCAG 2.2.1: "Do you need more time?" comes this long before the idle reset (or halfway
#: through an idle time under twice as long), and any touch or key answers it.
MORE_TIME_SECONDS = 20


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

    def restart_thanks(self, seconds: int) -> None:
        """Count the thank-you screen down from *seconds* again."""

    def show_alert(self, text: str) -> None:
        """Show *text* to the patient on the question screen; an empty string clears it."""

    def show_language(self, code: str) -> None:
        """Draw every patient screen in language *code*, in the flow's ``survey``."""

    def restore_defaults(self, language: str) -> None:
        """Language *language*, the ward's own survey (the flow's ``survey`` again) and the
        standard look (no large text, no high contrast)."""

    def followup_answers(self) -> tuple[list[str], str]:
        """The themes chosen and the comment as typed so far on the follow-up screen."""

    def start_idle_timer(self, more_time_after: float) -> None:
        """(Re)start the idle countdown: after *more_time_after* seconds call
        ``PatientFlow.more_time_due``, and when it ends ``PatientFlow.idle_timeout``."""

    def stop_idle_timer(self) -> None: ...

    def show_more_time(self, seconds: int) -> None:
        """Ask "Do you need more time?" over the screen, *seconds* before the idle reset."""

    def hide_more_time(self) -> None: ...

    def look_chosen(self) -> bool:
        """Whether the patient turned on larger text or high contrast."""

    def can_read_aloud(self, language: str) -> bool:
        """Whether a voice for *language* is installed."""

    def show_read_aloud(self, on: bool) -> None:
        """Show read-aloud on or off; off stops the voice."""

    def speak(self, text: str) -> None:
        """Say *text* in the language on screen, in place of whatever was being said."""

    def show_heard_face(self, code: int | None) -> None:
        """Mark the face read aloud and waiting for a second press (None: no face)."""

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
        versions: the ward's own survey and the versions the patient may switch to.
        survey: the version on screen (easy read, say); the ward's own between people. Each
            response stores the id and version of the one whose question was answered.
        screen: the patient screen the flow last put up.
        language: code of the language the patient chose; the survey's first between people.
        paused: the ward has paused feedback; taps are ignored and nothing is stored.
        thanks_seconds: how long the thank-you screen stays.
        idle_seconds: how long without a touch before the reset for the next person.
        asking_more_time: "Do you need more time?" is up.
        read_aloud: the patient turned read-aloud on: each screen is read as it comes, and a
            face is heard (read out) on its first press or focus and chosen on the next press.
        heard: the face read out and waiting for its second press, or None.
    """

    def __init__(
        self,
        view: View,
        session: FeedbackSession,
        survey: Survey,
        *,
        thanks_seconds: int,
        idle_seconds: int = 60,
        paused: bool = False,
        versions: SurveyVersions | None = None,
    ) -> None:
        self.view = view
        self.session = session
        self.versions = versions or SurveyVersions(survey)
        self.survey = self.versions.default
        self.thanks_seconds = thanks_seconds
        self.idle_seconds = idle_seconds
        self.paused = paused
        self.screen = Screen.QUESTION
        self.language = survey.default_language
        self.last_activity = session.clock()
        self.asking_more_time = False
        self.read_aloud = False
        self.heard: int | None = None

    @property
    def more_time_after(self) -> float:
        """Seconds from the last touch to "Do you need more time?"."""
        return max(self.idle_seconds - MORE_TIME_SECONDS, self.idle_seconds / 2)

    # -- intent from the patient ---------------------------------------------------------

    def press_face(self, code: int) -> None:
        """A face was pressed. With read-aloud on, a face not yet heard is only read out: a
        patient who cannot see the faces hears one before choosing it with a second press."""
        if self.read_aloud and self.heard != code:
            self.hear_face(code)
        else:
            self.rate(code)

    def hear_face(self, code: int) -> None:
        """A face was pressed or reached by keyboard or switch: with read-aloud on, say its
        number and words, and mark it as the one the next press chooses."""
        if not self.read_aloud or not self._answering():
            return
        self.heard = code
        self.view.show_heard_face(code)
        self.view.speak(read_aloud.face(self.survey, self.language, code))

    def rate(self, code: int) -> None:
        """A face was chosen: store it durably, then ask what was good or could be better."""
        if not self._answering():
            return
        try:
            response_id = self.session.rate(
                code, self.language, (self.survey.id, self.survey.version)
            )
        except StoreError as exc:
            log.error("could not save a response: %s", exc)
            self.view.show_alert(self.survey.text("save_failed", self.language))
            self.view.alert_staff(f"Feedback could not be saved: {exc}")
            return
        if response_id is None:
            return  # a second tap while the first one's response is still open
        self.view.show_alert("")
        self._forget_heard_face()
        self.screen = Screen.FOLLOWUP
        self.view.show_followup(code)
        self._read_screen()
        self.view.start_idle_timer(self.more_time_after)

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
        if not speaks(self.survey, code):
            # The version on screen has no words in it yet: the ward's own survey has.
            self.survey = self.versions.default
        self.language = code
        self.view.show_language(code)
        if self.read_aloud:
            if self.view.can_read_aloud(code):
                self._read_screen()  # the same screen, heard in the language just chosen
            else:
                self.set_read_aloud(False)

    def set_easy_read(self, on: bool) -> None:
        """The patient pressed "Easy read": its words, or back to the ward's own survey."""
        self._show_survey(self.versions.easy_read_choice(on))

    def set_for_grown_ups(self, on: bool) -> None:
        """Someone pressed "For grown-ups" on a children's ward: the standard question, or
        back to the children's one."""
        self._show_survey(self.versions.grown_ups_choice(on))

    def _show_survey(self, survey: Survey) -> None:
        # Any screen: someone on the follow-up reads its words in the new version, while the
        # response keeps the version whose question they answered. Only in a language the
        # version has (the top bar offers it only there); never another language instead.
        if speaks(survey, self.language):
            self.survey = survey
        self.view.show_language(self.language)
        self._read_screen()

    def set_read_aloud(self, on: bool) -> None:
        """The patient pressed "Read aloud": on reads the screen now and each screen as it comes."""
        self.read_aloud = on
        self._forget_heard_face()
        self.view.show_read_aloud(on)
        if on:
            self._read_screen()

    def user_input(self) -> None:
        """Someone touched the screen or a key: they are still here. It answers "Do you need
        more time?", and starts the thank-you countdown again."""
        self.last_activity = self.session.clock()
        if self.view.staff_has_screen():  # staff mode keeps its own lock timer
            return
        if self.asking_more_time:
            self.asking_more_time = False
            self.view.hide_more_time()
        self.view.start_idle_timer(self.more_time_after)
        if self.screen is Screen.THANKS:
            self.view.restart_thanks(self.thanks_seconds)

    # -- time ----------------------------------------------------------------------------

    def more_time_due(self) -> None:
        """The idle reset is near: ask, where it would take away something of the patient's
        (a follow-up, or a language, look or voice they chose); thanks ends by itself."""
        if self.view.staff_has_screen() or self.asking_more_time:
            return
        if self.screen is Screen.THANKS or (
            self.screen is Screen.QUESTION and not self._choices_made()
        ):
            return
        self.asking_more_time = True
        self.view.show_more_time(round(self.idle_seconds - self.more_time_after))
        if self.read_aloud:
            self.view.speak(read_aloud.more_time(self.survey, self.language))

    def idle_timeout(self) -> None:
        self.reset_for_next_person()

    def thanks_over(self) -> None:
        self.reset_for_next_person()

    def reset_for_next_person(self) -> None:
        """Back to the question with the kiosk's defaults, keeping whatever was answered."""
        if self.view.staff_has_screen():
            return  # staff mode has its own lock; the public board stays until touched
        if self.asking_more_time:
            self.asking_more_time = False
            self.view.hide_more_time()
        if self.screen is Screen.FOLLOWUP:
            # Walked away mid-sentence: what they chose and typed is kept as it stands.
            self._keep_followup(*self.view.followup_answers())
        if self.session.current is not None:
            # The repeat-tap window starts from their last touch, not from this timeout.
            self._finish_respondent(self.last_activity)
        self.screen = Screen.QUESTION
        self.view.stop_idle_timer()
        # The kiosk's own language, look and silence first, so the question comes up (and is
        # announced to a screen reader) as the next person will see it.
        self._forget_heard_face()
        if self.read_aloud:
            self.read_aloud = False
            self.view.show_read_aloud(False)
        self.survey = self.versions.default
        self.language = self.survey.default_language
        self.view.restore_defaults(self.language)
        self.view.show_question()

    # -- the record ----------------------------------------------------------------------

    def _answering(self) -> bool:
        return (
            self.screen is Screen.QUESTION and not self.paused and not self.view.staff_has_screen()
        )

    def _choices_made(self) -> bool:
        language = self.language != self.versions.default.default_language
        version = self.survey is not self.versions.default
        return language or version or self.read_aloud or self.view.look_chosen()

    def _forget_heard_face(self) -> None:
        if self.heard is not None:
            self.heard = None
            self.view.show_heard_face(None)

    def _read_screen(self) -> None:
        """With read-aloud on, read the screen now up, in the patient's language."""
        if not self.read_aloud:
            return
        survey, language = self.survey, self.language
        if self.screen is Screen.QUESTION:
            self.view.speak(read_aloud.question(survey, language))
        elif self.screen is Screen.FOLLOWUP:
            self.view.speak(read_aloud.followup(survey, language, self.session.rating or 1))
        else:
            self.view.speak(read_aloud.thanks(survey, language))

    def _thank(self) -> None:
        self.screen = Screen.THANKS
        self.view.show_thanks(self.thanks_seconds)
        self._read_screen()

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
