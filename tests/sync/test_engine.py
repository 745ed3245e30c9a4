"""The outbox loop with a scripted server: backoff, Retry-After, splitting, stopping, lies."""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest

from kiosk.store import LocalStore
from sync.client import Refused, Revoked, ServerError, SyncClient, TooLarge, Transient
from sync.device import DEVICE_FILE, DeviceIdentity, load_identity
from sync.engine import BACKOFF_CAP, HEARTBEAT_SECONDS, SPLIT_AFTER_ERRORS, SyncEngine
from sync.protocol import BatchResult, DeviceReport, EnrollReply, Rejection
from sync.server import schema
from tests.e2e.conftest import enrolled_token
from tests.embedded_server import EmbeddedServer
from tests.helpers import ORIGIN
from tests.server import queries


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
        self.reporter: Any = None  # the engine sets it; a batch carries what it makes
        self.reports: list[DeviceReport | None] = []
        self.heartbeats: list[DeviceReport | Exception] = []  # an exception is raised

    def push(self, batch_id: str, items: list[str]) -> BatchResult:
        self.batches.append(ids_of(items))
        self.reports.append(self.reporter(len(items)) if self.reporter else None)
        step = self.script.pop(0) if self.script else self.then
        if isinstance(step, Exception):
            raise step
        return step(batch_id, items)

    def heartbeat(self, report: DeviceReport) -> None:
        self.heartbeats.append(report)
        if self.script and isinstance(self.script[0], Exception):
            raise self.script.pop(0)

    def enroll(
        self, key: str, device_id: str, name: str, version: str, token: str | None = None
    ) -> EnrollReply:
        self.enrolled.append(key)
        return EnrollReply(
            device_token="n" * 43, org_code="RWD", site_code="RWDLA", ward_name="Ward 7"
        )


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


def test_revoked_stops_and_tells_staff_until_resumed(store):
    fill(store, 3)
    error = Revoked("the central server refused this kiosk (this device was revoked); ask IT")
    client = ScriptedClient(error)
    sync = engine(store, client)
    assert sync.sync() is None
    status = sync.status()
    assert status.state == "stopped" and status.last_error == str(error)
    assert status.pending == 3 and status.rejected == 0
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


# -- a response the server can never take does not hold up the others ---------------------

INVALID = "invalid request: responses.0.comment: String should have at most 1000 characters"


def refusing(*bad: str, status: int = 422, detail: str = INVALID):
    """A server that refuses, with a 4xx, any batch holding one of *bad*."""

    def verdict(batch_id: str, items: list[str]) -> BatchResult:
        if set(bad) & set(ids_of(items)):
            raise Refused(
                f"the central server would not accept the upload ({status}: {detail})",
                status,
                detail,
            )
        return accept_all(batch_id, items)

    return verdict


def failing_on(*bad: str, status: int = 500):
    """A server that fails (5xx) on any batch holding one of *bad*; every batch if none."""

    def verdict(batch_id: str, items: list[str]) -> BatchResult:
        if not bad or set(bad) & set(ids_of(items)):
            raise ServerError(
                f"the central server had a problem ({status}); trying again later", status
            )
        return accept_all(batch_id, items)

    return verdict


def raising(error: Exception):
    def verdict(batch_id: str, items: list[str]) -> BatchResult:
        raise error

    return verdict


def states(store: LocalStore, ids: list[str]) -> list[str]:
    return [store.get(rid)["sync_state"] for rid in ids]


def attempts(store: LocalStore) -> dict[str, int]:
    return dict(store.db.execute("SELECT id, sync_attempts FROM responses").fetchall())


def test_one_refused_response_is_rejected_and_the_other_nine_are_sent(store):
    ids = fill(store, 10)
    bad = ids[6]
    client = ScriptedClient(then=refusing(bad))
    sync = engine(store, client, batch_size=10)
    assert sync.sync() is None
    assert states(store, ids) == ["sent"] * 6 + ["rejected"] + ["sent"] * 3
    assert store.get(bad)["sync_error"] == INVALID
    status = sync.status()
    assert sync.stopped is None and status.state == "idle"
    assert status.pending == 0 and status.rejected == 1
    assert status.last_error == (
        f"1 response was refused by the central server ({INVALID}); it is kept on this "
        "kiosk and not sent again"
    )
    assert len(client.batches) <= 10  # a binary search, not one request per response
    # Rejected means never sent again, and later responses go up as usual.
    later = fill(store, 2)
    tried = len(client.batches)
    assert sync.sync() is None
    assert client.batches[tried:] == [later]
    assert sync.status().last_error is None  # a clean batch since


def test_several_refused_responses_are_each_found(store):
    ids = fill(store, 40)
    bad = [ids[0], ids[17], ids[18], ids[39]]
    client = ScriptedClient(then=refusing(*bad))
    sync = engine(store, client, batch_size=16)
    assert sync.sync() is None
    assert [rid for rid in ids if store.get(rid)["sync_state"] == "rejected"] == bad
    assert store.sync_counts() == {"pending": 0, "sent": 36, "rejected": 4}
    assert sync.status().last_error.startswith("4 responses were refused by the central server")


def test_a_server_refusing_everything_stops_sync_and_rejects_nothing(store):
    # A wrong server_url (a web server answering 404 to everything) must not mark the
    # whole backlog refused.
    ids = fill(store, 20)
    client = ScriptedClient(then=refusing(*ids, status=404, detail="Not Found"))
    sync = engine(store, client, batch_size=20)
    assert sync.sync() is None
    status = sync.status()
    assert status.state == "stopped" and "nothing was marked refused" in status.last_error
    assert "(404: Not Found)" in status.last_error
    assert store.sync_counts() == {"pending": 20, "sent": 0, "rejected": 0}
    assert len(client.batches) < 12


def test_a_lone_refused_response_waits_for_others_to_tell_it_from_the_server(store):
    (bad,) = fill(store, 1)
    client = ScriptedClient(then=refusing(bad))
    sync = engine(store, client)
    assert sync.sync() == 5  # nothing to compare with: kept pending, tried again later
    assert sync.stopped is None and store.get(bad)["sync_state"] == "pending"
    assert "it is kept on this kiosk and will be tried again" in sync.status().last_error
    (good,) = fill(store, 1)
    assert sync.sync() is None
    assert states(store, [bad, good]) == ["rejected", "sent"]


def test_a_response_the_server_always_fails_on_is_deferred_and_the_rest_flow(store):
    ids = fill(store, 10)
    bad = ids[3]
    client = ScriptedClient(then=failing_on(bad))
    sync = engine(store, client, batch_size=10)
    # The first failures could be a restarting server: wait, do not split.
    for _ in range(SPLIT_AFTER_ERRORS - 1):
        assert sync.sync() > 0
    assert [len(batch) for batch in client.batches] == [10] * (SPLIT_AFTER_ERRORS - 1)
    delays = [sync.sync() for _ in range(6)]
    assert all(delay is not None and delay > 0 for delay in delays)  # retried, with backoff
    others = [rid for rid in ids if rid != bad]
    assert states(store, others) == ["sent"] * 9
    row = store.get(bad)
    assert row["sync_state"] == "pending" and row["sync_attempts"] >= 1  # never rejected
    status = sync.status()
    assert sync.stopped is None and status.state == "waiting" and status.rejected == 0
    assert status.last_error == (
        "1 response could not be stored by the central server (error 500); it is kept on "
        "this kiosk and will be retried after the others"
    )
    # Responses given later go up first, without it, and it is still tried after them.
    later = fill(store, 3)
    tried = len(client.batches)
    assert sync.sync() > 0
    assert client.batches[tried] == later and client.batches[tried + 1] == [bad]
    assert states(store, later) == ["sent"] * 3
    # When the server is fixed, it goes up too.
    client.then = accept_all
    assert sync.sync() is None and store.get(bad)["sync_state"] == "sent"


def test_a_deferred_response_still_goes_last_after_a_restart(store):
    ids = fill(store, 4)
    client = ScriptedClient(then=failing_on(ids[0]))
    first = engine(store, client, batch_size=4)
    for _ in range(SPLIT_AFTER_ERRORS + 1):
        first.sync()
    assert states(store, ids) == ["pending", "sent", "sent", "sent"]
    later = fill(store, 2)
    client.batches.clear()
    restarted = engine(store, client, batch_size=4)  # the kiosk was switched off and on
    assert restarted.sync() > 0
    assert client.batches == [later, [ids[0]]]


def test_connection_errors_split_and_defer_nothing(store):
    ids = fill(store, 10)
    errors = [
        Transient("cannot reach the central server (no network?)"),
        Transient("the central server did not answer in time"),
        Transient("the central server is busy (503); trying again later", retry_after=30),
    ]
    client = ScriptedClient(*(errors * 4), then=raising(errors[0]))
    sync = engine(store, client, batch_size=10)
    for _ in range(15):
        assert sync.sync() > 0
    assert client.batches == [ids] * 15  # the whole batch each time, never split
    assert set(attempts(store).values()) == {0}  # nothing deferred
    assert store.sync_counts() == {"pending": 10, "sent": 0, "rejected": 0}
    assert sync.stopped is None


def test_a_server_failing_everything_defers_nothing_and_never_rejects(store):
    ids = fill(store, 10)
    client = ScriptedClient(then=failing_on())
    sync = engine(store, client, batch_size=10)
    delays = [sync.sync() for _ in range(12)]
    assert all(delay is not None and delay > 0 for delay in delays)
    assert set(attempts(store).values()) == {0}
    assert store.sync_counts() == {"pending": 10, "sent": 0, "rejected": 0}
    assert sync.stopped is None and "had a problem (500)" in sync.status().last_error
    # Back up: everything goes, in batches growing back to the full size.
    client.then = accept_all
    client.batches.clear()
    assert sync.sync() is None
    assert [rid for batch in client.batches for rid in batch] == ids
    assert sync.limit == 10


def test_401_after_isolation_began_still_stops(store):
    ids = fill(store, 10)
    revoked = Revoked("the central server refused this kiosk (revoked); ask IT to enrol it")
    client = ScriptedClient(refusing(ids[0]), then=raising(revoked))
    sync = engine(store, client, batch_size=10)
    assert sync.sync() is None
    assert sync.status().state == "stopped" and sync.status().last_error == str(revoked)
    assert store.sync_counts() == {"pending": 10, "sent": 0, "rejected": 0}


def test_a_real_server_refusing_one_response_gets_the_rest(tmp_path, store):
    """Against the real server: one response it refuses (422) among twenty."""
    ids = fill(store, 20)
    # A language the wire format does not allow, as a kiosk with a bad survey file might send.
    store.db.execute("UPDATE responses SET language = 'english' WHERE id = ?", [ids[11]])
    store.db.conn.commit()
    server_db = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        token = enrolled_token(server_db)
        with EmbeddedServer(server_db) as live:
            client = SyncClient(live.url, token=token)
            sync = SyncEngine(store, client, DeviceIdentity("d", token, live.url), batch_size=20)
            assert sync.sync() is None
        assert queries.stored_ids(server_db, ids) == set(ids) - {ids[11]}
    finally:
        server_db.dispose()
    assert store.sync_counts() == {"pending": 0, "sent": 19, "rejected": 1}
    assert "language" in store.get(ids[11])["sync_error"]
    assert sync.stopped is None and sync.status().last_error.startswith(
        "1 response was refused by the central server (invalid request: responses.0.language"
    )


# -- what the kiosk says of itself (protocol 1.1) --------------------------------------------


def test_each_batch_reports_the_version_what_will_still_wait_and_the_last_problem(store):
    fill(store, 5)
    client = ScriptedClient(Transient("cannot reach the central server"))
    sync = engine(store, client, batch_size=2, app_version="3.1.0")
    assert sync.sync() == 5 and sync.sync() is None
    said = [(r.app_version, r.pending, r.last_error) for r in client.reports if r]
    assert said == [
        ("3.1.0", 3, None),  # the attempt that failed
        ("3.1.0", 3, "cannot reach the central server"),
        ("3.1.0", 1, None),
        ("3.1.0", 0, None),
    ]
    assert client.heartbeats == []  # the batches said it all


def test_an_idle_kiosk_sends_a_heartbeat_at_most_every_15_minutes(store):
    now = [1000.0]
    client = ScriptedClient()
    sync = engine(store, client, clock=lambda: now[0], app_version="3.1.0")
    assert sync.sync() is None and len(client.heartbeats) == 1
    assert client.heartbeats[0] == DeviceReport(app_version="3.1.0", pending=0)
    now[0] += HEARTBEAT_SECONDS - 1
    assert sync.sync() is None and len(client.heartbeats) == 1
    now[0] += 1
    assert sync.sync() is None and len(client.heartbeats) == 2
    fill(store, 1)
    now[0] += HEARTBEAT_SECONDS
    assert sync.sync() is None and len(client.heartbeats) == 2  # a batch went instead
    now[0] += HEARTBEAT_SECONDS - 1
    assert sync.sync() is None and len(client.heartbeats) == 2
    now[0] += 1
    assert sync.sync() is None and len(client.heartbeats) == 3


@pytest.mark.parametrize(
    "failure",
    [
        Refused("not found", 404, "Not Found"),  # a server from before heartbeats
        Transient("cannot reach the central server"),
        ServerError("the central server had a problem", 500),
        Revoked("the central server refused this kiosk"),
    ],
)
def test_a_failed_heartbeat_never_stops_sync_and_waits_for_the_next(store, failure):
    now = [0.0]
    client = ScriptedClient(failure)
    sync = engine(store, client, clock=lambda: now[0])
    assert sync.sync() is None and len(client.heartbeats) == 1
    assert sync.last_error is None and sync.stopped is None and sync.status().state == "idle"
    assert sync.sync() is None and len(client.heartbeats) == 1  # not tried again at once
    fill(store, 1)
    assert sync.sync() is None and store.sync_counts()["sent"] == 1
    now[0] += HEARTBEAT_SECONDS
    assert sync.sync() is None and len(client.heartbeats) == 2
