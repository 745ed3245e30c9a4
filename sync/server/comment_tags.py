"""Comment tags as people see them: the tagger's themes (NHS England's framework categories)
and sentiment for each comment, with the newest correction a person made winning over them;
a ward's theme counts per month; its comments filtered by tag; corrections stored apart from
the model's tags (and audited); ``tag_training`` exports them as new training data.

Neither Qt nor NumPy: the web app reads the framework's theme names from the shipped model's
JSON metadata, never by loading the model (the analysis extra is not a web app dependency).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server import accounts
from sync.server.devices import Place
from sync.server.schema import comment_tags, responses, tag_corrections
from sync.server.ward_responses import (
    COMMENT_COLUMNS,
    PAGE_LIMIT,
    Comment,
    comment_from,
    ward_is,
)

#: Sentiment as the framework scores it, in words a ward manager reads.
SENTIMENTS = {
    1: "Very positive",
    2: "Positive",
    3: "Neutral or mixed",
    4: "Negative",
    5: "Very negative",
}
#: The shipped model's metadata, which names every theme it gives in the framework's order.
MODEL_JSON = Path(__file__).resolve().parents[1] / "analysis" / "model" / "tagger.json"
#: The audit log's action for a correction.
TAGS_CORRECTED = "comment tags corrected"
#: The most themes one correction may hold: the framework has 43.
MOST_THEMES = 60
#: A theme name longer than this is not one of the framework's.
NAME_LIMIT = 100
# Ids per ``IN (...)`` when tags are read for a list of comments.
_CHUNK = 500


@dataclass(frozen=True)
class Tags:
    """What a comment is about and how it feels, as shown and counted.

    Attributes:
        themes: framework category names; empty when none applies.
        sentiment: 1 (very positive) to 5 (very negative), or None when not given.
        corrected: a person set these (the newest correction), not the model.
        model_version: the version of the model that tagged it ("" if the model has not).
    """

    themes: tuple[str, ...]
    sentiment: int | None
    corrected: bool
    model_version: str


@dataclass(frozen=True)
class ThemeMonths:
    """A ward's tagged comments month by month (repeat taps left out, as in the figures).

    Attributes:
        months: each month's first day, oldest first.
        counts: theme name -> comments with that theme, one per month.
        comments: comments each month, tagged or not.
        tagged: of them, those with tags (from the model or a person).
        sentiments: each month's comments by sentiment (1-5; None: no sentiment yet).
    """

    months: list[date]
    counts: dict[str, list[int]]
    comments: list[int]
    tagged: list[int]
    sentiments: list[dict[int | None, int]]


# -- theme names -------------------------------------------------------------------------------


def framework_themes(path: Path = MODEL_JSON) -> tuple[str, ...]:
    """Every theme the shipped model gives, in the framework's order; empty when its metadata
    cannot be read (the pages then offer the themes already stored)."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _themes_in(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _themes_in(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The theme names in the model metadata at *path*, read once per version of the file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return ()
    themes = data.get("themes") if isinstance(data, dict) else None
    return names(json.dumps(themes)) if isinstance(themes, list) else ()


@functools.lru_cache(maxsize=4096)
def names(stored: str | None) -> tuple[str, ...]:
    """Theme names from their stored JSON array; anything else stored is no names, never an
    error (the page must show whatever the database holds). Cached: a ward's year of comments
    holds a few hundred different sets of themes, read again on every page."""
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    found = [v for v in value if isinstance(v, str) and v.strip() and len(v) <= NAME_LIMIT]
    return tuple(dict.fromkeys(found))


def sentiment_words(sentiment: int | None) -> str:
    return SENTIMENTS.get(sentiment or 0, "Not given")


# -- reading -----------------------------------------------------------------------------------

_corrections = tag_corrections.alias("newest_correction")
_newest = (
    sa.select(sa.func.max(tag_corrections.c.id))
    .where(tag_corrections.c.response_id == responses.c.id)
    .correlate(responses)
    .scalar_subquery()
)
#: A response with its model tags and its newest correction, if any (corrections are few:
#: each is a person's, and the subquery walks ``tag_corrections``' index on ``response_id``).
_TAGGED = responses.outerjoin(comment_tags, comment_tags.c.response_id == responses.c.id).outerjoin(
    _corrections,
    sa.and_(_corrections.c.response_id == responses.c.id, _corrections.c.id == _newest),
)
_CORRECTED = _corrections.c.id.is_not(None)
#: The tags that count: a person's newest correction, else the model's.
_themes_now = sa.case((_CORRECTED, _corrections.c.themes), else_=comment_tags.c.themes)
_sentiment_now = sa.case((_CORRECTED, _corrections.c.sentiment), else_=comment_tags.c.sentiment)
_TAG_COLUMNS = (
    _themes_now.label("tag_themes"),
    _sentiment_now.label("tag_sentiment"),
    _corrections.c.id.label("correction_id"),
    comment_tags.c.response_id.label("tagged_id"),
    comment_tags.c.model_version,
)


def _tags(row: Any) -> Tags | None:
    if row.correction_id is None and row.tagged_id is None:
        return None
    sentiment = row.tag_sentiment if row.tag_sentiment in SENTIMENTS else None
    return Tags(
        names(row.tag_themes), sentiment, row.correction_id is not None, row.model_version or ""
    )


def tags_for(engine: Engine, ids: Iterable[str]) -> dict[str, Tags]:
    """The tags that count for each of *ids* that has any (absent: not tagged yet)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Tags] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = sa.select(responses.c.id, *_TAG_COLUMNS).select_from(_TAGGED)
            for row in conn.execute(query.where(responses.c.id.in_(chunk))):
                if (tags := _tags(row)) is not None:
                    found[row.id] = tags
    return found


def comment(engine: Engine, response_id: str) -> tuple[Place, Comment, Tags | None] | None:
    """One response's comment, its ward and its tags; None if there is no such comment."""
    query = (
        sa.select(
            *COMMENT_COLUMNS,
            responses.c.org_code,
            responses.c.site_code,
            responses.c.ward_name,
            *_TAG_COLUMNS,
        )
        .select_from(_TAGGED)
        .where(responses.c.id == response_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or not row.comment:
        return None
    return Place(row.org_code, row.site_code, row.ward_name), comment_from(row), _tags(row)


def model_tags(engine: Engine, response_id: str) -> Tags | None:
    """What the model said of a comment, whatever a person has corrected since."""
    query = sa.select(comment_tags).where(comment_tags.c.response_id == response_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    sentiment = row.sentiment if row.sentiment in SENTIMENTS else None
    return Tags(names(row.themes), sentiment, False, row.model_version)


def ward_comments(
    engine: Engine,
    place: Place,
    first: date,
    last: date,
    *,
    search: str = "",
    ratings: frozenset[int] | None = None,
    chip: str | None = None,
    theme: str | None = None,
    sentiment: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Comment, Tags | None]], int]:
    """The ward's comments from ward date *first* to *last*, newest first, a page at a time,
    each with its tags; filtered by *search* (text the comment holds, ignoring case; ``%`` and
    ``_`` are just characters), *ratings* (FFT codes; an empty set matches none), *chip* (a
    theme chip the patient tapped), and by the tags that count: *theme* (a
    framework category) and *sentiment* (1-5).

    The rows come through ``responses_by_ward_date`` for the ward and period (a few hundred a
    month) and each is joined to its tags by primary key, so a tag filter costs no more
    than reading the ward's month.

    :returns: the page, and how many comments match in all (for pagination).
    """
    where = [
        *ward_is(responses, place),
        responses.c.local_date.between(first, last),
        responses.c.comment.is_not(None),
        responses.c.comment != "",
    ]
    if search.strip():
        where.append(responses.c.comment.icontains(search.strip(), autoescape=True))
    if ratings is not None:
        where.append(responses.c.rating.in_(sorted(ratings)))
    if chip:
        # Answers are stored as {"themes": [...]}: the chip in quotes is one whole chip.
        where.append(responses.c.answers.contains(json.dumps(chip), autoescape=True))
    if theme:
        # Stored as a JSON array of names: the name in quotes is one whole theme.
        where.append(_themes_now.contains(json.dumps(theme), autoescape=True))
    if sentiment is not None:
        where.append(_sentiment_now == sentiment)
    page = (
        sa.select(*COMMENT_COLUMNS, *_TAG_COLUMNS)
        .select_from(_TAGGED)
        .where(*where)
        # Newest first, walking the ward-and-date index backwards to the page's end.
        .order_by(
            responses.c.local_date.desc(), responses.c.answered_at.desc(), responses.c.id.desc()
        )
        .limit(min(max(limit, 1), PAGE_LIMIT))
        .offset(max(offset, 0))
    )
    counted = sa.select(sa.func.count()).select_from(_TAGGED).where(*where)
    with engine.connect() as conn:
        matching = int(conn.execute(counted).scalar_one())
        found = [(comment_from(row), _tags(row)) for row in conn.execute(page)]
    return found, matching


def ward_theme_months(
    engine: Engine, place: Place, months: Sequence[date], last: date
) -> ThemeMonths:
    """The ward's comments in *months* (first days, oldest first) up to ward date *last*,
    counted by theme and by sentiment with corrections applied; repeat taps left out."""
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    counts: dict[str, list[int]] = {}
    comments = [0] * len(months)
    tagged = [0] * len(months)
    sentiments: list[dict[int | None, int]] = [{} for _ in months]
    query = (
        sa.select(responses.c.local_date, *_TAG_COLUMNS)
        .select_from(_TAGGED)
        .where(
            *ward_is(responses, place),
            responses.c.local_date.between(months[0], last),
            responses.c.comment.is_not(None),
            responses.c.comment != "",
            responses.c.flags == "[]",
        )
    )
    with engine.connect() as conn:
        for row in conn.execute(query):
            i = index.get((row.local_date.year, row.local_date.month))
            if i is None:
                continue
            comments[i] += 1
            tags = _tags(row)
            if tags is None:
                continue
            tagged[i] += 1
            sentiments[i][tags.sentiment] = sentiments[i].get(tags.sentiment, 0) + 1
            for theme in tags.themes:
                counts.setdefault(theme, [0] * len(months))[i] += 1
    return ThemeMonths(list(months), counts, comments, tagged, sentiments)


# -- correcting --------------------------------------------------------------------------------


def correct(
    engine: Engine,
    response_id: str,
    themes: Sequence[str],
    sentiment: int | None,
    actor: accounts.Actor,
    at: datetime,
    where: str,
) -> None:
    """Keep a person's tags for a comment (the whole set: *themes* and *sentiment*), apart
    from the model's, which stay as they were; and audit it in the same transaction.

    :param where: the comment's ward in words, for the audit log (never the comment itself:
        the log is not a place for patient words).
    """
    chosen = list(dict.fromkeys(themes))
    said = ", ".join(chosen) or "none"
    detail = (
        f"comment {response_id} on {where}: themes {said}; sentiment {sentiment_words(sentiment)}"
    )
    with engine.begin() as conn:
        conn.execute(
            tag_corrections.insert().values(
                response_id=response_id,
                themes=json.dumps(chosen),
                sentiment=sentiment,
                corrected_by=actor.user_id,
                corrected_at=at,
            )
        )
        accounts.audit(conn, actor, TAGS_CORRECTED, detail[:2000], at)
