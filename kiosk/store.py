"""The kiosk's local store: every response lands here, durably, before anything else happens.

One SQLite file (WAL, ``synchronous=FULL``) through sqlite-utils. The UI thread records and
updates responses; the sync worker opens its own ``LocalStore`` on the same file.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from sqlite_utils import Migrations

from kiosk.privacy import redact
from sync.fft import FFTCounts

DB_NAME = "kiosk.db"
COMMENT_LIMIT = 1000
REPEAT_TAP = "repeat-tap"

# A record whose respondent never pressed Send or Skip (the kiosk was switched off mid-way)
# becomes eligible for sync after this long, so nothing waits forever.
UNFINISHED_GRACE = timedelta(minutes=30)

PENDING, SENT, REJECTED = "pending", "sent", "rejected"

# Pending, and its respondent finished (or walked away long ago).
_READY = " WHERE sync_state = 'pending' AND (finished_at IS NOT NULL OR answered_at < ?)"
# Oldest first, except that rows the server has failed on go after every fresh one. The
# outbox index (sync_state, sync_attempts, answered_at) gives this order without a sort.
_IN_TURN = " ORDER BY sync_attempts, answered_at, rowid LIMIT ?"

# Characters a comment must not carry to the server: C0 controls other than tab and line
# feed (PostgreSQL cannot store NUL at all) and lone surrogates, which are not UTF-8.
_UNSENDABLE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def sendable_text(text: str) -> str:
    """*text* without the characters the central server cannot store; line breaks kept."""
    return _UNSENDABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


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


class StoreError(Exception):
    """The store cannot be opened or written. The message says what to do.

    Attributes:
        damaged: the file itself is corrupt (as opposed to a full disk or a permission).
    """

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


@dataclass(frozen=True)
class Origin:
    """What every response from this kiosk carries: where it was given and on which survey."""

    survey_id: str
    survey_version: int
    org_code: str
    site_code: str
    ward_name: str
    mode: str
    timezone: ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class LocalStore:
    """The responses table and the operations the kiosk, staff screens and sync need.

    Attributes:
        path: the database file, or ``:memory:``.
        db: the sqlite-utils database, for read-only use by callers that need SQL.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = path
        try:
            conn = sqlite3.connect(str(path), timeout=5.0)
            # No sqlite-utils plugins: scanning for them costs start-up time and adds nothing.
            self.db = sqlite_utils.Database(conn, execute_plugins=False)
            self._configure()
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise _store_error(exc, path) from exc

    def _configure(self) -> None:
        self.db.execute("PRAGMA busy_timeout = 5000")
        self.db.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit has reached the disk before record() returns.
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")

    @classmethod
    def in_dir(cls, data_dir: Path) -> LocalStore:
        return cls(data_dir / DB_NAME)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite_utils.Database]:
        try:
            with self.db.atomic() as db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise _store_error(exc, self.path) from exc

    # -- the patient flow ------------------------------------------------------------------

    def record(
        self,
        rating: int,
        origin: Origin,
        *,
        language: str,
        flags: Sequence[str] = (),
        at: datetime | None = None,
    ) -> str:
        """Store a new response durably and return its id (a UUID made here).

        When this returns, the row is committed and on disk.
        """
        if rating not in range(1, 7):
            raise ValueError(f"rating must be an FFT code 1-6, not {rating!r}")
        moment = at or utc_now()
        response_id = str(uuid.uuid4())
        with self._writing() as db:
            db.execute(
                "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date,"
                " rating, language, mode, org_code, site_code, ward_name, flags)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    response_id,
                    origin.survey_id,
                    origin.survey_version,
                    _iso(moment),
                    moment.astimezone(origin.timezone).date().isoformat(),
                    rating,
                    language,
                    origin.mode,
                    origin.org_code,
                    origin.site_code,
                    origin.ward_name,
                    json.dumps(sorted(set(flags))),
                ],
            )
        return response_id

    def add_followup(self, response_id: str, themes: Iterable[str], comment: str) -> None:
        """Store the follow-up answers on the same record; the comment is redacted first.

        Control characters other than tab and line break, and lone surrogates, are dropped:
        the server cannot store them, and such a row would be retried for ever.
        """
        # Redact before cutting to the limit: a marker is longer than a short phone number, so
        # cutting first could send more than the server takes (and it would refuse the whole
        # response, rating and all), and an identifier across the cut would be half removed.
        typed = sendable_text(comment).strip()[: COMMENT_LIMIT * 4]
        text = redact(typed).strip()[:COMMENT_LIMIT] or None
        answers = json.dumps({"themes": sorted(set(themes))}) if themes else "{}"
        with self._writing() as db:
            cursor = db.execute(
                "UPDATE responses SET answers = ?, comment = ? WHERE id = ?",
                [answers, text, response_id],
            )
            if cursor.rowcount != 1:
                raise KeyError(response_id)

    def finish(self, response_id: str, at: datetime | None = None) -> None:
        """Mark the respondent as done with this record, so it may be synced."""
        with self._writing() as db:
            db.execute(
                "UPDATE responses SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                [_iso(at or utc_now()), response_id],
            )

    def get(self, response_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
        return _decode(rows[0]) if rows else None

    # -- sync ----------------------------------------------------------------------------

    def pending_batch(self, limit: int, now: datetime | None = None) -> list[dict[str, Any]]:
        """Pending responses whose respondent has finished, at most *limit*, in the order
        they are sent: oldest first, rows the server failed on last."""
        cutoff = _iso((now or utc_now()) - UNFINISHED_GRACE)
        rows = self.db.query("SELECT * FROM responses" + _READY + _IN_TURN, [cutoff, limit])
        return [_decode(row) for row in rows]

    def pending_json(
        self,
        limit: int,
        fields: Sequence[str],
        now: datetime | None = None,
        *,
        skip: Collection[str] = (),
    ) -> list[tuple[str, str]]:
        """The next batch to send, as (id, JSON object of *fields*) pairs made by SQLite itself.

        Oldest first, at most *limit*. A row the server has failed on (see ``defer``) comes
        after every fresh one and on its own, so it cannot take a batch down with it.
        ``answers`` and ``flags`` are embedded as JSON, not as text. Building the JSON in
        SQLite keeps a 500-response batch to a few milliseconds of the kiosk's CPU.

        :param skip: ids to leave out (rows the engine is holding back for now).
        """
        columns = set(self.db["responses"].columns_dict)
        unknown = set(fields) - columns
        if unknown:
            raise ValueError(f"no such columns: {sorted(unknown)}")
        pairs = ", ".join(
            f"'{name}', json({name})" if name in ("answers", "flags") else f"'{name}', {name}"
            for name in fields
        )
        cutoff = _iso((now or utc_now()) - UNFINISHED_GRACE)
        skipping = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
        cursor = self.db.execute(
            f"SELECT id, sync_attempts, json_object({pairs}) FROM responses"
            + _READY
            + skipping
            + _IN_TURN,
            [cutoff, *skip, limit],
        )
        rows = cursor.fetchall()
        if rows and rows[0][1]:  # only rows the server failed on are left: one at a time
            return [(rows[0][0], rows[0][2])]
        return [(rid, text) for rid, attempts, text in rows if not attempts]

    def defer(self, ids: Iterable[str], reason: str) -> None:
        """Send these pending rows after every fresh one, each on its own, from now on.

        For a row the server failed on (5xx) while others went through. It stays pending
        and is retried; *reason* is kept in ``sync_error`` for IT.
        """
        with self._writing() as db:
            db.conn.executemany(
                "UPDATE responses SET sync_attempts = sync_attempts + 1, sync_error = ?"
                " WHERE id = ? AND sync_state = 'pending'",
                [(reason, rid) for rid in ids],
            )

    def apply_results(
        self,
        sent: Iterable[str],
        rejected: Mapping[str, str] | None = None,
        at: datetime | None = None,
    ) -> None:
        """Apply the server's per-item results in one transaction.

        :param sent: ids the server named as accepted or duplicate.
        :param rejected: id to the server's reason; kept here, shown to staff, not resent.
        """
        stamp = _iso(at or utc_now())
        with self._writing() as db:
            db.conn.executemany(
                "UPDATE responses SET sync_state = 'sent', synced_at = ?, sync_error = NULL"
                " WHERE id = ? AND sync_state = 'pending'",
                [(stamp, rid) for rid in sent],
            )
            db.conn.executemany(
                "UPDATE responses SET sync_state = 'rejected', synced_at = ?, sync_error = ?"
                " WHERE id = ? AND sync_state = 'pending'",
                [(stamp, reason, rid) for rid, reason in (rejected or {}).items()],
            )

    def sync_counts(self) -> dict[str, int]:
        """Responses per sync state, every state present."""
        counts = {PENDING: 0, SENT: 0, REJECTED: 0}
        for row in self.db.query(
            "SELECT sync_state, count(*) AS n FROM responses GROUP BY sync_state"
        ):
            counts[row["sync_state"]] = row["n"]
        return counts

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete responses the server acknowledged more than *retention_days* ago."""
        cutoff = _iso((now or utc_now()) - timedelta(days=retention_days))
        with self._writing() as db:
            cursor = db.execute(
                "DELETE FROM responses WHERE sync_state = 'sent' AND synced_at < ?", [cutoff]
            )
            return cursor.rowcount

    # -- figures -------------------------------------------------------------------------

    def counts(self, first: date, last: date) -> FFTCounts:
        """FFT counts for ward dates *first* to *last* inclusive.

        Flagged responses (e.g. ``repeat-tap``) are left out of the six counts and counted
        in ``excluded``.
        """
        by_code: dict[int, int] = {}
        excluded = 0
        rows = self.db.query(
            "SELECT rating, flags = '[]' AS clean, count(*) AS n FROM responses"
            " WHERE local_date BETWEEN ? AND ? GROUP BY rating, clean",
            [first.isoformat(), last.isoformat()],
        )
        for row in rows:
            if row["clean"]:
                by_code[row["rating"]] = row["n"]
            else:
                excluded += row["n"]
        return FFTCounts.from_mapping(by_code, excluded)

    def daily_counts(self, first: date, last: date) -> dict[date, dict[int, int]]:
        """Responses per ward date and FFT code (flagged ones left out), dates with none absent."""
        days: dict[date, dict[int, int]] = {}
        rows = self.db.execute(
            "SELECT local_date, rating, count(*) FROM responses"
            " WHERE local_date BETWEEN ? AND ? AND flags = '[]' GROUP BY local_date, rating",
            [first.isoformat(), last.isoformat()],
        )
        for day, rating, n in rows:
            days.setdefault(date.fromisoformat(day), {})[rating] = n
        return days

    def comments(
        self,
        first: date,
        last: date,
        codes: Sequence[int] = (1, 2, 3, 4, 5, 6),
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """The newest *limit* comments given on ward dates *first* to *last*, with their rating
        and themes; *codes* narrows them (e.g. to the positive answers)."""
        marks = ", ".join("?" for _ in codes)
        rows = self.db.execute(
            "SELECT answered_at, local_date, rating, answers, comment, flags FROM responses"
            f" WHERE local_date BETWEEN ? AND ? AND comment IS NOT NULL AND rating IN ({marks})"
            " ORDER BY answered_at DESC LIMIT ?",
            [first.isoformat(), last.isoformat(), *codes, limit],
        )
        return [
            {
                "answered_at": answered_at,
                "local_date": local_date,
                "rating": rating,
                "themes": json.loads(answers).get("themes", []),
                "comment": comment,
                "flags": json.loads(flags),
            }
            for answered_at, local_date, rating, answers, comment, flags in rows
        ]

    def responses_between(self, first: date, last: date) -> list[dict[str, Any]]:
        """Every response given on ward dates *first* to *last* inclusive, oldest first.

        Each is a dict of ``id``, ``answered_at``, ``local_date``, ``rating``, ``themes``
        (list), ``comment`` (or None), ``language``, ``mode``, ``flags`` (list) and
        ``sync_state``: what a staff export shows.
        """
        rows = self.db.query(
            "SELECT id, answered_at, local_date, rating, answers, comment, language, mode,"
            " flags, sync_state FROM responses WHERE local_date BETWEEN ? AND ?"
            " ORDER BY answered_at, rowid",
            [first.isoformat(), last.isoformat()],
        )
        found = []
        for row in rows:
            answers = json.loads(row.pop("answers"))
            found.append(
                {**row, "themes": answers.get("themes", []), "flags": json.loads(row["flags"])}
            )
        return found

    def theme_counts(self, first: date, last: date) -> dict[str, int]:
        """How often each theme chip was chosen on ward dates *first* to *last*."""
        rows = self.db.execute(
            "SELECT theme.value, count(*) FROM responses,"
            " json_each(responses.answers, '$.themes') AS theme"
            " WHERE local_date BETWEEN ? AND ? AND answers != '{}' AND flags = '[]'"
            " GROUP BY theme.value ORDER BY count(*) DESC, theme.value",
            [first.isoformat(), last.isoformat()],
        )
        return {theme: n for theme, n in rows}

    # -- audit ---------------------------------------------------------------------------

    def audit(self, event: str, detail: str = "", at: datetime | None = None) -> None:
        """Record a staff action (entry, failed PIN, export, setting, pause, clean)."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO audit (at, event, detail) VALUES (?, ?, ?)",
                [_iso(at or utc_now()), event, detail],
            )

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest staff actions, newest first."""
        rows = self.db.execute(
            "SELECT at, event, detail FROM audit ORDER BY id DESC LIMIT ?", [limit]
        )
        return [{"at": at, "event": event, "detail": detail} for at, event, detail in rows]

    def integrity(self, quick: bool = False) -> str:
        """``ok``, or what SQLite's integrity check found."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = self.db.execute(f"PRAGMA {pragma}").fetchall()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "; ".join(str(row[0]) for row in rows)


def open_store(path: Path, now: datetime | None = None) -> tuple[LocalStore, Path | None]:
    """Open the store at *path*; a damaged file is moved aside and a fresh one started.

    Collection must go on, and nothing may be lost: the damaged file is kept beside the new
    one with a timestamp for IT to recover. Returns the store and where the old file went.
    """
    try:
        store = LocalStore(path)
        if store.integrity(quick=True) == "ok":
            return store, None
        store.close()
    except StoreError as exc:
        if not exc.damaged:
            raise
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(Path(f"{aside}{suffix}"))
    return LocalStore(path), aside


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["answers"] = json.loads(row["answers"])
    row["flags"] = json.loads(row["flags"])
    return row


def _store_error(exc: sqlite3.DatabaseError, path: Path | str) -> StoreError:
    text = str(exc)
    if "full" in text:
        return StoreError(
            f"{path}: the disk is full, so feedback cannot be saved; free some space "
            "on the device (everything already saved is kept)"
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"{path}: the database file is damaged ({text}); the kiosk moves it aside "
            "and starts a new one when it next starts",
            damaged=True,
        )
    if "readonly" in text or "unable to open" in text:
        return StoreError(f"{path}: cannot write here ({text}); give the kiosk's user write access")
    return StoreError(f"{path}: {text}")
