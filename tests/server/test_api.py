"""The server's HTTP API on SQLite and PostgreSQL, through FastAPI's TestClient."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
import sqlalchemy as sa

from sync.server import devices, schema
from tests.server import queries
from tests.server.conftest import ADMIN, auth, batch, enrol, response


def test_health_and_openapi(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/health",
        "/api/v1/devices/enroll",
        "/api/v1/responses/batch",
        "/api/v1/reports/fft",
    } <= set(paths)


def test_enroll_gives_a_token_and_the_place_of_the_key(client, engine):
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    reply = client.post(
        "/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": "t",
            "app_version": "0.1.0",
        },
    )
    assert reply.status_code == 201
    body = reply.json()
    assert (body["org_code"], body["site_code"], body["ward_name"]) == ("RWD", "RWDLA", "Ward 7")
    assert len(body["device_token"]) >= 43  # 32 random bytes, base64url
    with engine.connect() as conn:
        stored = conn.execute(sa.select(schema.devices.c.token_hash)).scalar_one()
        keys = conn.execute(sa.select(schema.enrollment_keys.c.key_hash)).scalar_one()
    assert stored == devices.secret_hash(body["device_token"])
    assert body["device_token"] not in stored
    assert keys == devices.secret_hash(key)


@pytest.mark.parametrize("problem", ["unknown", "revoked", "used up", "expired"])
def test_a_bad_enrollment_key_gives_403(client, engine, problem):
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"), uses=1)
    if problem == "unknown":
        key = devices.new_secret()
    elif problem == "revoked":
        devices.revoke_key(engine, devices.list_keys(engine)[0]["id"])
    elif problem == "used up":
        first = {
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": "a",
            "app_version": "1",
        }
        assert client.post("/api/v1/devices/enroll", json=first).status_code == 201
    else:
        with engine.begin() as conn:
            expired = devices.now().replace(year=2020)
            conn.execute(schema.enrollment_keys.update().values(expires_at=expired))
    reply = client.post(
        "/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": "b",
            "app_version": "1",
        },
    )
    assert reply.status_code == 403 and "ask IT" in reply.json()["detail"]


def test_batch_accepts_then_recognises_duplicates(client, engine, device_token):
    items = [response(rating=r) for r in (1, 2, 6)]
    first = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(device_token))
    assert first.status_code == 200, first.text
    assert sorted(first.json()["accepted"]) == sorted(i["id"] for i in items)
    again = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(device_token))
    assert again.json() == {"accepted": [], "duplicate": [i["id"] for i in items], "rejected": []}
    assert queries.count_responses(engine) == 3


def test_same_id_different_content_is_a_conflict_and_never_overwrites(client, engine, device_token):
    original = response(rating=1, comment="Lovely staff")
    client.post("/api/v1/responses/batch", json=batch(original), headers=auth(device_token))
    changed = dict(original, rating=5, comment="Awful")
    reply = client.post("/api/v1/responses/batch", json=batch(changed), headers=auth(device_token))
    assert reply.json()["rejected"] == [{"id": original["id"], "reason": "conflict"}]
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.responses)).one()
    assert (row.rating, row.comment) == (1, "Lovely staff")


def test_a_device_reports_only_for_its_own_organisation(client, engine, device_token):
    theirs = response(org_code="RXX")
    reply = client.post("/api/v1/responses/batch", json=batch(theirs), headers=auth(device_token))
    assert reply.json()["rejected"][0]["id"] == theirs["id"]
    assert queries.count_responses(engine) == 0


def test_comments_are_stored_verbatim(client, engine, device_token):
    text = 'Robert\'); DROP TABLE responses;-- "quotes" ünïcödé 🙂'
    client.post(
        "/api/v1/responses/batch", json=batch(response(comment=text)), headers=auth(device_token)
    )
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.responses.c.comment)).scalar_one() == text


def test_a_revoked_device_gets_401(client, engine, device_token):
    device = devices.list_devices(engine)[0]["device_id"]
    assert devices.revoke_device(engine, device)
    reply = client.post(
        "/api/v1/responses/batch", json=batch(response()), headers=auth(device_token)
    )
    assert reply.status_code == 401 and "revoked" in reply.json()["detail"]


def test_no_or_wrong_token_gets_401(client):
    assert client.post("/api/v1/responses/batch", json=batch(response())).status_code == 401
    reply = client.post("/api/v1/responses/batch", json=batch(response()), headers=auth("x" * 43))
    assert reply.status_code == 401


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


BAD = {
    "wrong type: rating as text": lambda: batch(response(rating="2")),
    "wrong type: responses not a list": lambda: {"batch_id": str(uuid.uuid4()), "responses": 5},
    "missing field": lambda: batch({k: v for k, v in response().items() if k != "rating"}),
    "missing batch_id": lambda: {"responses": [response()]},
    "extra field": lambda: batch(response(colour="blue")),
    "extra top-level field": lambda: dict(batch(response()), priority=1),
    "100 kB comment": lambda: batch(response(comment="x" * 100_000)),
    "invalid UUID": lambda: batch(response(id="not-a-uuid")),
    "rating 0": lambda: batch(response(rating=0)),
    "rating 7": lambda: batch(response(rating=7)),
    "date 50 years ago": lambda: batch(
        response(answered_at="1976-11-10T14:30:00+00:00", local_date="1976-11-10")
    ),
    "date 50 years ahead": lambda: batch(
        response(answered_at="2076-11-10T14:30:00+00:00", local_date="2076-11-10")
    ),
    "time without offset": lambda: batch(response(answered_at="2026-11-10T14:30:00")),
    "empty batch": lambda: batch(),
    "batch of 1001": lambda: batch(*(response() for _ in range(1001))),
    "invalid UTF-8": lambda: b'{"batch_id": "\xff\xfe", "responses": []}',
    "JSON nested 10,000 deep": lambda: _deep(10_000),
    "not JSON": lambda: b"batch please",
    "unknown mode": lambda: batch(response(mode="Kiosk")),
    "bad ODS code": lambda: batch(response(org_code="rwd")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gets_a_4xx_with_a_message_and_stores_nothing(client, engine, device_token, case):
    body = BAD[case]()
    headers = {**auth(device_token), "Content-Type": "application/json"}
    if isinstance(body, bytes):
        reply = client.post("/api/v1/responses/batch", content=body, headers=headers)
    else:
        reply = client.post("/api/v1/responses/batch", content=json.dumps(body), headers=headers)
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:300])
    assert isinstance(reply.json()["detail"], str) and reply.json()["detail"]
    assert queries.count_responses(engine) == 0


def test_an_oversized_body_gets_413(client, device_token):
    big = batch(*(response(comment="x" * 1000) for _ in range(1000)))  # about 1.4 MB
    big["responses"] += big["responses"][:600]
    reply = client.post(
        "/api/v1/responses/batch",
        content=json.dumps(big),
        headers={**auth(device_token), "Content-Type": "application/json"},
    )
    assert reply.status_code == 413 and "MB" in reply.json()["detail"]


def _seed(client, engine, token):
    # November on Ward 7: 4 very good, 3 good, 1 neither, 1 poor, 1 very poor, 2 don't know,
    # one repeat tap; a 1 November 00:30 answer that is still October in UTC; an October one.
    # Ward 8's kiosk sends one poor.
    ratings = [1, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6, 6]
    items = [response(rating=r) for r in ratings]
    items.append(response(rating=5, flags=["repeat-tap"]))
    items.append(
        response(rating=2, answered_at="2026-10-31T23:30:00+00:00", local_date="2026-11-01")
    )
    items.append(
        response(rating=1, answered_at="2026-10-15T10:00:00+00:00", local_date="2026-10-15")
    )
    reply = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(token))
    assert len(reply.json()["accepted"]) == len(items)
    ward8 = enrol(client, engine, devices.Place("RWD", "RWDLA", "Ward 8"))
    reply = client.post(
        "/api/v1/responses/batch",
        json=batch(response(rating=4, ward_name="Ward 8")),
        headers=auth(ward8),
    )
    assert len(reply.json()["accepted"]) == 1


def test_report_counts_by_ward_with_percentages(client, engine, device_token):
    _seed(client, engine, device_token)
    reply = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11", "level": "ward"}, headers=auth(ADMIN)
    )
    assert reply.status_code == 200, reply.text
    rows = {row["ward_name"]: row for row in reply.json()["rows"]}
    ward7 = rows["Ward 7"]
    assert ward7["counts"] == {"1": 4, "2": 4, "3": 1, "4": 1, "5": 1, "6": 2}
    assert ward7["total"] == 13 and ward7["excluded"] == 1
    assert ward7["percent_positive"] == pytest.approx(round(800 / 13, 1))
    assert ward7["percent_negative"] == pytest.approx(round(200 / 13, 1))
    assert rows["Ward 8"]["total"] == 1


def test_report_can_include_flagged_and_roll_up_to_the_org(client, engine, device_token):
    _seed(client, engine, device_token)
    reply = client.get(
        "/api/v1/reports/fft",
        params={"period": "2026-11", "level": "org", "include_flagged": "true"},
        headers=auth(ADMIN),
    )
    (row,) = reply.json()["rows"]
    assert row["org_code"] == "RWD" and row["total"] == 15 and row["modes"] == {"Other": 15}


def test_report_csv_uses_the_nhs_columns(client, engine, device_token):
    _seed(client, engine, device_token)
    reply = client.get(
        "/api/v1/reports/fft",
        params={"period": "2026-11", "format": "csv", "suppress": "true"},
        headers=auth(ADMIN),
    )
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == [
        "Yearnumber",
        "Periodname",
        "Org code",
        "Site code",
        "Ward name",
        "Spec 1",
        "Spec 2",
        "1 Very Good SUM",
        "2 Good SUM",
        "3 Neither Good nor Poor SUM",
        "4 Poor SUM",
        "5 Very Poor SUM",
        "6 Dont Know SUM",
        "Total Responses",
        "Total Eligible",
    ]
    # Ward 8 has one response: its breakdown is hidden (first level). Ward 7 is the next
    # smallest ward of the site, so it is hidden too, or Ward 8 = site - Ward 7 (second
    # level). Totals stay shown.
    assert rows[1] == ["2026_27", "NOVEMBER", "RWD", "RWDLA", "Ward 7", "", ""] + ["*"] * 6 + [
        "13",
        "",
    ]
    assert rows[2][4:] == ["Ward 8", "", ""] + ["*"] * 6 + ["1", ""]


def test_the_submission_csv_holds_true_counts(client, engine, device_token):
    _seed(client, engine, device_token)
    reply = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11", "format": "csv"}, headers=auth(ADMIN)
    )
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[1][4:14] == ["Ward 7", "", "", "4", "4", "1", "1", "1", "2", "13"]
    assert rows[2][4:14] == ["Ward 8", "", "", "0", "0", "0", "1", "0", "0", "1"]


def test_suppressed_figures_hide_percentages_and_mode_counts_but_not_totals(
    client, engine, device_token
):
    reply = client.post(
        "/api/v1/responses/batch",
        json=batch(response(rating=1), response(rating=4)),
        headers=auth(device_token),
    )
    assert len(reply.json()["accepted"]) == 2
    got = client.get(
        "/api/v1/reports/fft",
        params={"period": "2026-11", "level": "org", "suppress": "true"},
        headers=auth(ADMIN),
    ).json()
    (org,) = got["rows"]
    assert org["total"] == 2 and set(org["counts"].values()) == {"*"}
    assert org["percent_positive"] is None and org["percent_negative"] is None
    assert set(org["modes"].values()) == {"*"}


def test_percentages_carry_one_decimal_rounded_half_up(client, engine, device_token):
    # 1 of 16 is 6.25 %: half up gives 6.3 (Python's round would give 6.2).
    items = [response(rating=1)] + [response(rating=6) for _ in range(15)]
    client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(device_token))
    (row,) = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11"}, headers=auth(ADMIN)
    ).json()["rows"]
    assert row["percent_positive"] == 6.3 and row["percent_negative"] == 0.0


def test_reports_need_the_admin_token(client, engine):
    assert client.get("/api/v1/reports/fft", params={"period": "2026-11"}).status_code == 401
    no_admin = __import__("fastapi.testclient", fromlist=["TestClient"]).TestClient(
        __import__("sync.server.app", fromlist=["create_app"]).create_app(engine, None)
    )
    reply = no_admin.get("/api/v1/reports/fft", params={"period": "2026-11"}, headers=auth(ADMIN))
    assert reply.status_code == 403 and "WARD_SYNC_ADMIN_TOKEN" in reply.json()["detail"]


def test_a_bad_period_is_a_400(client):
    reply = client.get("/api/v1/reports/fft", params={"period": "November"}, headers=auth(ADMIN))
    assert reply.status_code == 400 and "YYYY-MM" in reply.json()["detail"]
