"""Comments as staff read them: any with the ward's safeguarding words first, to read now,
then the rest, newest first, each headed by when it was given, the answer and its themes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from kiosk.staff_figures import theme_words
from kiosk.store import LocalStore
from kiosk.survey import Survey
from sync import fft, safeguarding

Comment = Mapping[str, Any]  # one of ``LocalStore.comments``: answered_at, rating, themes...

SAFEGUARDING = "Safeguarding: read now."


@dataclass(frozen=True)
class StaffComment:
    """One comment in the staff list.

    Attributes:
        text: its heading line, then the comment as given.
        safeguarding: it holds a safeguarding word, so it is pinned and highlighted.
    """

    text: str
    safeguarding: bool


def mentions(comment: str, words: Sequence[str]) -> bool:
    """Whether any of *words* starts a word in *comment*, whatever the case of either: the
    web app's rule (``sync.safeguarding``), so both pin the same comments."""
    return safeguarding.mentions(comment, words)


def safeguarding_split(
    comments: Sequence[Comment], words: Sequence[str]
) -> tuple[list[Comment], list[Comment]]:
    """The comments holding any of *words*, then the others, each in the order given."""
    flagged: list[Comment] = []
    ordinary: list[Comment] = []
    for comment in comments:
        (flagged if mentions(comment["comment"], words) else ordinary).append(comment)
    return flagged, ordinary


def heading(comment: Comment, survey: Survey, zone: tzinfo) -> str:
    """When it was given (ward time), the answer and any themes: ``03 Nov 14:05 · Poor · Noise``."""
    when = datetime.fromisoformat(comment["answered_at"]).astimezone(zone)
    head = f"{when:%d %b %H:%M} · {fft.CODES[comment['rating']]}"
    if comment["themes"]:
        head += " · " + ", ".join(theme_words(survey, theme) for theme in comment["themes"])
    return head


def staff_comments(
    store: LocalStore,
    survey: Survey,
    zone: tzinfo,
    words: Sequence[str],
    first: date,
    last: date,
    codes: Sequence[int] = tuple(fft.CODES),
) -> list[StaffComment]:
    """The comments given on ward dates *first* to *last* with an answer in *codes*,
    safeguarding ones first."""
    flagged, ordinary = safeguarding_split(store.comments(first, last, codes=codes), words)
    return [
        StaffComment(f"{SAFEGUARDING} {heading(c, survey, zone)}\n{c['comment']}", True)
        for c in flagged
    ] + [StaffComment(f"{heading(c, survey, zone)}\n{c['comment']}", False) for c in ordinary]
