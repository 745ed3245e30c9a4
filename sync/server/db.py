"""The server's tables and queries, in SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

The schema is versioned by a one-row ``schema_version`` table. ``open_database`` creates it
and applies each newer migration in its own transaction, so every server process that
starts against a database brings it up to date, and a half-applied migration never sticks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import BatchResult, Rejection, Response

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata, sa.Column("version", sa.Integer, nullable=False)
)

enrollment_keys = sa.Table(
    "enrollment_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("uses_left", sa.Integer),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("app_version", sa.String(40), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("key_id", sa.Integer, sa.ForeignKey("enrollment_keys.id")),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("survey_version", sa.Integer, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("mode", sa.String(32), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("flags", sa.Text, nullable=False),
    sa.Index("responses_by_month", "org_code", "local_date"),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("duplicate", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
)


def _create_v1(conn: Connection) -> None:
    for table in (enrollment_keys, devices, responses, batches):
        table.create(conn)


#: Migration n brings the schema from version n-1 to n. Append; never edit a released one.
MIGRATIONS: list[Callable[[Connection], None]] = [_create_v1]


def default_url() -> str:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("ward-sync-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


def database_url(value: str | None) -> str:
    """``--db`` as a SQLAlchemy URL: a URL as given, a plain path as a SQLite file."""
    if not value:
        return default_url()
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def open_database(url: str) -> Engine:
    """Connect, and create or migrate the schema."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        # No pre-ping: it costs a round trip per request; recycling handles stale connections.
        engine = sa.create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> int:
    """Apply pending migrations, each in its own transaction; returns the schema version.

    Several server processes may start together on a fresh database: each transaction first
    takes a database-wide lock, so one process creates or migrates and the others then find
    the work done.
    """
    while True:
        with engine.connect() as conn:
            _lock_schema(conn)
            schema_version.create(conn, checkfirst=True)
            current = conn.execute(sa.select(schema_version.c.version)).scalar()
            if current is None:
                conn.execute(schema_version.insert().values(version=0))
                current = 0
            if current >= len(MIGRATIONS):
                conn.commit()
                return int(current)
            MIGRATIONS[current](conn)
            conn.execute(schema_version.update().values(version=current + 1))
            conn.commit()


# Any fixed number: the key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x77617264


def _lock_schema(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Held until the transaction ends; unlike LOCK TABLE it needs no table to exist yet.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        # Take the write lock before reading anything, so two processes cannot both see
        # "no schema yet" (waits up to the connection's busy timeout for the other).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def now() -> datetime:
    return datetime.now(UTC)


def secret_hash(secret: str) -> str:
    """SHA-256 of a token or key. They are 32 random bytes, so no salt or stretching is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# -- enrollment keys ---------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    org_code: str
    site_code: str
    ward_name: str


def create_key(
    engine: Engine, place: Place, expires_days: int | None = None, uses: int | None = None
) -> str:
    """Make an enrollment key; the key itself is returned once and stored only as a hash."""
    key = new_secret()
    with engine.begin() as conn:
        conn.execute(
            enrollment_keys.insert().values(
                key_hash=secret_hash(key),
                org_code=place.org_code,
                site_code=place.site_code,
                ward_name=place.ward_name,
                created_at=now(),
                expires_at=now() + timedelta(days=expires_days) if expires_days else None,
                uses_left=uses,
            )
        )
    return key


def list_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(enrollment_keys).order_by(enrollment_keys.c.id))
        return [dict(row._mapping) for row in rows]


def revoke_key(engine: Engine, key_id: int) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            enrollment_keys.update()
            .where(enrollment_keys.c.id == key_id, enrollment_keys.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
        return result.rowcount == 1


class EnrollmentRefused(Exception):
    """The key is unknown, revoked, expired or used up."""


class DeviceTaken(Exception):
    """The device id is already enrolled, and the request does not carry that device's token."""


def enroll(
    engine: Engine,
    key: str,
    device_id: str,
    name: str,
    app_version: str,
    current_token: str | None = None,
) -> tuple[str, Place]:
    """Trade a valid enrollment key for a new device token (returned once, stored hashed).

    Device ids are not secret (they are in logs and on the device QR code), so an enrolled,
    unrevoked device is enrolled again only by a request carrying its own current token;
    otherwise an admin revokes it first. A use of the key is taken atomically, so a
    single-use key raced by many requests enrols exactly one device.

    :raises EnrollmentRefused: for a bad key.
    :raises DeviceTaken: for another device's id.
    """
    token = new_secret()
    moment = now()
    digest = secret_hash(key)
    try:
        with engine.begin() as conn:
            row = conn.execute(
                sa.select(enrollment_keys).where(enrollment_keys.c.key_hash == digest)
            ).first()
            if (
                row is None
                or not hmac.compare_digest(row.key_hash, digest)
                or row.revoked_at is not None
                or (row.expires_at is not None and _aware(row.expires_at) < moment)
            ):
                raise EnrollmentRefused
            if row.uses_left is not None:
                # The condition is evaluated on the row as it is when the update runs, after
                # any concurrent enrolment has committed: the decrement is the check.
                taken = conn.execute(
                    enrollment_keys.update()
                    .where(enrollment_keys.c.id == row.id, enrollment_keys.c.uses_left > 0)
                    .values(uses_left=enrollment_keys.c.uses_left - 1)
                )
                if taken.rowcount != 1:
                    raise EnrollmentRefused
            existing = conn.execute(
                sa.select(devices.c.token_hash, devices.c.revoked_at).where(
                    devices.c.device_id == device_id
                )
            ).first()
            if existing is not None and existing.revoked_at is None and not (
                current_token
                and hmac.compare_digest(existing.token_hash, secret_hash(current_token))
            ):
                raise DeviceTaken  # the transaction rolls back, so the key's use is kept
            place = Place(row.org_code, row.site_code, row.ward_name)
            values = {
                "token_hash": secret_hash(token),
                "name": name,
                "app_version": app_version,
                "org_code": place.org_code,
                "site_code": place.site_code,
                "ward_name": place.ward_name,
                "key_id": row.id,
                "enrolled_at": moment,
                "last_seen_at": None,
                "revoked_at": None,
            }
            if existing is not None:
                conn.execute(
                    devices.update().where(devices.c.device_id == device_id).values(values)
                )
            else:
                conn.execute(devices.insert().values(device_id=device_id, **values))
    except sa.exc.IntegrityError:
        # Two first enrolments of one new device id at once: the second loses.
        raise DeviceTaken from None
    return token, place


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Device:
    device_id: str
    org_code: str
    site_code: str
    ward_name: str
    revoked: bool


def device_for_token(engine: Engine, token: str) -> Device | None:
    with engine.connect() as conn:
        return _device(conn, token)


def _device(conn: Connection, token: str) -> Device | None:
    row = conn.execute(sa.select(devices).where(devices.c.token_hash == secret_hash(token))).first()
    if row is None or not hmac.compare_digest(row.token_hash, secret_hash(token)):
        return None
    return Device(
        row.device_id, row.org_code, row.site_code, row.ward_name, row.revoked_at is not None
    )


class NotAuthorised(Exception):
    """The token is unknown, or its device was revoked. The message is for the kiosk."""


def list_devices(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(devices).order_by(devices.c.org_code, devices.c.ward_name))
        return [{k: v for k, v in row._mapping.items() if k != "token_hash"} for row in rows]


def revoke_device(engine: Engine, device_id: str) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            devices.update()
            .where(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
        return result.rowcount == 1


# -- ingest ------------------------------------------------------------------------------

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
        device = _device(conn, who) if isinstance(who, str) else who
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


# -- reporting ---------------------------------------------------------------------------


def month_counts(
    engine: Engine, first: date, last: date, include_flagged: bool
) -> list[dict[str, Any]]:
    """Responses per ward, rating and mode for ward dates *first* to *last* inclusive, and
    whether they were flagged (``clean`` is False for a flagged group). Sites and
    organisations are summed from these, so suppression can see every ward."""
    columns = [responses.c.org_code, responses.c.site_code, responses.c.ward_name]
    clean = responses.c.flags == "[]"
    query = (
        sa.select(
            *columns,
            responses.c.rating,
            responses.c.mode,
            clean.label("clean"),
            sa.func.count().label("n"),
        )
        .where(responses.c.local_date.between(first, last))
        .group_by(*columns, responses.c.rating, responses.c.mode, clean)
    )
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    if include_flagged:
        for row in rows:
            row["clean"] = True
    return rows


def count_responses(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(responses)).scalar_one())


def response_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row.id for row in conn.execute(sa.select(responses.c.id))]


def stored_ids(engine: Engine, ids: Iterable[str]) -> set[str]:
    with engine.connect() as conn:
        return set(_stored_hashes(conn, list(ids)))
