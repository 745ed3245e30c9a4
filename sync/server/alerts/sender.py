"""Turning alerts into messages and sending them, claimed from the database so any number of
server processes share the work and never send one message twice.

Three steps, each its own short transaction:

1. ``queue``: a new alert gets one delivery per recipient (the ward's managers, the trust-wide
   addresses, the webhook). Claimed by setting the alert's ``queued_at``.
2. ``send_due``: deliveries that are due are leased (``lease_until``) and sent outside any
   transaction. A recipient that already had ``per_ward_per_hour`` messages about the ward in
   the last hour gets none: the delivery is held for a digest. A failure is tried again with
   a growing wait, up to ``MAX_ATTEMPTS``, and shown on the Alerts page meanwhile.
3. ``digest``: once the hour has room, one "N more alerts" message replaces the held ones.

A process that dies mid-send leaves a lease that runs out; another process then sends again,
so a message may (rarely) arrive twice but is never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.alerts import messages, transport
from sync.server.alerts.settings import AlertSettings
from sync.server.schema import alert_deliveries, alerts, user_wards, users

log = logging.getLogger("sync.server.alerts")

#: Alerts raised longer ago than this when sending is first set up are listed, not sent:
#: turning e-mail on must not post a year of old alerts.
QUEUE_WITHIN = dt.timedelta(days=2)
#: How long a claimed delivery is a sender's own; longer than any send's timeouts.
LEASE = dt.timedelta(minutes=5)
#: After this many failed tries a delivery is given up and shown as failed.
MAX_ATTEMPTS = 12
WINDOW = dt.timedelta(hours=1)
BATCH = 50
WEBHOOK = "webhook"

Clock = Callable[[], dt.datetime]


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the *attempts*-th failure: 1, 2, 4 .. minutes, at most an hour (12
    tries span about seven hours, through a mail server's restart or a night's outage)."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(hours=1))


def _claim_ids(conn: sa.Connection, query: sa.Select[tuple[int]]) -> sa.Select[tuple[int]]:
    # PostgreSQL: rows another process is claiming are skipped, not waited for. SQLite has
    # one writer at a time, and each claim below writes before it reads.
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def ward_managers(conn: sa.Connection, ward: tuple[str, str, str]) -> list[str]:
    """E-mail addresses of the enabled ``ward`` users linked to *ward*."""
    org, site, name = ward
    query = (
        sa.select(users.c.email)
        .join(user_wards, user_wards.c.user_id == users.c.id)
        .where(
            users.c.role == "ward",
            users.c.disabled_at.is_(None),
            user_wards.c.org_code == org,
            user_wards.c.site_code == site,
            user_wards.c.ward_name == name,
        )
        .order_by(users.c.email)
    )
    return list(conn.execute(query).scalars())


def queue(engine: Engine, settings: AlertSettings, now: dt.datetime) -> int:
    """Make the deliveries of alerts not yet queued; returns how many alerts were queued."""
    with engine.begin() as conn:
        waiting = _claim_ids(
            conn,
            sa.select(alerts.c.id)
            .where(alerts.c.queued_at.is_(None))
            .order_by(alerts.c.id)
            .limit(BATCH),
        )
        claimed = conn.execute(
            sa.update(alerts)
            .where(alerts.c.id.in_(waiting.scalar_subquery()), alerts.c.queued_at.is_(None))
            .values(queued_at=now)
            .returning(
                alerts.c.id,
                alerts.c.org_code,
                alerts.c.site_code,
                alerts.c.ward_name,
                alerts.c.raised_at,
            )
        ).all()
        rows = []
        for alert_id, org, site, name, raised_at in claimed:
            if _aware(raised_at) < now - QUEUE_WITHIN:
                continue
            ward = (org, site, name)
            for channel, recipient in _recipients(conn, settings, ward):
                rows.append(
                    {
                        "alert_id": alert_id,
                        "org_code": org,
                        "site_code": site,
                        "ward_name": name,
                        "channel": channel,
                        "recipient": recipient,
                        "state": "pending",
                        "attempts": 0,
                        "created_at": now,
                        "next_try_at": now,
                    }
                )
        if rows:
            conn.execute(alert_deliveries.insert(), rows)
    return len(claimed)


def _recipients(
    conn: sa.Connection, settings: AlertSettings, ward: tuple[str, str, str]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if settings.smtp is not None:
        people = ward_managers(conn, ward) if settings.email_ward_managers else []
        for address in dict.fromkeys([*people, *settings.recipients]):
            found.append(("email", address))
    if settings.webhook_url is not None:
        found.append(("webhook", WEBHOOK))
    return found


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    recipient: str
    ward: tuple[str, str, str]
    attempts: int
    message: messages.Outgoing


def _claim_due(engine: Engine, now: dt.datetime) -> list[_Claimed]:
    d = alert_deliveries.c
    with engine.begin() as conn:
        due = _claim_ids(
            conn,
            sa.select(d.id)
            .where(
                d.state.in_(("pending", "retrying")),
                d.next_try_at <= now,
                sa.or_(d.lease_until.is_(None), d.lease_until < now),
            )
            .order_by(d.next_try_at, d.id)
            .limit(BATCH),
        )
        ids = (
            conn.execute(
                sa.update(alert_deliveries)
                .where(
                    d.id.in_(due.scalar_subquery()),
                    sa.or_(d.lease_until.is_(None), d.lease_until < now),
                )
                .values(lease_until=now + LEASE)
                .returning(d.id)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        query = (
            sa.select(
                d.id, d.channel, d.recipient, d.org_code, d.site_code, d.ward_name, d.attempts,
                d.alert_id, d.alerts_in_digest, alerts.c.kind, alerts.c.details, alerts.c.raised_at,
            )
            .outerjoin(alerts, alerts.c.id == d.alert_id)
            .where(d.id.in_(ids))
            .order_by(d.id)
        )  # fmt: skip
        claimed = []
        for row in conn.execute(query):
            ward = (row.org_code, row.site_code, row.ward_name)
            message = messages.Outgoing(
                ward=ward,
                alert_id=row.alert_id,
                kind=row.kind or "",
                details=row.details or "",
                raised_at=_aware(row.raised_at) if row.raised_at else None,
                count=row.alerts_in_digest,
            )
            claimed.append(
                _Claimed(row.id, row.channel, row.recipient, ward, row.attempts, message)
            )
        return claimed


def _sent_lately(
    conn: sa.Connection, channel: str, recipient: str, ward: tuple[str, str, str], now: dt.datetime
) -> int:
    d = alert_deliveries.c
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(
                d.channel == channel,
                d.recipient == recipient,
                d.org_code == ward[0],
                d.site_code == ward[1],
                d.ward_name == ward[2],
                # Sent within the hour, or a digest about to go (it is one message too).
                sa.or_(
                    d.sent_at > now - WINDOW,
                    sa.and_(d.alert_id.is_(None), d.state.in_(("pending", "retrying"))),
                ),
            )
        ).scalar_one()
    )


def _lock(conn: sa.Connection, channel: str, recipient: str, ward: tuple[str, str, str]) -> None:
    """On PostgreSQL, hold a lock on the recipient and ward until the transaction ends, so
    two processes cannot both take the hour's last place. SQLite needs none: each caller
    writes before it counts, and SQLite's writers take turns."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32("\n".join((channel, recipient, *ward)).encode())
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def send_due(engine: Engine, settings: AlertSettings, clock: Clock) -> int:
    """Send every due delivery this process can claim; returns how many were sent."""
    sent = 0
    for item in _claim_due(engine, clock()):
        now = clock()
        if item.message.alert_id is not None:
            with engine.begin() as conn:
                _lock(conn, item.channel, item.recipient, item.ward)
                # Counted in the hour from now on (its own place included), so a sender in
                # another process sees it; undone below if the hour is full or it fails.
                _update(conn, item.id, sent_at=now)
                lately = _sent_lately(conn, item.channel, item.recipient, item.ward, now)
                if lately > settings.per_ward_per_hour:
                    _update(conn, item.id, state="held", lease_until=None, sent_at=None)
                    continue
        try:
            _send(settings, item)
        except transport.SendFailed as exc:
            attempts = item.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            log.warning(
                "alert delivery %d (%s) failed, try %d%s: %s",
                item.id, item.channel, attempts, "; given up" if gave_up else "", exc,
            )  # fmt: skip
            with engine.begin() as conn:
                _update(
                    conn,
                    item.id,
                    state="failed" if gave_up else "retrying",
                    attempts=attempts,
                    last_error=str(exc)[:500],
                    next_try_at=clock() + backoff(attempts),
                    lease_until=None,
                    sent_at=None,
                )
            continue
        with engine.begin() as conn:
            _update(
                conn,
                item.id,
                state="sent",
                attempts=item.attempts + 1,
                sent_at=clock(),
                lease_until=None,
            )
        sent += 1
    return sent


def _send(settings: AlertSettings, item: _Claimed) -> None:
    if item.channel == "email":
        if settings.smtp is None:
            raise transport.SendFailed(
                "e-mail is not set up any more: add [smtp] to the server config"
            )
        mail = messages.email(
            item.message, settings.public_url, settings.smtp.sender, item.recipient
        )
        transport.send_email(settings.smtp, mail)
    else:
        if settings.webhook_url is None:
            raise transport.SendFailed(
                "the webhook is not set up any more: add [alerts] webhook_url"
            )
        transport.post_webhook(
            settings.webhook_url, messages.webhook_card(item.message, settings.public_url)
        )


def _update(conn: sa.Connection, delivery_id: int, **values: object) -> None:
    conn.execute(
        sa.update(alert_deliveries).where(alert_deliveries.c.id == delivery_id).values(**values)
    )


def digest(engine: Engine, settings: AlertSettings, now: dt.datetime) -> int:
    """Replace held deliveries with one digest per recipient and ward whose last hour has
    room again; returns how many digests were made (``send_due`` sends them)."""
    d = alert_deliveries.c
    made = 0
    with engine.begin() as conn:
        groups = conn.execute(
            sa.select(d.channel, d.recipient, d.org_code, d.site_code, d.ward_name)
            .where(d.state == "held")
            .distinct()
        ).all()
    for channel, recipient, org, site, name in groups:
        ward = (org, site, name)
        with engine.begin() as conn:
            _lock(conn, channel, recipient, ward)
            # Written first, then counted with the hour's messages (a pending digest is one).
            digest_id = conn.execute(
                alert_deliveries.insert()
                .values(
                    alert_id=None, org_code=org, site_code=site, ward_name=name, channel=channel,
                    recipient=recipient, state="pending", attempts=0, created_at=now,
                    next_try_at=now, alerts_in_digest=0,
                )
                .returning(d.id)
            ).scalar_one()  # fmt: skip
            if _sent_lately(conn, channel, recipient, ward, now) > settings.per_ward_per_hour:
                conn.execute(sa.delete(alert_deliveries).where(d.id == digest_id))
                continue
            # Whoever updates the held rows first takes them; another process finds none.
            taken = conn.execute(
                sa.update(alert_deliveries)
                .where(
                    d.state == "held", d.channel == channel, d.recipient == recipient,
                    d.org_code == org, d.site_code == site, d.ward_name == name,
                )
                .values(state="digested", digest_id=digest_id)
            ).rowcount  # fmt: skip
            if taken:
                _update(conn, digest_id, alerts_in_digest=taken)
                made += 1
            else:
                conn.execute(sa.delete(alert_deliveries).where(d.id == digest_id))
    return made
