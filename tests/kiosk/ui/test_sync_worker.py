"""The kiosk syncs in the background: a finished response reaches a real server by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from sqlalchemy.engine import Engine

from sync.server import db
from sync.server.embedded import EmbeddedServer
from tests.helpers import tap


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[EmbeddedServer, Engine]]:
    engine = db.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    with EmbeddedServer(engine) as live:
        yield live, engine
    engine.dispose()


def sync_config(url: str, key: str) -> str:
    return f'[kiosk]\nthanks_seconds = 2\n[sync]\nserver_url = "{url}"\nenrollment_key = "{key}"\n'


def test_a_finished_response_reaches_the_server_without_waiting_on_the_ui(
    qtbot, make_kiosk, server
):
    live, engine = server
    key = db.create_key(engine, db.Place("RWD", "RWDLA", "Ward 7 Acute Medicine"))
    window = make_kiosk(sync_config(live.url, key))
    assert window.sync is not None
    assert window.sync.worker.thread() is not QThread.currentThread()  # never the UI thread

    tap(qtbot, window, "Very good")
    tap(qtbot, window, "Staff")
    tap(qtbot, window, "Send")
    qtbot.waitUntil(lambda: db.count_responses(engine) == 1, timeout=15_000)
    qtbot.waitUntil(
        lambda: window.sync_status is not None and window.sync_status.pending == 0,
        timeout=15_000,
    )
    assert window.sync_status.state == "idle" and window.sync_status.last_success is not None
    assert len(db.list_devices(engine)) == 1  # it enrolled itself with the key
    assert window.sync_status.device_id == db.list_devices(engine)[0]["device_id"]


def test_a_refused_key_is_reported_in_plain_words(qtbot, make_kiosk, server):
    live, _ = server
    window = make_kiosk(sync_config(live.url, "x" * 43))
    qtbot.waitUntil(lambda: window.sync_status is not None, timeout=15_000)
    assert window.sync_status.state == "stopped"
    assert "enrolment key was refused" in window.sync_status.last_error


def test_no_sync_section_means_no_sync_thread(make_kiosk):
    window = make_kiosk()
    assert window.sync is None and window.config.sync is None
