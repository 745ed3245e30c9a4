"""The kiosk's local store: every response lands here, durably, before anything else happens.

One SQLite file (WAL, ``synchronous=FULL``) through sqlite-utils. The UI thread records and
updates responses; the sync worker opens its own ``LocalStore`` on the same file.
``LocalStore`` is this module's file handling and patient-flow writes, plus the sync outbox
(``kiosk/outbox.py``) and the staff figures (``kiosk/figures.py``); the schema and its
migrations are in ``kiosk/schema.py``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.figures import FigureQueries
from kiosk.outbox import OutboxQueries
from kiosk.privacy import redact
from kiosk.schema import COMMENT_LIMIT, decode, iso, migrations, sendable_text, utc_now

__all__ = [
    "COMMENT_LIMIT",
    "DB_NAME",
    "REPEAT_TAP",
    "LocalStore",
    "Origin",
    "StoreError",
    "open_store",
]

DB_NAME = "kiosk.db"
REPEAT_TAP = "repeat-tap"


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


class LocalStore(OutboxQueries, FigureQueries):
    """The kiosk.db file and everything the kiosk, staff screens and sync do with it.

    Opening, transactions and the patient flow's writes are here; the outbox methods
    (``pending_json``, ``apply_results``, ``defer``, ``sync_counts``, ``purge``) come from
    ``OutboxQueries`` and the figures (``counts``, ``comments``, ...) from ``FigureQueries``.

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
                    iso(moment),
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
                [iso(at or utc_now()), response_id],
            )

    def get(self, response_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
        return decode(rows[0]) if rows else None

    # -- audit ---------------------------------------------------------------------------

    def audit(self, event: str, detail: str = "", at: datetime | None = None) -> None:
        """Record a staff action (entry, failed PIN, export, setting, pause, clean)."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO audit (at, event, detail) VALUES (?, ?, ?)",
                [iso(at or utc_now()), event, detail],
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
