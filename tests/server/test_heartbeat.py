"""What a kiosk says of itself (protocol 1.1): its app version, responses waiting and last sync
error, with each batch or in a heartbeat when it has nothing to send. Kiosks from before,
which send no report, are still taken. SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sync.client import SyncClient
from sync.device import DeviceIdentity
from sync.engine import SyncEngine
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer
from tests.server.conftest import auth, batch, enrol, response

HEARTBEAT = "/api/v1/devices/heartbeat"
REPORT = {"app_version": "1.4.0", "pending": 12, "last_error": "cannot reach the server"}


def device_row(engine: Engine) -> sa.Row[tuple[object, ...]]:
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.devices)).one()


def _recent(moment: datetime | None) -> bool:
    assert moment is not None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


def test_a_heartbeat_says_how_the_kiosk_is(client, engine, device_token):
    reply = client.post(HEARTBEAT, json=REPORT, headers=auth(device_token))
    assert reply.status_code == 200 and reply.json() == {"status": "ok"}
    row = device_row(engine)
    assert (row.app_version, row.pending_on_device, row.last_sync_error) == (
        "1.4.0",
        12,
        "cannot reach the server",
    )
    assert _recent(row.last_seen_at) and row.last_batch_at is None
    # All well again: the error is cleared.
    client.post(HEARTBEAT, json={"app_version": "1.4.0", "pending": 0}, headers=auth(device_token))
    assert device_row(engine).last_sync_error is None


def test_a_batch_carries_the_report_and_one_without_is_still_taken(client, engine, device_token):
    first = batch(response())
    first["device"] = {**REPORT, "last_error": "line\nbreak\x1b[31m and \u202eflip"}
    reply = client.post("/api/v1/responses/batch", json=first, headers=auth(device_token))
    assert reply.status_code == 200 and len(reply.json()["accepted"]) == 1
    row = device_row(engine)
    assert row.last_sync_error == "linebreak[31m and flip" and row.pending_on_device == 12
    assert _recent(row.last_batch_at) and row.last_batch_at == row.last_seen_at
    # A kiosk from before device reports: stored, seen, and what it said before is kept.
    reply = client.post(
        "/api/v1/responses/batch", json=batch(response()), headers=auth(device_token)
    )
    assert reply.status_code == 200 and len(reply.json()["accepted"]) == 1
    assert device_row(engine).app_version == "1.4.0"


def test_a_heartbeat_needs_a_known_unrevoked_device_token_before_anything(client, engine):
    assert client.post(HEARTBEAT, json=REPORT).status_code == 401
    assert client.post(HEARTBEAT, json=REPORT, headers=auth("x" * 43)).status_code == 401
    # A bad body with a bad token hears about its token, not its body.
    for body in (b"not json", b'{"pending": -1}', b""):
        reply = client.post(HEARTBEAT, content=body, headers=auth("x" * 43))
        assert reply.status_code == 401, body
    token = enrol(client, engine)
    device_id = device_row(engine).device_id
    devices.revoke_device(engine, device_id)
    reply = client.post(HEARTBEAT, json=REPORT, headers=auth(token))
    assert reply.status_code == 401 and "revoked" in reply.json()["detail"]
    assert device_row(engine).app_version == "0.1.0"  # as enrolled: nothing was kept


def test_a_bad_report_from_an_enrolled_kiosk_says_what_is_wrong(client, engine, device_token):
    for body in (
        {**REPORT, "pending": -1},
        {**REPORT, "pending": "3"},
        {**REPORT, "app_version": ""},
        {**REPORT, "app_version": "1.0\n"},
        {**REPORT, "last_error": "x" * 501},
        {**REPORT, "battery": 80},
    ):
        reply = client.post(HEARTBEAT, json=body, headers=auth(device_token))
        assert reply.status_code == 422 and reply.json()["detail"].startswith("invalid request")
    assert device_row(engine).pending_on_device is None


def test_the_heartbeat_is_in_the_published_contract(client: TestClient):
    document = client.get("/openapi.json").json()
    assert "post" in document["paths"][HEARTBEAT]
    assert {"app_version", "pending", "last_error"} <= set(
        document["components"]["schemas"]["DeviceReport"]["properties"]
    )
    assert "device" in document["components"]["schemas"]["Batch"]["properties"]


def test_an_idle_kiosk_reports_through_a_real_server(sqlite_engine, store):
    key = devices.create_key(sqlite_engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    device_id = str(uuid.uuid4())
    token, _ = devices.enroll(sqlite_engine, key, device_id, "tablet", "1.0")
    with EmbeddedServer(sqlite_engine) as live:
        sync = SyncEngine(
            store,
            SyncClient(live.url),
            DeviceIdentity(device_id, token, live.url),
            app_version="2.0.1",
        )
        assert sync.sync() is None
    row = device_row(sqlite_engine)
    assert (row.app_version, row.pending_on_device, row.last_sync_error) == ("2.0.1", 0, None)
    assert _recent(row.last_seen_at)
