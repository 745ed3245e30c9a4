"""Who is answering now, and when a tap is a repeat: the respondent's record, without Qt.

``kiosk.flow.PatientFlow`` drives it; the session turns "rated 2" or "sent these themes" into
store calls. A clock is injected so the repeat-tap rule is tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from kiosk.config import KioskConfig
from kiosk.store import REPEAT_TAP, LocalStore, Origin
from kiosk.survey import Survey


def origin_for(config: KioskConfig, survey: Survey) -> Origin:
    """What every response from the kiosk *config* describes carries: its place, and the
    ward's own *survey* (a response to another version says so, ``FeedbackSession.rate``)."""
    location = config.location
    return Origin(
        survey_id=survey.id,
        survey_version=survey.version,
        org_code=location.org_code,
        site_code=location.site_code,
        ward_name=location.ward_name,
        mode=config.kiosk.mode,
        timezone=location.zone,
    )


class FeedbackSession:
    """The respondent currently at the kiosk, if any.

    Attributes:
        current: id of the response being answered, None between respondents.
        rating: the FFT code of ``current``.
        clock: seconds on a monotonic clock; the flow times activity on the same one.
    """

    def __init__(
        self,
        store: LocalStore,
        origin: Origin,
        repeat_tap_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.origin = origin
        self.repeat_tap_seconds = repeat_tap_seconds
        self.clock = clock
        self._last_finished: float | None = None
        self.current: str | None = None
        self.rating: int | None = None

    def rate(self, rating: int, language: str, survey: tuple[str, int] | None = None) -> str | None:
        """Record a face tap durably; None if a response is already open (a double tap).

        :param survey: the id and version of the survey whose question was answered, where
            the patient switched from the ward's own (``origin``'s) to another version.
        :raises StoreError: the response could not be saved (nothing was recorded).
        """
        if self.current is not None:
            return None
        flags = []
        if (
            self._last_finished is not None
            and self.clock() - self._last_finished < self.repeat_tap_seconds
        ):
            flags.append(REPEAT_TAP)
        origin = self.origin
        if survey is not None:
            origin = replace(origin, survey_id=survey[0], survey_version=survey[1])
        self.current = self.store.record(rating, origin, language=language, flags=flags)
        self.rating = rating
        return self.current

    def follow_up(self, themes: Iterable[str], comment: str) -> None:
        """Store what the respondent gave on the follow-up screen on the same record."""
        themes = list(themes)
        if self.current is not None and (themes or comment.strip()):
            self.store.add_followup(self.current, themes, comment)

    def finish(self, last_activity: float | None = None) -> None:
        """The respondent is done.

        :param last_activity: clock time of their last touch. An idle reset passes it, so the
            repeat-tap window starts when they walked away, not when the timer fired.
        """
        if self.current is None:
            return
        response_id, self.current, self.rating = self.current, None, None
        self._last_finished = self.clock() if last_activity is None else last_activity
        self.store.finish(response_id)
