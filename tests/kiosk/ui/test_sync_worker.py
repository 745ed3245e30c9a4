"""The kiosk syncs in the background: a finished response reaches a real server by itself,
and responses the server has had for the retention period are deleted on the same thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from sqlalchemy.engine import Engine

from kiosk.config import SyncSettings
from kiosk.store import LocalStore
from kiosk.ui import sync_worker
from kiosk.ui.sync_worker import RETENTION_EVERY_MS, SyncThread, SyncWorker
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer
from tests.helpers import ORIGIN, tap
from tests.server import queries

# Nothing listens on the discard port: every sync attempt fails fast, as when the network is
# down. Retention must not depend on the server being there.
NO_SERVER = SyncSettings(server_url="http://127.0.0.1:9", enrollment_key="k" * 43)


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[EmbeddedServer, Engine]]:
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    with EmbeddedServer(engine) as live:
        yield live, engine
    engine.dispose()


def sync_config(url: str, key: str) -> str:
    return f'[kiosk]\nthanks_seconds = 2\n[sync]\nserver_url = "{url}"\nenrollment_key = "{key}"\n'


def test_a_finished_response_reaches_the_server_without_waiting_on_the_ui(
    qtbot, make_kiosk, server
):
    live, engine = server
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7 Acute Medicine"))
    window = make_kiosk(sync_config(live.url, key))
    assert window.sync is not None
    assert window.sync.worker.thread() is not QThread.currentThread()  # never the UI thread

    tap(qtbot, window, "Very good")
    tap(qtbot, window, "Staff")
    tap(qtbot, window, "Send")
    qtbot.waitUntil(lambda: queries.count_responses(engine) == 1, timeout=15_000)
    # Wait for the status after that batch: the one from start-up (before the tap) already
    # said "0 waiting", but with no success yet.
    qtbot.waitUntil(
        lambda: window.sync_status is not None and window.sync_status.last_success is not None,
        timeout=15_000,
    )
    assert window.sync_status.state == "idle" and window.sync_status.pending == 0
    assert len(devices.list_devices(engine)) == 1  # it enrolled itself with the key
    assert window.sync_status.device_id == devices.list_devices(engine)[0]["device_id"]


def test_a_refused_key_is_reported_in_plain_words(qtbot, make_kiosk, server):
    live, _ = server
    window = make_kiosk(sync_config(live.url, "x" * 43))
    qtbot.waitUntil(lambda: window.sync_status is not None, timeout=15_000)
    assert window.sync_status.state == "stopped"
    assert "enrolment key was refused" in window.sync_status.last_error


def test_no_sync_section_means_no_sync_thread(make_kiosk):
    window = make_kiosk()
    assert window.sync is None and window.config.sync is None


def seed_ages(data_dir: Path) -> dict[str, str]:
    """A store with a response in each sync state, long past a 30-day retention, and one
    sent recently; returns their ids by name."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = LocalStore.in_dir(data_dir)
    long_ago = datetime.now(UTC) - timedelta(days=45)
    ids = {
        name: store.record(1, ORIGIN, language="en", at=long_ago)
        for name in ("old sent", "recent sent", "old pending", "old rejected")
    }
    for rid in ids.values():
        store.finish(rid, at=long_ago)
    store.apply_results([ids["old sent"]], {ids["old rejected"]: "conflict"}, at=long_ago)
    store.apply_results([ids["recent sent"]], at=datetime.now(UTC) - timedelta(days=29))
    store.close()
    return ids


def stored_ids(data_dir: Path) -> set[str]:
    store = LocalStore.in_dir(data_dir)
    try:
        return {row["id"] for row in store.db.query("SELECT id FROM responses")}
    finally:
        store.close()


def test_the_sync_thread_deletes_old_sent_responses_soon_after_start_then_daily(
    qtbot, data_dir, monkeypatch
):
    monkeypatch.setattr(sync_worker, "RETENTION_FIRST_MS", 0)  # "shortly after start": now
    ids = seed_ages(data_dir)
    thread = SyncThread(data_dir, NO_SERVER, retention_days=30)
    try:
        with qtbot.wait_signal(thread.worker.purged, timeout=15_000) as purged:
            thread.start()
        assert purged.args == [1]
        retention = thread.worker.retention
        assert retention.interval() == RETENTION_EVERY_MS and retention.isSingleShot()
        assert thread.worker.store is not None
    finally:
        thread.stop()
    assert stored_ids(data_dir) == {ids["recent sent"], ids["old pending"], ids["old rejected"]}


def test_the_retention_slot_runs_on_the_workers_own_store(qtbot, data_dir):
    ids = seed_ages(data_dir)
    worker = SyncWorker(data_dir, NO_SERVER, retention_days=30)
    with qtbot.assert_not_emitted(worker.purged):
        worker.purge_expired()  # not started: no store yet, nothing to do
    worker.store = LocalStore.in_dir(data_dir)  # what start() opens, without the engine
    try:
        with qtbot.wait_signal(worker.purged, timeout=1_000) as purged:
            worker.purge_expired()
        assert purged.args == [1]
        assert worker.retention.isActive()  # and again in a day
    finally:
        worker.stop()
    assert ids["old sent"] not in stored_ids(data_dir)


def test_a_worker_stopped_before_it_started_stops_cleanly(data_dir):
    worker = SyncWorker(data_dir, NO_SERVER, retention_days=400)
    worker.stop()
    names = {worker.debounce.name, worker.retry.name, worker.poll.name, worker.retention.name}
    assert names == {"sync-debounce", "sync-retry", "sync-poll", "sync-retention"}
    assert not any(t.isActive() for t in (worker.debounce, worker.retry, worker.poll))
