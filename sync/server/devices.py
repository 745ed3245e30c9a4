"""Who may send: enrollment keys, the devices enrolled with them, and their tokens; and what
each device last said of itself (its heartbeat).

Keys and tokens are shown once and stored only as SHA-256 hashes. A device reports for the
place its key was made for, and an admin can revoke a key or a device at any time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import DeviceReport
from sync.server.schema import devices, enrollment_keys


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


#: What an organisation's or site's ODS code looks like (the CLI's ``--org`` and ``--site``).
ODS_CODE = re.compile(r"[A-Z0-9]{3,9}")
#: The wire protocol's longest ward name: kiosks must be able to match it exactly.
LONGEST_WARD_NAME = 100
#: The largest whole number every database's integer column holds (a key's uses).
LARGEST_NUMBER = 2**31 - 1
#: The longest a key may live, in days: far enough for any plan, near enough for a date.
LONGEST_KEY_DAYS = 3650

#: The audit log's words for what IT does to keys and kiosks, on the web or the command line.
KIOSK_REVOKED = "kiosk revoked"
KEY_CREATED = "enrolment key created"
KEY_REVOKED = "enrolment key revoked"


def is_ods_code(value: str) -> bool:
    return ODS_CODE.fullmatch(value) is not None


def is_ward_name(value: str) -> bool:
    """1 to 100 printable characters, as the wire protocol's ``ward_name``."""
    return 1 <= len(value) <= LONGEST_WARD_NAME and value.isprintable()


def create_key(
    engine: Engine, place: Place, expires_days: int | None = None, uses: int | None = None
) -> str:
    """Make an enrollment key; the key itself is returned once and stored only as a hash."""
    with engine.begin() as conn:
        _, key = create_key_on(conn, place, expires_days, uses, now())
    return key


def create_key_on(
    conn: Connection, place: Place, expires_days: int | None, uses: int | None, at: datetime
) -> tuple[int, str]:
    """Make an enrollment key on *conn* (so inside the caller's transaction, beside its
    audit entry): its id, and the key itself, returned once."""
    key = new_secret()
    inserted = conn.execute(
        enrollment_keys.insert().values(
            key_hash=secret_hash(key),
            org_code=place.org_code,
            site_code=place.site_code,
            ward_name=place.ward_name,
            created_at=at,
            expires_at=at + timedelta(days=expires_days) if expires_days else None,
            uses_left=uses,
        )
    ).inserted_primary_key
    assert inserted is not None
    return int(inserted[0]), key


def list_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(enrollment_keys).order_by(enrollment_keys.c.id))
        return [dict(row._mapping) for row in rows]


def revoke_key(engine: Engine, key_id: int) -> bool:
    with engine.begin() as conn:
        return revoke_key_on(conn, key_id, now())


def revoke_key_on(conn: Connection, key_id: int, at: datetime) -> bool:
    """Revoke a key on *conn*; False if there is no unrevoked key *key_id*."""
    result = conn.execute(
        enrollment_keys.update()
        .where(enrollment_keys.c.id == key_id, enrollment_keys.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount == 1


# -- enrolment ---------------------------------------------------------------------------


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
            if (
                existing is not None
                and existing.revoked_at is None
                and not (
                    current_token
                    and hmac.compare_digest(existing.token_hash, secret_hash(current_token))
                )
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


# -- enrolled devices --------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    device_id: str
    org_code: str
    site_code: str
    ward_name: str
    revoked: bool


class NotAuthorised(Exception):
    """The token is unknown, or its device was revoked. The message is for the kiosk."""


def device_for_token(engine: Engine, token: str) -> Device | None:
    with engine.connect() as conn:
        return device_on(conn, token)


def device_on(conn: Connection, token: str) -> Device | None:
    """The device holding *token*, read on *conn* (so inside the caller's transaction)."""
    row = conn.execute(sa.select(devices).where(devices.c.token_hash == secret_hash(token))).first()
    if row is None or not hmac.compare_digest(row.token_hash, secret_hash(token)):
        return None
    return Device(
        row.device_id, row.org_code, row.site_code, row.ward_name, row.revoked_at is not None
    )


def list_devices(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(devices).order_by(devices.c.org_code, devices.c.ward_name))
        return [{k: v for k, v in row._mapping.items() if k != "token_hash"} for row in rows]


def revoke_device(engine: Engine, device_id: str) -> bool:
    with engine.begin() as conn:
        return revoke_device_on(conn, device_id, now())


def revoke_device_on(conn: Connection, device_id: str, at: datetime) -> bool:
    """Revoke a device on *conn*; False if there is no unrevoked device *device_id*."""
    result = conn.execute(
        devices.update()
        .where(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount == 1


# -- what a device says of itself ----------------------------------------------------------


def report_values(report: DeviceReport | None) -> dict[str, Any]:
    """The ``devices`` columns a kiosk's report sets; none for a kiosk that sent no report."""
    if report is None:
        return {}
    return {
        "app_version": report.app_version,
        "pending_on_device": report.pending,
        "last_sync_error": report.last_error,
    }


def record_heartbeat(engine: Engine, device_id: str, report: DeviceReport) -> bool:
    """Keep a heartbeat: the device was seen now, and said *report*. False if the device is
    unknown or was revoked meanwhile."""
    with engine.begin() as conn:
        result = conn.execute(
            devices.update()
            .where(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
            .values(last_seen_at=now(), **report_values(report))
        )
        return result.rowcount == 1
