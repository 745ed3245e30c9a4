"""The Ward page's comments: what they are narrowed to (search, answers, the chip the patient
tapped, what the comment talks about and how it feels), one page of them with each one's tags,
and the numbered pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from sync import fft, safeguarding
from sync.server import comment_tags
from sync.server.comment_tags import Tags
from sync.server.devices import Place
from sync.server.ward_responses import Comment
from sync.server.web.auth import PageError
from sync.server.web.times import london

LONDON = ZoneInfo("Europe/London")
#: Comments on one page of the list.
PER_PAGE = 50
#: A search longer than this is cut: no comment phrase worth finding is longer.
SEARCH_LIMIT = 200
#: The kiosk's languages by their English names; any other shows its code.
LANGUAGES = {"en": "English", "cy": "Welsh", "ur": "Urdu"}
# As ``sync.protocol.Word``: a theme chip's id.
CHIP = re.compile(r"[a-z0-9][a-z0-9_\-]{0,39}")


@dataclass(frozen=True)
class Filters:
    """What the comments are narrowed to: search text, answers (empty: all), the theme chip
    the patient tapped, the framework theme the comment's tags hold, and its sentiment."""

    search: str = ""
    ratings: frozenset[int] = frozenset()
    theme: str = ""
    topic: str = ""
    sentiment: int | None = None

    def query(self) -> list[tuple[str, str]]:
        """The filters as the page's query pairs, so that every link keeps them."""
        pairs = [("q", self.search)] if self.search else []
        pairs += [("rating", str(code)) for code in sorted(self.ratings)]
        pairs += [("theme", self.theme)] if self.theme else []
        pairs += [("topic", self.topic)] if self.topic else []
        return pairs + ([("sentiment", str(self.sentiment))] if self.sentiment else [])


def plain(text: str) -> bool:
    """No control characters (a NUL cannot even be sent to PostgreSQL)."""
    return not any(unicodedata.category(c) == "Cc" for c in text)


def filters(
    q: str, rating: list[str], theme: str, topic: str, sentiment: str, back: str
) -> Filters:
    """The filters from the address, or the 400 page saying which one cannot be used."""

    def refuse(message: str) -> PageError:
        return PageError(
            400, "Those comments cannot be shown", message, (back, "Show every comment")
        )

    codes: set[int] = set()
    for value in rating:
        if value not in {str(code) for code in fft.CODES}:
            raise refuse(
                "The answer to filter by must be one of the six on the page. Tick the answers "
                "you want, or none for every answer."
            )
        codes.add(int(value))
    if theme and not CHIP.fullmatch(theme):
        raise refuse("Choose what patients tapped from the list, or all of it.")
    if topic and not (len(topic) <= comment_tags.NAME_LIMIT and plain(topic) and topic.strip()):
        raise refuse("Choose what the comments talk about from the list, or any topic.")
    if sentiment and sentiment not in {str(level) for level in comment_tags.SENTIMENTS}:
        raise refuse("Choose how the comments feel from the list, or any feeling.")
    search = "".join(c for c in q if plain(c)).strip()[:SEARCH_LIMIT]
    return Filters(search, frozenset(codes), theme, topic, int(sentiment) if sentiment else None)


def page_number(value: str, back: str) -> int:
    if not (value.isascii() and value.isdigit() and 0 < len(value) < 7 and int(value) > 0):
        raise PageError(
            400,
            "There is no such page of comments",
            "The page number in the web address must be a whole number from 1. Go to the "
            "first page of comments.",
            (back, "Go to the first page of comments"),
        )
    return int(value)


def theme_words(theme: str) -> str:
    """A theme chip's id as words: ``waiting-times`` is "Waiting times". The server has no
    survey to look its words up in; kiosks send the id."""
    words = theme.replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def chip_choices(themes: Iterable[str], chosen: str) -> list[dict[str, Any]]:
    ids = sorted(set(themes) | ({chosen} if chosen else set()), key=theme_words)
    return [{"id": t, "words": theme_words(t), "selected": t == chosen} for t in ids]


def topic_choices(known: Iterable[str], chosen: str) -> list[dict[str, Any]]:
    """The framework themes to filter by, A to Z (the list is long; a person looks one up)."""
    names = sorted(set(known) | ({chosen} if chosen else set()), key=str.casefold)
    return [{"name": name, "selected": name == chosen} for name in names]


def sentiment_choices(chosen: int | None) -> list[dict[str, Any]]:
    return [
        {"value": level, "words": words, "selected": level == chosen}
        for level, words in comment_tags.SENTIMENTS.items()
    ]


def comments_page(
    engine: Engine, place: Place, first: date, last: date, chosen: Filters, number: int
) -> tuple[list[tuple[Comment, Tags | None]], int]:
    return comment_tags.ward_comments(
        engine,
        place,
        first,
        last,
        search=chosen.search,
        ratings=chosen.ratings or None,
        chip=chosen.theme or None,
        theme=chosen.topic or None,
        sentiment=chosen.sentiment,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )


def comment_link(response_id: str) -> str:
    """The comment's own page: its tags and the form that corrects them."""
    return f"/comments/{quote(response_id, safe='')}"


def tag_words(tags: Tags | None) -> dict[str, Any]:
    """A comment's tags as a ward manager reads them: its themes, its sentiment in words, and
    whether the model or a person said so; ``tagged`` False when neither has yet."""
    if tags is None:
        return {"tagged": False, "themes": [], "sentiment": "", "by": ""}
    return {
        "tagged": True,
        "themes": list(tags.themes),
        "sentiment": comment_tags.sentiment_words(tags.sentiment),
        "by": "corrected by a person" if tags.corrected else "automatic",
    }


def comment_item(comment: Comment, tags: Tags | None, words: tuple[str, ...]) -> dict[str, Any]:
    """A comment as the page lists it, with its tags and the link to correct them."""
    runs = safeguarding.marked(comment.comment, words)
    return {
        "when": london(comment.answered_at),
        "iso": comment.answered_at.astimezone(LONDON).isoformat(timespec="minutes"),
        "answer": fft.CODES.get(comment.rating, str(comment.rating)),
        "themes": [theme_words(t) for t in comment.themes],
        "language": LANGUAGES.get(comment.language, comment.language),
        "lang": comment.language,
        "runs": runs,
        "safeguarding": any(run.marked for run in runs),
        "flagged": comment.flagged,
        "tags": tag_words(tags),
        "href": comment_link(comment.id),
    }


def pagination(number: int, pages: int, link: Callable[[int], str]) -> dict[str, Any] | None:
    """The NHS numbered pagination: the first and last pages, the current one and its
    neighbours, and gaps (None) between."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, number - 1, number, number + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any] | None] = []
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            items.append(None)
        items.append({"number": n, "href": link(n), "current": n == number})
    return {
        "items": items,
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
    }
