"""The kiosk.db schema: every migration from an empty file to today's tables, and how values
are written into its columns (UTC ISO-8601 times, JSON answers and flags, comments the central
server can store). ``LocalStore`` applies the migrations when it opens the file.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

COMMENT_LIMIT = 1000

# Characters a comment must not carry to the server: C0 controls other than tab and line
# feed (PostgreSQL cannot store NUL at all) and lone surrogates, which are not UTF-8.
_UNSENDABLE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def sendable_text(text: str) -> str:
    """*text* without the characters the central server cannot store; line breaks kept."""
    return _UNSENDABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """*moment* as stored: UTC, ISO-8601, milliseconds. Such strings sort as times do."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def decode(row: dict[str, Any]) -> dict[str, Any]:
    """A ``responses`` row with its JSON columns (``answers``, ``flags``) decoded."""
    row = dict(row)
    row["answers"] = json.loads(row["answers"])
    row["flags"] = json.loads(row["flags"])
    return row


migrations = Migrations("kiosk")


@migrations(name="0001_responses")
def _create_responses(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            survey_id TEXT NOT NULL,
            survey_version INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            local_date TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 6),
            answers TEXT NOT NULL DEFAULT '{}',
            comment TEXT,
            language TEXT NOT NULL,
            mode TEXT NOT NULL,
            org_code TEXT NOT NULL,
            site_code TEXT NOT NULL,
            ward_name TEXT NOT NULL,
            flags TEXT NOT NULL DEFAULT '[]',
            finished_at TEXT,
            sync_state TEXT NOT NULL DEFAULT 'pending'
                CHECK (sync_state IN ('pending', 'sent', 'rejected')),
            synced_at TEXT,
            sync_error TEXT
        )
        """
    )


@migrations(name="0002_indexes")
def _create_indexes(db: sqlite_utils.Database) -> None:
    # The outbox takes the oldest pending rows; staff figures group by ward date and code.
    db.execute("CREATE INDEX responses_outbox ON responses (sync_state, answered_at)")
    db.execute("CREATE INDEX responses_by_date ON responses (local_date, rating, flags)")


@migrations(name="0003_staff")
def _create_staff_tables(db: sqlite_utils.Database) -> None:
    # What staff did, for the ward's own governance; comments and PINs are never written here.
    db.execute(
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )
        """
    )
    # The staff screens read comments and theme chips by ward date.
    db.execute(
        "CREATE INDEX responses_comments ON responses (local_date, answered_at)"
        " WHERE comment IS NOT NULL"
    )
    db.execute("CREATE INDEX responses_themes ON responses (local_date) WHERE answers != '{}'")


@migrations(name="0004_sync_attempts")
def _add_sync_attempts(db: sqlite_utils.Database) -> None:
    # How often the server failed on a row (5xx) while other rows went through. Such a row
    # is sent after every fresh one, on its own, so that it cannot hold the queue up.
    db.execute("ALTER TABLE responses ADD COLUMN sync_attempts INTEGER NOT NULL DEFAULT 0")
    db.execute("DROP INDEX responses_outbox")
    db.execute(
        "CREATE INDEX responses_outbox_in_turn ON responses (sync_state, sync_attempts,"
        " answered_at)"
    )
    # Comments saved before add_followup cleaned them could still hold a NUL, which would
    # fail on the server every time: clean the ones not yet sent.
    rows = db.execute(
        "SELECT id, comment FROM responses WHERE sync_state = 'pending' AND comment IS NOT NULL"
    ).fetchall()
    db.conn.executemany(
        "UPDATE responses SET comment = ? WHERE id = ?",
        [
            (sendable_text(comment) or None, rid)
            for rid, comment in rows
            if sendable_text(comment) != comment
        ],
    )


@migrations(name="0005_comment_limit")
def _cut_long_comments(db: sqlite_utils.Database) -> None:
    # Before redaction came before the cut, a comment near the limit could grow past it; the
    # server refuses such a response whole. Cut the ones not yet sent.
    db.execute(
        "UPDATE responses SET comment = substr(comment, 1, ?) WHERE sync_state = 'pending'"
        " AND length(comment) > ?",
        [COMMENT_LIMIT, COMMENT_LIMIT],
    )
