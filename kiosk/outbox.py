"""The sync outbox inside kiosk.db: which responses go next, what the server said about them,
and deleting the ones it acknowledged once the retention period has passed.

``OutboxQueries`` is mixed into ``LocalStore``; the sync engine sees it as ``sync.engine.Outbox``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

import sqlite_utils

from kiosk.schema import iso, utc_now

PENDING, SENT, REJECTED = "pending", "sent", "rejected"

# A record whose respondent never pressed Send or Skip (the kiosk was switched off mid-way)
# becomes eligible for sync after this long, so nothing waits forever.
UNFINISHED_GRACE = timedelta(minutes=30)

# Retention deletes this many rows per transaction, so a tap on the UI thread (which waits on
# the write lock) is never held up for more than a few milliseconds behind it.
PURGE_CHUNK = 500

# Pending, and its respondent finished (or walked away long ago).
_READY = " WHERE sync_state = 'pending' AND (finished_at IS NOT NULL OR answered_at < ?)"
# Oldest first, except that rows the server has failed on go after every fresh one. The
# outbox index (sync_state, sync_attempts, answered_at) gives this order without a sort.
_IN_TURN = " ORDER BY sync_attempts, answered_at, rowid LIMIT ?"


class OutboxQueries:
    """LocalStore's sync side: the outbox queue, per-item results and retention.

    Attributes (provided by ``LocalStore``):
        db: the open kiosk.db.
        _writing: a transaction whose SQLite errors become ``StoreError``.
    """

    db: sqlite_utils.Database
    _writing: Callable[[], AbstractContextManager[sqlite_utils.Database]]

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
        cutoff = iso((now or utc_now()) - UNFINISHED_GRACE)
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
        stamp = iso(at or utc_now())
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
        """Delete responses the server acknowledged more than *retention_days* ago.

        Only ``sent`` rows go: a pending one has not reached the server and a rejected one
        is kept for staff, whatever their age. Returns how many were deleted.
        """
        if retention_days < 0:
            raise ValueError(f"retention_days must be 0 or more, not {retention_days}")
        cutoff = iso((now or utc_now()) - timedelta(days=retention_days))
        deleted = 0
        # Zero the freed pages: retention is there so that old comments are gone from the
        # file, not merely unlinked from it.
        self.db.execute("PRAGMA secure_delete = ON")
        try:
            while True:
                with self._writing() as db:
                    cursor = db.execute(
                        "DELETE FROM responses WHERE rowid IN (SELECT rowid FROM responses"
                        " WHERE sync_state = 'sent' AND synced_at < ? LIMIT ?)",
                        [cutoff, PURGE_CHUNK],
                    )
                deleted += cursor.rowcount
                if cursor.rowcount < PURGE_CHUNK:
                    return deleted
        finally:
            self.db.execute("PRAGMA secure_delete = OFF")
