"""Enrolment: a lost reply, a new key, and a kiosk whose kiosk.toml names another ward."""

from __future__ import annotations

import uuid

from kiosk.store import LocalStore
from sync.client import AlreadyEnrolled, SyncClient
from sync.device import DeviceIdentity, load_identity, save_identity
from sync.engine import SyncEngine
from sync.enrolment import key_digest
from sync.protocol import DeviceInfo, EnrollReply
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer
from tests.helpers import ORIGIN

WARD_7 = ("RWD", "RWDLA", "Ward 7")


class FakeServer:
    """Enrols on a script; accepts every batch."""

    base_url = "https://feedback.example.nhs.uk"

    def __init__(self, *refusals: Exception, place: tuple[str, str, str] = WARD_7) -> None:
        self.refusals = list(refusals)
        self.place = place
        self.token: str | None = None
        self.enrolments: list[tuple[str, str, str | None]] = []
        self.batches = 0
        self.asked_who = 0

    def enroll(self, key, device_id, name, app_version, token=None) -> EnrollReply:
        self.enrolments.append((key, device_id, token))
        if self.refusals:
            raise self.refusals.pop(0)
        org, site, ward = self.place
        return EnrollReply(
            device_token=f"token-{len(self.enrolments)}".ljust(43, "x"),
            org_code=org,
            site_code=site,
            ward_name=ward,
        )

    def whoami(self) -> DeviceInfo:
        self.asked_who += 1
        org, site, ward = self.place
        return DeviceInfo(device_id="d", org_code=org, site_code=site, ward_name=ward)

    def push(self, batch_id, items):
        import json

        from sync.protocol import BatchResult

        self.batches += 1
        return BatchResult(accepted=[json.loads(item)["id"] for item in items])


def _answer(store: LocalStore) -> str:
    rid = store.record(1, ORIGIN, language="en")
    store.finish(rid)
    return rid


def test_a_lost_enrolment_reply_enrols_again_as_a_new_device(store, tmp_path):
    rid = _answer(store)
    first = load_identity(tmp_path).device_id
    server = FakeServer(AlreadyEnrolled("already enrolled", 409))
    sync = SyncEngine(
        store,
        server,
        load_identity(tmp_path),
        data_dir=tmp_path,
        enrollment_key="k" * 43,
        place=WARD_7,
    )
    assert sync.sync() is None
    (_, tried, _), (_, second, token) = server.enrolments
    assert tried == first and second != first and token is None
    assert load_identity(tmp_path).device_id == second
    assert store.get(rid)["sync_state"] == "sent"


def test_a_kiosk_set_up_for_another_ward_sends_nothing_and_says_why(store, tmp_path):
    rid = _answer(store)
    server = FakeServer()
    sync = SyncEngine(
        store,
        server,
        load_identity(tmp_path),
        data_dir=tmp_path,
        enrollment_key="k" * 43,
        place=("RWD", "RWDLA", "Ward 7 Acute Medicine"),
    )
    assert sync.sync() is None
    status = sync.status()
    assert status.state == "stopped" and server.batches == 0
    assert "kiosk.toml says this kiosk is RWD / RWDLA / 'Ward 7 Acute Medicine'" in (
        status.last_error or ""
    )
    assert "enrolled for RWD / RWDLA / 'Ward 7'" in (status.last_error or "")
    assert store.get(rid)["sync_state"] == "pending"


def test_a_new_key_enrols_again_with_the_devices_own_token(store, tmp_path):
    _answer(store)
    identity = DeviceIdentity(
        str(uuid.uuid4()),
        "old".ljust(43, "x"),
        FakeServer.base_url,
        key_digest("a" * 43),
        list(WARD_7),
    )
    server = FakeServer()
    server.token = identity.token
    sync = SyncEngine(
        store, server, identity, data_dir=tmp_path, enrollment_key="b" * 43, place=WARD_7
    )
    assert sync.sync() is None
    assert server.enrolments == [("b" * 43, identity.device_id, "old".ljust(43, "x"))]
    saved = load_identity(tmp_path)
    assert saved.key_hash == key_digest("b" * 43) and saved.token.startswith("token-1")


def test_a_kiosk_enrolled_before_places_were_kept_asks_the_server_once(store, tmp_path):
    _answer(store)
    identity = DeviceIdentity(str(uuid.uuid4()), "t" * 43, FakeServer.base_url)
    save_identity(tmp_path, identity)
    server = FakeServer()
    server.token = identity.token
    sync = SyncEngine(
        store, server, identity, data_dir=tmp_path, enrollment_key="k" * 43, place=WARD_7
    )
    assert sync.sync() is None and sync.sync() is None
    assert server.asked_who == 1 and server.enrolments == [] and server.batches == 1
    assert load_identity(tmp_path).place == list(WARD_7)


def test_end_to_end_a_takeover_is_refused_and_a_lost_reply_recovers(store, tmp_path):
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    key = devices.create_key(engine, devices.Place(*WARD_7))
    with EmbeddedServer(engine) as live:
        # The kiosk's device id is already enrolled, but it never got the token.
        lost = load_identity(tmp_path)
        devices.enroll(engine, key, lost.device_id, "tablet", "1")
        rid = _answer(store)
        sync = SyncEngine(
            store,
            SyncClient(live.url),
            load_identity(tmp_path),
            data_dir=tmp_path,
            enrollment_key=key,
            place=WARD_7,
        )
        assert sync.sync() is None, sync.status().last_error
    assert store.get(rid)["sync_state"] == "sent"
    enrolled = {row["device_id"] for row in devices.list_devices(engine)}
    assert load_identity(tmp_path).device_id in enrolled and lost.device_id in enrolled
    assert len(enrolled) == 2
