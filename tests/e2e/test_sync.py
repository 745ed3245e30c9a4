"""Kiosk to server for real: uvicorn on loopback, a real LocalStore, the engine, and faults."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.store import LocalStore
from sync.client import SyncClient
from sync.device import DeviceIdentity
from sync.engine import SyncEngine
from sync.protocol import Response
from sync.server import devices, schema
from sync.server.ingest import ingest
from tests.e2e.conftest import enrolled_token, seed
from tests.e2e.faults import FAULTS, FaultProxy
from tests.server import queries

SCHEDULES = 200


def kiosk_engine(store: LocalStore, url: str, token: str, batch_size: int = 500) -> SyncEngine:
    client = SyncClient(url, token=token, timeout=(2.0, 0.5))
    return SyncEngine(
        store,
        client,
        DeviceIdentity("e2e", token, url),
        batch_size=batch_size,
        jitter=lambda: 0.0,
    )


def local_states(store: LocalStore) -> dict[str, str]:
    return {row["id"]: row["sync_state"] for row in store.db.query("SELECT * FROM responses")}


def test_ten_thousand_responses_arrive_exactly_once(tmp_path, live, server_db):
    store = LocalStore(tmp_path / "kiosk.db")
    ids = seed(store, 10_000)
    engine = kiosk_engine(store, live.url, enrolled_token(server_db))
    assert engine.sync() is None
    assert set(queries.response_ids(server_db)) == set(ids)
    assert queries.count_responses(server_db) == 10_000
    assert store.sync_counts() == {"pending": 0, "sent": 10_000, "rejected": 0}
    assert engine.status().state == "idle" and engine.status().last_success is not None
    store.close()


def test_a_revoked_kiosk_stops_and_nothing_is_marked_sent(tmp_path, live, server_db):
    store = LocalStore(tmp_path / "kiosk.db")
    seed(store, 5)
    engine = kiosk_engine(store, live.url, enrolled_token(server_db))
    devices.revoke_device(server_db, devices.list_devices(server_db)[0]["device_id"])
    assert engine.sync() is None
    status = engine.status()
    assert status.state == "stopped" and "revoked" in status.last_error
    assert status.pending == 5 and queries.count_responses(server_db) == 0
    store.close()


@pytest.mark.slow
def test_randomised_faults_converge_to_exactly_once(tmp_path, live, server_db):
    rng = random.Random(20261126)
    token = enrolled_token(server_db)
    device_id = devices.list_devices(server_db)[0]["device_id"]
    other = devices.Device(device_id, "RWD", "RWDLA", "Ward 7", False)
    weights = {fault: (1 if fault == "hang" else 6) for fault in FAULTS}
    faults_seen: set[str] = set()
    conflicts = 0
    with FaultProxy(int(live.url.rsplit(":", 1)[1]), hang_seconds=1.0) as proxy:
        for schedule in range(SCHEDULES):
            store = LocalStore(tmp_path / f"kiosk-{schedule}.db")
            ids = seed(store, rng.randint(1, 30))
            conflict_id = None
            if rng.random() < 0.15:
                # The server already holds one of these ids with other content.
                conflict_id = ids[0]
                row = dict(store.get(conflict_id))
                row["rating"] = row["rating"] % 6 + 1
                fields = set(Response.model_fields)
                clash = Response.model_validate({k: v for k, v in row.items() if k in fields})
                ingest(server_db, other, f"preload-{schedule}", [clash])
            schedule_faults = rng.choices(
                list(weights), list(weights.values()), k=rng.randint(1, 10)
            )
            faults_seen.update(schedule_faults)
            proxy.faults = deque(schedule_faults)
            engine = kiosk_engine(store, proxy.url, token, rng.choice([1, 2, 5, 500]))

            for _ in range(100):
                engine.sync()
                on_server = queries.stored_ids(server_db, ids)
                sent = [rid for rid, state in local_states(store).items() if state == "sent"]
                assert set(sent) <= on_server, "a response was marked sent that the server lacks"
                if engine.stopped:
                    engine.resume()  # IT re-enabled the kiosk / staff pressed "Sync now"
                if store.sync_counts()["pending"] == 0 and not proxy.faults:
                    break

            states = local_states(store)
            assert store.sync_counts()["pending"] == 0, f"schedule {schedule} did not converge"
            assert queries.stored_ids(server_db, ids) == set(ids)
            if conflict_id:
                conflicts += 1
                assert states[conflict_id] == "rejected"
                assert store.get(conflict_id)["sync_error"] == "conflict"
                assert all(s == "sent" for rid, s in states.items() if rid != conflict_id)
            else:
                assert set(states.values()) == {"sent"}
            store.close()
    # Exactly once: one row per id on the server, whatever was retried.
    distinct_ids = sa.select(sa.func.count(sa.distinct(schema.responses.c.id)))
    with server_db.connect() as conn:
        assert conn.execute(distinct_ids).scalar() == queries.count_responses(server_db)
    assert faults_seen == set(FAULTS) and conflicts > 0


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killing_the_kiosk_mid_sync_converges_without_duplicates(tmp_path, live, server_db):
    store = LocalStore(tmp_path / "kiosk.db")
    ids = seed(store, 3000)
    store.close()
    token = enrolled_token(server_db)
    child = Path(__file__).with_name("sync_child.py")
    rng = random.Random(7)
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, str(child), str(tmp_path / "kiosk.db"), live.url, token, "50"],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        for _ in range(rng.randint(1, 15)):  # let it push a few batches, then pull the plug
            if not process.stdout.readline():
                break
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = subprocess.run(
        [sys.executable, str(child), str(tmp_path / "kiosk.db"), live.url, token, "500"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    store = LocalStore(tmp_path / "kiosk.db")
    assert store.sync_counts() == {"pending": 0, "sent": 3000, "rejected": 0}
    assert set(queries.response_ids(server_db)) == set(ids)
    assert queries.count_responses(server_db) == 3000
    store.close()
