"""Storing a kiosk's batch: one transaction per batch, idempotent on each response's id.

New ids are inserted and added to the running figures (``add_counts``); the same id with the
same content is a duplicate (success); the same id with other content is a conflict, reported
and never overwritten. All found in bulk. What the kiosk says of itself is kept on its device.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import BatchResult, DeviceReport, Rejection, Response
from sync.server.devices import (
    Device,
    NotAuthorised,
    device_on,
    now,
    report_values,
    secret_hash,
)
from sync.server.schema import batches, day_counts, devices, month_counts, responses, theme_counts

_CHUNK = 500  # ids per IN (...) list, well inside every database's parameter limit


def ingest(
    engine: Engine,
    device: Device | str,
    batch_id: str,
    items: Sequence[Response],
    report: DeviceReport | None = None,
) -> BatchResult:
    """Store a batch in one transaction: new ids inserted, duplicates and conflicts found in
    bulk. A stored row is never overwritten.

    :param device: the device, or its token, checked in the same transaction (one connection
        and one round of statements per batch, which matters on a busy PostgreSQL).
    :param report: what the kiosk said of itself with the batch (kiosks before protocol 1.1
        send none).
    :raises NotAuthorised: for a token that is unknown or revoked.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return _ingest_once(engine, device, batch_id, items, report)
        except sa.exc.DBAPIError as exc:
            # Another server process stored one of these ids between our check and insert,
            # or two batches holding the same ids crossed on PostgreSQL: try again, and the
            # ids already stored come back as duplicates.
            if attempt == _ATTEMPTS - 1 or not _worth_retrying(exc):
                raise
    raise AssertionError("unreachable")


_ATTEMPTS = 4
# PostgreSQL's deadlock_detected and serialization_failure: the transaction rolled back whole.
_RETRY_SQLSTATES = {"40P01", "40001"}


def _worth_retrying(exc: sa.exc.DBAPIError) -> bool:
    if isinstance(exc, sa.exc.IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


def _ingest_once(
    engine: Engine,
    who: Device | str,
    batch_id: str,
    items: Sequence[Response],
    report: DeviceReport | None,
) -> BatchResult:
    accepted: list[str] = []
    duplicate: list[str] = []
    rejected: list[Rejection] = []
    moment = now()
    keyed = [(str(item.id), item, secret_hash(item.content_key())) for item in items]
    with engine.begin() as conn:
        device = device_on(conn, who) if isinstance(who, str) else who
        if device is None:
            raise NotAuthorised("unknown device token; enrol this kiosk again")
        if device.revoked:
            raise NotAuthorised("this device was revoked; ask IT to enrol it again")
        stored = _stored_hashes(conn, [rid for rid, _, _ in keyed])
        rows = []
        here = (device.org_code, device.site_code, device.ward_name)
        for rid, item, digest in keyed:
            if (item.org_code, item.site_code, item.ward_name) != here:
                rejected.append(Rejection(id=rid, reason=_elsewhere(device)))
            elif rid in stored:
                if stored[rid] == digest:
                    duplicate.append(rid)
                else:
                    rejected.append(Rejection(id=rid, reason="conflict"))
            else:
                stored[rid] = digest
                accepted.append(rid)
                rows.append(_row(rid, item, device, batch_id, moment, digest))
        if rows:
            # In id order, so two batches sharing ids take their row locks in the same order.
            conn.execute(responses.insert(), sorted(rows, key=lambda row: str(row["id"])))
        conn.execute(
            _batch_row(engine.dialect.name, bool(rows)),
            [
                {
                    "batch_id": batch_id,
                    "device_id": device.device_id,
                    "received_at": moment,
                    "accepted": len(accepted),
                    "duplicate": len(duplicate),
                    "rejected": len(rejected),
                }
            ],
        )
        conn.execute(
            devices.update()
            .where(devices.c.device_id == device.device_id)
            .values(last_seen_at=moment, last_batch_at=moment, **report_values(report))
        )
        # Last, so the figures' rows (shared by every kiosk of a ward) stay locked for as
        # short a time as possible before the commit.
        add_counts(conn, rows)
    return BatchResult(accepted=accepted, duplicate=duplicate, rejected=rejected)


# -- the running figures ----------------------------------------------------------------

_WARD = ("org_code", "site_code", "ward_name")
_MONTH_KEY = (*_WARD, "month", "rating", "mode", "flagged", "device_id")
_DAY_KEY = (*_WARD, "local_date", "rating", "flagged", "device_id")
_THEME_KEY = (*_WARD, "local_date", "theme", "flagged", "device_id")


def add_counts(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add newly stored responses to ``month_counts``, ``day_counts`` and ``theme_counts``,
    on *conn* (inside the transaction that inserted them, so the figures never disagree with
    ``responses``). One multi-row upsert per table, to the rows of the responses' kiosk.

    :param rows: the rows as inserted into ``responses``; only new ones, never a duplicate.
    """
    months: Counter[tuple[Any, ...]] = Counter()
    days: Counter[tuple[Any, ...]] = Counter()
    themes: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        ward = (row["org_code"], row["site_code"], row["ward_name"])
        day, device = row["local_date"], row["device_id"]
        flagged = row["flags"] != "[]"
        months[(*ward, day.replace(day=1), row["rating"], row["mode"], flagged, device)] += 1
        days[(*ward, day, row["rating"], flagged, device)] += 1
        # A chip listed twice in one response counts once: it counts responses.
        for theme in set(json.loads(row["answers"]).get("themes", ())):
            themes[(*ward, day, theme, flagged, device)] += 1
    _add(conn, month_counts, _MONTH_KEY, months)
    _add(conn, day_counts, _DAY_KEY, days)
    _add(conn, theme_counts, _THEME_KEY, themes)


def _add(
    conn: Connection, table: sa.Table, key: tuple[str, ...], counts: Counter[tuple[Any, ...]]
) -> None:
    if not counts:
        return
    # Sorted by key, so batches that share rows (one kiosk's, sent again while the first is
    # still going) lock them in the same order and cannot deadlock; if PostgreSQL finds one
    # anyway, ingest tries again.
    values = [{**dict(zip(key, k, strict=True)), "n": n} for k, n in sorted(counts.items())]
    conn.execute(_upsert(conn.dialect.name, table, key), values)


_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(dialect: str, table: sa.Table, key: tuple[str, ...]) -> Any:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``, made once: a
    statement built anew for each batch would be compiled anew too, which cost more than
    the rest of the batch. RETURNING makes SQLAlchemy send the rows as one multi-row
    statement ("insertmanyvalues") on both databases, rather than one statement per row."""
    made = _UPSERTS.get((dialect, table.name))
    if made is None:
        insert = _dialect_insert(dialect, table)
        made = insert.on_conflict_do_update(
            index_elements=list(key), set_={"n": table.c.n + insert.excluded.n}
        ).returning(table.c.n)
        _UPSERTS[(dialect, table.name)] = made
    return made


def _elsewhere(device: Device) -> str:
    return (
        f"this kiosk is enrolled for {device.org_code} / {device.site_code} / "
        f"{device.ward_name!r} and may report for that ward only; correct [location] in "
        "kiosk.toml, or ask IT to enrol it for the ward it is on"
    )


def _stored_hashes(conn: Connection, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = conn.execute(
            sa.select(responses.c.id, responses.c.content_hash).where(responses.c.id.in_(chunk))
        )
        found.update({row.id: row.content_hash for row in rows})
    return found


_BATCH_ROWS: dict[tuple[str, bool], Any] = {}


def _batch_row(dialect: str, new_responses: bool) -> Any:
    """The batch's own row, statement made once per case. A batch id sent again keeps its
    row, unless it brought new responses: then the tagging worker must see the batch again
    (``handed_at`` and ``tagged_at`` back to NULL), or their comments would go untagged."""
    made = _BATCH_ROWS.get((dialect, new_responses))
    if made is None:
        insert = _dialect_insert(dialect, batches)
        made = (
            insert.on_conflict_do_update(
                index_elements=["batch_id"], set_={"handed_at": None, "tagged_at": None}
            )
            if new_responses
            else insert.on_conflict_do_nothing()
        )
        _BATCH_ROWS[(dialect, new_responses)] = made
    return made


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    """INSERT with ``ON CONFLICT``, which SQLite and PostgreSQL spell alike."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _row(
    rid: str, item: Response, device: Device, batch_id: str, moment: datetime, digest: str
) -> dict[str, Any]:
    return {
        "id": rid,
        "device_id": device.device_id,
        "batch_id": batch_id,
        "received_at": moment,
        "content_hash": digest,
        "survey_id": item.survey_id,
        "survey_version": item.survey_version,
        "answered_at": item.answered_at,
        "local_date": item.local_date,
        "rating": item.rating,
        "answers": item.answers.model_dump_json(),
        "comment": item.comment,
        "language": item.language,
        "mode": item.mode,
        "org_code": item.org_code,
        "site_code": item.site_code,
        "ward_name": item.ward_name,
        "flags": json.dumps(sorted(item.flags)),
    }
