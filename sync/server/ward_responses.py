"""One ward's own responses for a period: what a comment is (``Comment``, listed with its
tags by ``comment_tags.ward_comments``), the comments that mention safeguarding words, and the
ward's CSV download. Each reads ``responses`` through the index ``responses_by_ward_date`` for
one ward and period.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import fft, safeguarding
from sync.server.devices import Place
from sync.server.schema import responses
from sync.spreadsheet import RESPONSE_COLUMNS, csv_text

#: The most comments one page may ask for.
PAGE_LIMIT = 500


@dataclass(frozen=True)
class Comment:
    """A response with a comment, as the ward page lists it.

    Attributes:
        answered_at: when (UTC).
        local_date: the ward's date.
        rating: the FFT code, 1-6.
        themes: the theme chips chosen with it.
        flagged: the response had a flag (e.g. ``repeat-tap``) and is left out of figures.
    """

    id: str
    answered_at: datetime
    local_date: date
    rating: int
    themes: tuple[str, ...]
    comment: str
    language: str
    flagged: bool


#: What a comment is read with (``comment_from``).
COMMENT_COLUMNS = (
    responses.c.id,
    responses.c.answered_at,
    responses.c.local_date,
    responses.c.rating,
    responses.c.answers,
    responses.c.comment,
    responses.c.language,
    responses.c.flags,
)
_COMMENT_COLUMNS: sa.Select[Any] = sa.select(*COMMENT_COLUMNS)


def ward_comments_mentioning(
    engine: Engine,
    place: Place,
    first: date,
    last: date,
    words: Sequence[str],
    limit: int = PAGE_LIMIT,
) -> tuple[list[Comment], int]:
    """The ward's comments from ward date *first* to *last* in which any of *words* starts a
    word (``sync.safeguarding``'s rule, whatever the case, in any script), newest first.

    The rule is applied here rather than in SQL, where case folding and word starts differ
    between databases: the ward's comments for the period are read through the ward-and-date
    index, a few hundred to a few thousand rows.

    :returns: the newest *limit* of them, and how many there are in all.
    """
    table = responses
    query = _COMMENT_COLUMNS.where(
        *ward_is(table, place),
        table.c.local_date.between(first, last),
        table.c.comment.is_not(None),
        table.c.comment != "",
    ).order_by(table.c.local_date.desc(), table.c.answered_at.desc(), table.c.id.desc())
    found: list[Comment] = []
    matching = 0
    with engine.connect() as conn:
        for row in conn.execute(query):
            if safeguarding.mentions(row.comment, words):
                matching += 1
                if len(found) < limit:
                    found.append(comment_from(row))
    return found, matching


def comment_from(row: Any) -> Comment:
    """The ``Comment`` of a row read with ``COMMENT_COLUMNS`` (and maybe more)."""
    return Comment(
        id=row.id,
        answered_at=aware(row.answered_at),
        local_date=row.local_date,
        rating=row.rating,
        themes=tuple(_themes(row.answers)),
        comment=row.comment,
        language=row.language,
        flagged=row.flags != "[]",
    )


CSV_COLUMNS = RESPONSE_COLUMNS


def ward_responses_csv(engine: Engine, place: Place, first: date, last: date) -> str:
    """Every response of the ward from ward date *first* to *last*, oldest first, as CSV
    (``CSV_COLUMNS``; themes and flags separated by "; "). Every cell is safe to open in a
    spreadsheet: a comment can never become a formula."""
    table = responses
    query = (
        sa.select(
            table.c.id,
            table.c.answered_at,
            table.c.local_date,
            table.c.rating,
            table.c.answers,
            table.c.comment,
            table.c.language,
            table.c.mode,
            table.c.flags,
        )
        .where(*ward_is(table, place), table.c.local_date.between(first, last))
        .order_by(table.c.local_date, table.c.answered_at, table.c.id)
    )
    with engine.connect() as conn:
        rows = [
            [
                row.id,
                aware(row.answered_at).isoformat(),
                row.local_date.isoformat(),
                row.rating,
                fft.CODES.get(row.rating, ""),
                "; ".join(_themes(row.answers)),
                row.comment or "",
                row.language,
                row.mode,
                "; ".join(json.loads(row.flags)),
            ]
            for row in conn.execute(query)
        ]
    return csv_text(CSV_COLUMNS, rows)


def ward_is(table: sa.Table, place: Place) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping *table*'s rows to one ward."""
    return [
        table.c.org_code == place.org_code,
        table.c.site_code == place.site_code,
        table.c.ward_name == place.ward_name,
    ]


def aware(moment: datetime) -> datetime:
    """A stored time as UTC: SQLite hands back naive datetimes, and everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _themes(answers: str) -> list[str]:
    """The chips of a stored ``answers``; none from a value that is not what ingest stores."""
    try:
        themes = json.loads(answers).get("themes", [])
    except (ValueError, AttributeError):
        return []
    return [str(theme) for theme in themes] if isinstance(themes, list) else []
