"""How the client turns each server reply into success or one of its four failures."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from requests.adapters import BaseAdapter

from sync.client import (
    WIRE_FIELDS,
    Refused,
    Revoked,
    ServerError,
    SyncClient,
    TooLarge,
    Transient,
)
from sync.protocol import DeviceReport


class Canned(BaseAdapter):
    """Answers every request with one canned reply, or raises."""

    def __init__(self, status: int = 200, body: bytes = b"{}", headers=None, error=None):
        super().__init__()
        self.status, self.body, self.headers, self.error = status, body, headers or {}, error
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        if self.error:
            raise self.error
        reply = requests.Response()
        reply.status_code = self.status
        reply._content = self.body
        reply.headers.update(self.headers)
        reply.request = request
        reply.reason = "reason"
        return reply

    def close(self):
        pass


def wire_response(row: dict) -> str:
    """A stored row as the JSON the engine hands the client (SQLite builds it in the kiosk)."""
    return json.dumps({field: row[field] for field in WIRE_FIELDS})


def client_with(adapter: Canned) -> SyncClient:
    session = requests.Session()
    session.mount("https://", adapter)
    return SyncClient("https://feedback.example.nhs.uk", token="t" * 43, session=session)


ROW = {
    "id": str(uuid.uuid4()),
    "survey_id": "fft-inpatient",
    "survey_version": 1,
    "answered_at": "2026-11-10T10:00:00.000+00:00",
    "local_date": "2026-11-10",
    "rating": 1,
    "answers": {},
    "comment": None,
    "language": "en",
    "mode": "Other",
    "org_code": "RWD",
    "site_code": "RWDLA",
    "ward_name": "Ward 7",
    "flags": [],
    "sync_state": "pending",
    "finished_at": None,
}


def test_a_good_reply_is_parsed_and_the_request_is_the_wire_format():
    adapter = Canned(
        body=json.dumps({"accepted": [ROW["id"]], "duplicate": [], "rejected": []}).encode()
    )
    result = client_with(adapter).push("b" * 8, [wire_response(ROW)])
    assert result.accepted == [ROW["id"]]
    sent = json.loads(adapter.sent[0].body)
    assert set(sent["responses"][0]) == set(ROW) - {"sync_state", "finished_at"}
    assert adapter.sent[0].headers["Authorization"] == "Bearer " + "t" * 43


@pytest.mark.parametrize(
    ("adapter", "error", "retry_after"),
    [
        (Canned(413), TooLarge, None),
        (Canned(429, headers={"Retry-After": "7"}), Transient, 7.0),
        (Canned(503, headers={"Retry-After": "120"}), Transient, 120.0),
        (Canned(500), Transient, None),
        (Canned(502, body=b"<html>bad gateway</html>"), Transient, None),
        (Canned(401, body=b'{"detail": "this device was revoked"}'), Revoked, None),
        (Canned(403), Revoked, None),
        (Canned(400, body=b'{"detail": "no"}'), Refused, None),
        (Canned(422), Refused, None),
        (Canned(200, body=b'{"accepted": ['), Transient, None),
        (Canned(200, body=b'{"accepted": "all of them"}'), Transient, None),
        (Canned(200, body=b'{"surprise": []}'), Transient, None),
        (Canned(error=requests.ConnectionError("refused")), Transient, None),
        (Canned(error=requests.ReadTimeout("slow")), Transient, None),
        (Canned(error=requests.exceptions.ChunkedEncodingError("cut")), Transient, None),
    ],
)
def test_each_failure_has_its_meaning(adapter, error, retry_after):
    with pytest.raises(error) as caught:
        client_with(adapter).push("b", [wire_response(ROW)])
    message = str(caught.value)
    assert message and "Traceback" not in message and "t" * 43 not in message
    if retry_after is not None:
        assert caught.value.retry_after == pytest.approx(retry_after)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_5xx_answer_is_told_apart_from_no_answer(status):
    # The engine looks for a response the server fails on only when the server answered.
    with pytest.raises(ServerError) as caught:
        client_with(Canned(status)).push("b", [wire_response(ROW)])
    assert caught.value.status == status and isinstance(caught.value, Transient)


@pytest.mark.parametrize(
    "adapter",
    [
        Canned(503, headers={"Retry-After": "5"}),
        Canned(429),
        Canned(error=requests.ConnectionError("refused")),
        Canned(error=requests.ReadTimeout("slow")),
        Canned(200, body=b"not json"),
    ],
)
def test_busy_or_no_answer_is_not_a_server_error(adapter):
    with pytest.raises(Transient) as caught:
        client_with(adapter).push("b", [wire_response(ROW)])
    assert not isinstance(caught.value, ServerError)


def test_a_refusal_carries_the_status_and_the_servers_reason():
    body = b'{"detail": "invalid request: responses.0.comment: too long"}'
    with pytest.raises(Refused) as caught:
        client_with(Canned(422, body=body)).push("b", [wire_response(ROW)])
    assert caught.value.status == 422
    assert caught.value.detail == "invalid request: responses.0.comment: too long"
    assert str(caught.value) == (
        "the central server would not accept the upload "
        "(422: invalid request: responses.0.comment: too long)"
    )


def test_retry_after_as_an_http_date():
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    with pytest.raises(Transient) as caught:
        client_with(Canned(503, headers={"Retry-After": when})).push("b", [wire_response(ROW)])
    assert 80 <= caught.value.retry_after <= 91


def test_tls_verification_is_always_on():
    assert SyncClient("https://x.nhs.uk").session.verify is True
    assert SyncClient("https://x.nhs.uk", ca_bundle="/etc/trust.pem").session.verify == (
        "/etc/trust.pem"
    )


# -- protocol 1.1: what the kiosk says of itself ---------------------------------------------

ACCEPTED = json.dumps({"accepted": [ROW["id"]], "duplicate": [], "rejected": []}).encode()


def test_each_batch_carries_the_report_for_what_will_still_wait():
    adapter = Canned(body=ACCEPTED)
    client = client_with(adapter)
    client.reporter = lambda sending: DeviceReport(app_version="2.0", pending=10 - sending)
    client.push("b", [wire_response(ROW)] * 3)
    assert json.loads(adapter.sent[0].body)["device"] == {
        "app_version": "2.0",
        "pending": 7,
        "last_error": None,
    }
    client.reporter = None
    client.push("b", [wire_response(ROW)])
    assert "device" not in json.loads(adapter.sent[1].body)


class OldServer(Canned):
    """A server from before protocol 1.1: refuses a batch with a ``device`` field, as it did."""

    def send(self, request, **kwargs):
        if "device" in json.loads(request.body):
            self.status = 422
            self.body = b'{"detail": "invalid request: device: Extra inputs are not permitted"}'
        else:
            self.status, self.body = 200, ACCEPTED
        return super().send(request, **kwargs)


def test_a_server_from_before_device_reports_gets_the_batch_without_one():
    adapter = OldServer()
    client = client_with(adapter)
    client.reporter = lambda sending: DeviceReport(app_version="2.0", pending=0)
    assert client.push("b", [wire_response(ROW)]).accepted == [ROW["id"]]
    assert client.push("c", [wire_response(ROW)]).accepted == [ROW["id"]]
    sent = [json.loads(request.body) for request in adapter.sent]
    assert ["device" in body for body in sent] == [True, False, False]
    assert sent[1] == {key: value for key, value in sent[0].items() if key != "device"}


def test_a_heartbeat_posts_the_report_with_the_device_token():
    adapter = Canned(body=b'{"status": "ok"}')
    client = client_with(adapter)
    client.reports_taken = False  # a server refused a report earlier, and was upgraded since
    client.heartbeat(DeviceReport(app_version="2.0", pending=4, last_error="slow"))
    request = adapter.sent[0]
    assert request.url.endswith("/api/v1/devices/heartbeat")
    assert request.headers["Authorization"] == "Bearer " + "t" * 43
    assert json.loads(request.body) == {"app_version": "2.0", "pending": 4, "last_error": "slow"}
    assert client.reports_taken


def test_a_server_without_heartbeats_answers_404_as_a_refusal():
    with pytest.raises(Refused) as caught:
        client_with(Canned(404, body=b'{"detail": "Not Found"}')).heartbeat(
            DeviceReport(app_version="2.0", pending=0)
        )
    assert caught.value.status == 404
