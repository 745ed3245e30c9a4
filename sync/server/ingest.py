"""Storing a kiosk's batch: one transaction per batch, idempotent on each response's id.

New ids are inserted; the same id with the same content is a duplicate (success); the same
id with other content is a conflict, reported and never overwritten. All found in bulk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import BatchResult, Rejection, Response
from sync.server.devices import Device, NotAuthorised, device_on, now, secret_hash
from sync.server.schema import batches, devices, responses

_CHUNK = 500  # ids per IN (...) list, well inside every database's parameter limit


def ingest(
    engine: Engine, device: Device | str, batch_id: str, items: Sequence[Response]
) -> BatchResult:
    """Store a batch in one transaction: new ids inserted, duplicates and conflicts found in
    bulk. A stored row is never overwritten.

    :param device: the device, or its token, checked in the same transaction (one connection
        and one round of statements per batch, which matters on a busy PostgreSQL).
    :raises NotAuthorised: for a token that is unknown or revoked.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return _ingest_once(engine, device, batch_id, items)
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
    engine: Engine, who: Device | str, batch_id: str, items: Sequence[Response]
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
            _insert_ignoring_duplicates(engine, batches),
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
            .values(last_seen_at=moment)
        )
    return BatchResult(accepted=accepted, duplicate=duplicate, rejected=rejected)


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


def _insert_ignoring_duplicates(engine: Engine, table: sa.Table) -> Any:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


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
