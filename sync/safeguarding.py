"""Safeguarding words: the default list, and finding them in a comment the same way on the
kiosk's staff screens and in the trust's web app, so both pin and highlight the same comments.

A word matches at the start of a word, whatever the case, in any script: "hit" finds "Hit"
and "hitting" but not "white"; "self-harm" and "kill myself" match as written. The kiosk
imports this at start-up, so it stays import-light.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

#: Comments holding any of these are pinned and highlighted, unless a ward sets its own list
#: (the kiosk's ``[staff] safeguarding_words``).
DEFAULT_WORDS: tuple[str, ...] = (
    "abuse",
    "abused",
    "hurt",
    "hit",
    "unsafe",
    "scared",
    "afraid",
    "suicide",
    "kill myself",
    "self-harm",
    "neglect",
)


class Run(NamedTuple):
    """A stretch of a comment: ``marked`` if it is a safeguarding word."""

    text: str
    marked: bool


def _in_a_word(character: str) -> bool:
    """Whether *character* belongs to a word: a letter, a digit, a combining mark (Urdu's
    vowel marks, an accent typed separately) or an underscore."""
    return character == "_" or unicodedata.category(character)[0] in "LNM"


@functools.lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the list, made once: a page checks every comment of a month with it.
    Longest first, so "kill myself" is found whole rather than stopping at a shorter word."""
    wanted = sorted({w.strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
    if not wanted:
        return None
    return re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE)


def spans(comment: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where *words* start a word in *comment*, as ``(start, end)`` character offsets, in
    order and never overlapping."""
    pattern = _pattern(tuple(words))
    if pattern is None:
        return []
    found: list[tuple[int, int]] = []
    position = 0
    while (match := pattern.search(comment, position)) is not None:
        start, end = match.span()
        if start > 0 and _in_a_word(comment[start - 1]):
            # Inside a word ("white" for "hit"): try again one character on, where a
            # shorter word of the list may still start a word.
            position = start + 1
            continue
        found.append((start, end))
        position = end
    return found


def mentions(comment: str, words: Sequence[str]) -> bool:
    """Whether any of *words* starts a word in *comment*, whatever the case of either."""
    return bool(spans(comment, words))


def marked(comment: str, words: Sequence[str]) -> list[Run]:
    """*comment* as runs of plain text and safeguarding words, in order, so a page can wrap
    each word in ``<mark>`` while every run is still escaped as text."""
    runs: list[Run] = []
    position = 0
    for start, end in spans(comment, words):
        if start > position:
            runs.append(Run(comment[position:start], False))
        runs.append(Run(comment[start:end], True))
        position = end
    if position < len(comment) or not runs:
        runs.append(Run(comment[position:], False))
    return runs
