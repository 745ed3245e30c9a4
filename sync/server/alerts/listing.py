"""Alerts as the web app shows them: a page of them newest first for the wards a user may see,
one with its deliveries and its comment, and acknowledging one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.devices import Place
from sync.server.schema import alert_deliveries, alerts, responses

#: The wards a user may see; None for every ward (an admin).
Scope = frozenset[Place] | None


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Delivery:
    """One message of an alert: to whom, how, and how it went."""

    id: int
    channel: str
    recipient: str
    state: str
    attempts: int
    last_error: str | None
    next_try_at: dt.datetime | None
    sent_at: dt.datetime | None
    digest_id: int | None


@dataclass(frozen=True)
class Alert:
    id: int
    kind: str
    place: Place
    response_id: str | None
    raised_at: dt.datetime
    details: str
    queued_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    deliveries: tuple[Delivery, ...] = ()


@dataclass(frozen=True)
class Comment:
    """The comment an alert is about, for a signed-in user who may see its ward."""

    text: str
    rating: int
    local_date: dt.date
    answered_at: dt.datetime


def _where(scope: Scope, place: Place | None) -> list[sa.ColumnElement[bool]]:
    c = alerts.c
    ward = sa.tuple_(c.org_code, c.site_code, c.ward_name)
    conditions: list[sa.ColumnElement[bool]] = []
    if scope is not None:
        if not scope:
            return [sa.false()]
        conditions.append(ward.in_([(p.org_code, p.site_code, p.ward_name) for p in scope]))
    if place is not None:
        conditions += [
            c.org_code == place.org_code,
            c.site_code == place.site_code,
            c.ward_name == place.ward_name,
        ]
    return conditions


def _alert(row: sa.Row[tuple[object, ...]], deliveries: Iterable[Delivery] = ()) -> Alert:
    m = row._mapping
    return Alert(
        id=m["id"],
        kind=m["kind"],
        place=Place(m["org_code"], m["site_code"], m["ward_name"]),
        response_id=m["response_id"],
        raised_at=_aware(m["raised_at"]) or m["raised_at"],
        details=m["details"],
        queued_at=_aware(m["queued_at"]),
        acknowledged_by=m["acknowledged_by"],
        acknowledged_at=_aware(m["acknowledged_at"]),
        deliveries=tuple(deliveries),
    )


def _deliveries(conn: sa.Connection, alert_ids: list[int]) -> dict[int, list[Delivery]]:
    d = alert_deliveries.c
    found: dict[int, list[Delivery]] = defaultdict(list)
    if not alert_ids:
        return found
    query = sa.select(alert_deliveries).where(d.alert_id.in_(alert_ids)).order_by(d.id)
    for row in conn.execute(query).mappings():
        found[row["alert_id"]].append(
            Delivery(
                id=row["id"],
                channel=row["channel"],
                recipient=row["recipient"],
                state=row["state"],
                attempts=row["attempts"],
                last_error=row["last_error"],
                next_try_at=_aware(row["next_try_at"]),
                sent_at=_aware(row["sent_at"]),
                digest_id=row["digest_id"],
            )
        )
    return found


def page_of_alerts(
    engine: Engine, scope: Scope, offset: int, limit: int, place: Place | None = None
) -> tuple[list[Alert], int]:
    """Alerts newest first for the wards in *scope* (and only *place*, if given), with their
    deliveries; and how many there are in all."""
    where = _where(scope, place)
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(alerts).where(*where)
        ).scalar_one()
        rows = conn.execute(
            sa.select(alerts)
            .where(*where)
            .order_by(alerts.c.raised_at.desc(), alerts.c.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        deliveries = _deliveries(conn, [row.id for row in rows])
    return [_alert(row, deliveries.get(row.id, ())) for row in rows], int(total)


def one_alert(engine: Engine, alert_id: int) -> tuple[Alert, Comment | None] | None:
    """The alert *alert_id* with its deliveries and its comment, or None if there is none.
    The caller checks the user may see its ward."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            return None
        alert = _alert(row, _deliveries(conn, [alert_id]).get(alert_id, ()))
        comment = None
        if alert.response_id is not None:
            r = responses.c
            found = conn.execute(
                sa.select(r.comment, r.rating, r.local_date, r.answered_at).where(
                    r.id == alert.response_id
                )
            ).first()
            if found is not None:
                comment = Comment(
                    found.comment or "",
                    found.rating,
                    found.local_date,
                    _aware(found.answered_at) or found.answered_at,
                )
    return alert, comment


def acknowledge(engine: Engine, alert_id: int, by: str, at: dt.datetime) -> bool:
    """Mark the alert acknowledged by *by* at *at*; False if it already was (the first
    acknowledgement stands)."""
    with engine.begin() as conn:
        return acknowledge_on(conn, alert_id, by, at)


def acknowledge_on(conn: sa.Connection, alert_id: int, by: str, at: dt.datetime) -> bool:
    """``acknowledge`` in the caller's transaction (so its audit entry commits with it)."""
    done = conn.execute(
        sa.update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.acknowledged_at.is_(None))
        .values(acknowledged_by=by[:254], acknowledged_at=at)
    )
    return done.rowcount == 1


def unacknowledged(engine: Engine, scope: Scope, place: Place | None = None) -> int:
    """How many alerts in *scope* (of *place* only, if given) nobody has acknowledged yet."""
    where = [*_where(scope, place), alerts.c.acknowledged_at.is_(None)]
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(alerts).where(*where)).scalar_one()
        )
