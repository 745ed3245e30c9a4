"""The outbox loop with a scripted server: backoff, Retry-After, splitting, stopping, lies."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import LocalStore
from sync.client import Refused, Revoked, TooLarge, Transient
from sync.device import DEVICE_FILE, DeviceIdentity, load_identity
from sync.engine import BACKOFF_CAP, SyncEngine
from sync.protocol import BatchResult, EnrollReply, Rejection
from tests.kiosk.test_store import ORIGIN


def ids_of(items: list[str]) -> list[str]:
    return [json.loads(item)["id"] for item in items]


def accept_all(batch_id: str, items: list[str]) -> BatchResult:
    return BatchResult(accepted=ids_of(items))


class ScriptedClient:
    """Plays a script of replies: a callable makes the verdict, an exception is raised."""

    base_url = "https://feedback.example.nhs.uk"

    def __init__(self, *script: Any, then: Any = accept_all) -> None:
        self.script = list(script)
        self.then = then
        self.token: str | None = "t" * 43
        self.batches: list[list[str]] = []
        self.enrolled: list[str] = []

    def push(self, batch_id: str, items: list[str]) -> BatchResult:
        self.batches.append(ids_of(items))
        step = self.script.pop(0) if self.script else self.then
        if isinstance(step, Exception):
            raise step
        return step(batch_id, items)

    def enroll(self, key: str, device_id: str, name: str, version: str) -> EnrollReply:
        self.enrolled.append(key)
        return EnrollReply(
            device_token="n" * 43, org_code="RWD", site_code="RWDLA", ward_name="Ward 7"
        )


@pytest.fixture
def store(tmp_path: Path):
    store = LocalStore(tmp_path / "kiosk.db")
    yield store
    store.close()


def fill(store: LocalStore, n: int) -> list[str]:
    ids = []
    for i in range(n):
        rid = store.record(i % 6 + 1, ORIGIN, language="en")
        store.finish(rid)
        ids.append(rid)
    return ids


def engine(store, client, **kwargs) -> SyncEngine:
    kwargs.setdefault("jitter", lambda: 1.0)
    return SyncEngine(store, client, DeviceIdentity("d", "t" * 43, client.base_url), **kwargs)


def test_everything_is_sent_in_batches_oldest_first(store):
    ids = fill(store, 7)
    client = ScriptedClient()
    assert engine(store, client, batch_size=3).sync() is None
    assert client.batches == [ids[0:3], ids[3:6], ids[6:7]]
    assert store.sync_counts() == {"pending": 0, "sent": 7, "rejected": 0}


def test_a_long_backlog_can_be_synced_in_slices(store):
    fill(store, 10)
    client = ScriptedClient()
    sync = engine(store, client, batch_size=2)
    assert sync.sync(max_batches=3) == 0
    assert sync.status().pending == 4
    assert sync.sync(max_batches=3) is None and sync.status().pending == 0


def test_backoff_doubles_from_5s_to_a_5_minute_cap(store):
    fill(store, 1)
    sync = engine(store, ScriptedClient(then=lambda *_: (_ for _ in ()).throw(Transient("x"))))
    delays = [sync.sync() for _ in range(9)]
    assert delays == [5, 10, 20, 40, 80, 160, BACKOFF_CAP, BACKOFF_CAP, BACKOFF_CAP]
    assert store.sync_counts()["pending"] == 1


def test_backoff_has_jitter(store):
    fill(store, 1)
    failing = ScriptedClient(then=lambda *_: (_ for _ in ()).throw(Transient("x")))
    assert engine(store, failing, jitter=lambda: 0.0).sync() == 2.5


def test_retry_after_is_honoured_and_a_success_resets_backoff(store):
    fill(store, 2)
    client = ScriptedClient(Transient("busy", retry_after=42), Transient("down"))
    sync = engine(store, client)
    assert sync.sync() == 42
    assert sync.sync() == 10  # the second failure in a row
    assert sync.sync() is None and sync.failures == 0 and sync.last_error is None


def test_network_returning_resets_backoff(store):
    fill(store, 1)
    sync = engine(store, ScriptedClient(Transient("a"), Transient("b"), Transient("c")))
    sync.sync(), sync.sync()
    sync.network_returned()
    assert sync.sync() == 5


def test_413_splits_the_batch_until_it_fits(store):
    ids = fill(store, 10)

    def small_only(batch_id, items):
        if len(items) > 3:
            raise TooLarge("too big")
        return accept_all(batch_id, items)

    client = ScriptedClient(then=small_only)
    assert engine(store, client, batch_size=10).sync() is None
    assert [len(b) for b in client.batches] == [10, 5, 2, 2, 2, 2, 2]
    assert [rid for batch in client.batches[2:] for rid in batch] == ids


def test_a_single_response_too_large_stops_sync_and_is_kept(store):
    (rid,) = fill(store, 1)
    client = ScriptedClient(then=lambda *_: (_ for _ in ()).throw(TooLarge("big")))
    sync = engine(store, client)
    assert sync.sync() is None
    assert sync.status().state == "stopped" and "ask IT" in sync.status().last_error
    assert store.get(rid)["sync_state"] == "pending" and len(client.batches) == 1


@pytest.mark.parametrize("error", [Revoked("revoked; ask IT"), Refused("no (400)")])
def test_revoked_or_refused_stops_and_tells_staff_until_resumed(store, error):
    fill(store, 3)
    client = ScriptedClient(error)
    sync = engine(store, client)
    assert sync.sync() is None
    status = sync.status()
    assert status.state == "stopped" and status.last_error == str(error)
    assert status.pending == 3
    assert sync.sync() is None and len(client.batches) == 1  # it does not keep trying
    sync.resume()
    assert sync.sync() is None and sync.status().state == "idle"


def test_per_item_results_are_applied(store):
    ids = fill(store, 3)

    def verdict(batch_id, items):
        return BatchResult(
            accepted=[ids[0]],
            duplicate=[ids[1]],
            rejected=[Rejection(id=ids[2], reason="conflict")],
        )

    sync = engine(store, ScriptedClient(verdict))
    sync.sync()
    assert [store.get(i)["sync_state"] for i in ids] == ["sent", "sent", "rejected"]
    assert store.get(ids[2])["sync_error"] == "conflict"
    assert sync.status().rejected == 1


@pytest.mark.parametrize(
    "lie",
    [
        lambda ids: BatchResult(),  # names nothing
        lambda ids: BatchResult(accepted=["not-one-of-ours"]),
        lambda ids: BatchResult(accepted=[ids[0]], rejected=[Rejection(id=ids[0], reason="?")]),
    ],
)
def test_a_server_that_lies_never_gets_a_response_marked_sent(store, lie):
    ids = fill(store, 1)
    sync = engine(store, ScriptedClient(lambda batch_id, items: lie(ids)))
    assert sync.sync() == 5
    assert store.get(ids[0])["sync_state"] == "pending"


def test_first_contact_enrolls_and_keeps_the_token_private(store, tmp_path):
    fill(store, 1)
    identity = load_identity(tmp_path)
    client = ScriptedClient()
    client.token = None
    sync = SyncEngine(store, client, identity, data_dir=tmp_path, enrollment_key="k" * 43)
    assert sync.sync() is None
    assert client.enrolled == ["k" * 43] and client.token == "n" * 43
    saved = json.loads((tmp_path / DEVICE_FILE).read_text())
    assert saved["token"] == "n" * 43 and saved["device_id"] == identity.device_id
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / DEVICE_FILE).stat().st_mode) == 0o600
    assert "n" * 43 not in repr(identity)
    assert load_identity(tmp_path).token == "n" * 43


def test_no_enrollment_key_stops_with_a_clear_reason(store, tmp_path):
    client = ScriptedClient()
    client.token = None
    sync = SyncEngine(store, client, load_identity(tmp_path))
    assert sync.sync() is None
    assert "enrollment_key" in sync.status().last_error


def test_the_token_never_reaches_the_log(store, tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    fill(store, 2)
    client = ScriptedClient(Transient("down"))
    client.token = None
    identity = load_identity(tmp_path)
    sync = SyncEngine(store, client, identity, data_dir=tmp_path, enrollment_key="k" * 43)
    sync.sync()
    sync.sync()
    logging.getLogger("test").info("identity %r", identity)
    assert "enrolled" in caplog.text and "n" * 43 not in caplog.text and "k" * 43 not in caplog.text
