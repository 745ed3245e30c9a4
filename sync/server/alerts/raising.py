"""Raising alerts: inserting them, once each, whatever raises them and however often.

An alert row is the only thing raised here: no network, no waiting, so the tagging worker can
call it inside the transaction that stores a batch's tags. Its ``dedupe_key`` is unique, and
the insert skips a key already there (``ON CONFLICT DO NOTHING``), so the same comment, or the
same ward and period, never alerts twice, even when two server processes raise it together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sync import fft
from sync.safeguarding import DEFAULT_WORDS, mentions
from sync.server.schema import alerts
from sync.server.tagged import TaggedComment

Kind = Literal["safeguarding", "very_negative", "negative_jump"]
KINDS: dict[str, str] = {
    "safeguarding": "Safeguarding words",
    "very_negative": "Very negative comment",
    "negative_jump": "% negative jumped",
}

#: The tagger's most negative sentiment (1 very positive .. 5 very negative).
VERY_NEGATIVE = 5
#: Comments answered longer ago than this raise nothing: an alert is about what is happening
#: on the ward now, and retagging a year of history must not flood its managers' inboxes. A
#: kiosk that was offline for a fortnight still alerts when its comments arrive.
MAX_AGE = dt.timedelta(days=30)


@dataclass(frozen=True)
class NewAlert:
    """An alert to raise; ``details`` never holds a patient's words."""

    kind: Kind
    ward: tuple[str, str, str]
    dedupe_key: str
    details: str
    response_id: str | None = None


def comment_key(response_id: str) -> str:
    """One alert per comment, whichever reasons it has."""
    return f"response:{response_id}"


def comment_alert(comment: TaggedComment, words: Sequence[str] = DEFAULT_WORDS) -> NewAlert | None:
    """The alert *comment* raises, or None. Safeguarding words need no model, so they alert
    even when the tagger is not loaded (``sentiment`` None)."""
    safeguarding = bool(comment.comment) and mentions(comment.comment, words)
    very_negative = comment.sentiment == VERY_NEGATIVE
    if not (safeguarding or very_negative):
        return None
    reasons = []
    if safeguarding:
        reasons.append("holds safeguarding words")
    if very_negative:
        reasons.append("was tagged very negative (5 of 5)")
    answer = fft.CODES.get(comment.rating, "no answer")
    details = f"A comment {' and '.join(reasons)}; the patient answered {answer!r}."
    return NewAlert(
        kind="safeguarding" if safeguarding else "very_negative",
        ward=(comment.org_code, comment.site_code, comment.ward_name),
        dedupe_key=comment_key(comment.response_id),
        details=details,
        response_id=comment.response_id,
    )


def raise_for_comments(
    conn: sa.Connection, comments: Sequence[TaggedComment], now: dt.datetime
) -> None:
    """Raise the alerts *comments* call for, in the caller's transaction.

    Only inserts: a comment already alerted on is skipped, so calling this twice for the same
    comment (a retag, two processes) leaves one alert. Comments answered more than
    ``MAX_AGE`` before *now* raise nothing.
    """
    oldest = (now - MAX_AGE).date()
    found = (comment_alert(c) for c in comments if c.local_date >= oldest)
    insert_alerts(conn, (a for a in found if a is not None), now)


def insert_alerts(conn: sa.Connection, new: Iterable[NewAlert], now: dt.datetime) -> int:
    """Insert *new* alerts in one statement, skipping any whose key is already stored;
    returns how many were inserted."""
    rows: dict[str, dict[str, Any]] = {}
    for alert in new:
        org, site, ward = alert.ward
        rows.setdefault(
            alert.dedupe_key,
            {
                "kind": alert.kind,
                "org_code": org,
                "site_code": site,
                "ward_name": ward,
                "response_id": alert.response_id,
                "dedupe_key": alert.dedupe_key,
                "raised_at": now,
                "details": alert.details[:300],
            },
        )
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # One multi-row VALUES statement, one round trip; RETURNING counts the rows inserted
    # (psycopg's row count for a skipped conflict is not to be relied on).
    statement = (
        dialect.insert(alerts)
        .values(list(rows.values()))
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(alerts.c.id)
    )
    return len(conn.execute(statement).all())
