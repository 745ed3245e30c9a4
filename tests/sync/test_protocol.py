"""The wire contract on its own, without a server: what a Response, a Batch and an enrolment
may carry, and that equal content always gives an equal content key."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from sync.protocol import (
    COMMENT_LIMIT,
    MAX_BATCH_ITEMS,
    Batch,
    BatchResult,
    DeviceReport,
    EnrollRequest,
    Response,
)
from tests.helpers import wire_response


def refused(model: type[Response | Batch | EnrollRequest], data: dict[str, Any]) -> str:
    """The validation message for *data*, which must be refused."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


def test_the_factory_response_is_valid_and_survives_a_json_round_trip():
    data = wire_response(comment="Kind staff", answers={"themes": ["staff", "food"]})
    response = Response.model_validate(data)
    assert Response.model_validate_json(json.dumps(data)) == response
    assert response.answers.themes == ["staff", "food"] and response.comment == "Kind staff"


@pytest.mark.parametrize(
    "answered_at",
    [
        "2026-11-10T14:30:00+00:00",
        "2026-11-10T14:30:00Z",
        "2026-11-10t14:30:00.123456z",
        "2026-11-10T15:30:00+01:00",
        "2026-11-10T09:30:00.5-05:00",
    ],
)
def test_rfc3339_times_with_any_offset_are_taken_and_held_in_utc(answered_at):
    response = Response.model_validate(wire_response(answered_at=answered_at))
    assert response.answered_at.utcoffset() == timedelta(0)
    assert response.answered_at.replace(microsecond=0) == datetime(2026, 11, 10, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "answered_at",
    [
        "2026-11-10T14:30:00",  # no offset: which ward clock?
        "2026-11-10 14:30:00+00:00",  # a space is not RFC 3339's T
        "1794321000",  # a Unix time as text
        1794321000,  # or as a number
        "٢٠٢٦-11-10T14:30:00+00:00",  # Arabic-Indic digits
        "10/11/2026 14:30",
    ],
)
def test_anything_but_an_rfc3339_time_with_offset_is_refused(answered_at):
    assert "answered_at" in refused(Response, wire_response(answered_at=answered_at))


def test_a_time_before_2020_or_after_tomorrow_is_a_broken_clock():
    assert "check the kiosk's clock" in refused(
        Response, wire_response(answered_at="2019-12-31T23:59:59+00:00", local_date="2019-12-31")
    )
    later = datetime.now(UTC) + timedelta(days=3)
    assert "check the kiosk's clock" in refused(
        Response,
        wire_response(answered_at=later.isoformat(), local_date=later.date().isoformat()),
    )


def test_the_ward_date_must_be_within_a_day_of_the_time():
    # 23:30 UTC is already the next day in a ward east of Greenwich: allowed.
    Response.model_validate(
        wire_response(answered_at="2026-11-10T23:30:00+00:00", local_date="2026-11-11")
    )
    assert "local_date must be within a day" in refused(
        Response, wire_response(local_date="2026-11-13")
    )
    assert "local_date" in refused(Response, wire_response(local_date="2026-11-10T00:00:00"))


@pytest.mark.parametrize("bad_id", ["", "response-1", "1234", str(uuid.uuid4())[:-1]])
def test_an_id_must_be_a_uuid(bad_id):
    assert "id" in refused(Response, wire_response(id=bad_id))


def test_one_id_in_any_spelling_is_one_id():
    rid = uuid.uuid4()
    lower = Response.model_validate(wire_response(id=str(rid)))
    upper = Response.model_validate(wire_response(id=str(rid).upper()))
    assert lower.id == upper.id == rid


@pytest.mark.parametrize(
    "field, value",
    [
        ("rating", 0),
        ("rating", 7),
        ("rating", "2"),  # numbers travel as JSON numbers
        ("rating", 2.0),
        ("survey_version", 0),
        ("org_code", "rwd"),
        ("site_code", "RWD LA"),
        ("language", "English"),
        ("mode", "Kiosk"),
        ("flags", ["Repeat Tap"]),
        ("answers", {"themes": ["Food & drink"]}),
        ("answers", {"themes": [], "score": 3}),
    ],
)
def test_fields_outside_the_contract_are_refused(field, value):
    assert field in refused(Response, wire_response(**{field: value}))


def test_unknown_fields_are_refused_so_a_typo_is_never_silently_lost():
    assert "extra" in refused(Response, wire_response(comments="typo for comment"))


@pytest.mark.parametrize(
    "name",
    [
        "",
        "W" * 101,
        "Ward\x007",  # NUL: PostgreSQL cannot store it
        "Ward 7\nAcute",  # a line break would split a CSV report's row
        "Ward\x1b[31m 7",  # a terminal escape
        "Ward\x85 7",  # a C1 control
        "Ward \u202e7 draW",  # a bidi override reads differently on screen
        "Ward \u20667",
    ],
)
def test_a_ward_name_is_printable_text_of_1_to_100_characters(name):
    assert "ward_name" in refused(Response, wire_response(ward_name=name))


def test_welsh_and_urdu_ward_names_are_printable():
    for name in ("Ward Dewi Sant – Meddygaeth", "وارڈ 7"):
        assert Response.model_validate(wire_response(ward_name=name)).ward_name == name


def test_nul_is_dropped_from_a_comment_and_the_words_kept():
    response = Response.model_validate(wire_response(comment="Cold\x00 tea\x00"))
    assert response.comment == "Cold tea"
    assert Response.model_validate(wire_response(comment=None)).comment is None


def test_a_comment_is_at_most_the_limit():
    Response.model_validate(wire_response(comment="é" * COMMENT_LIMIT))
    assert "comment" in refused(Response, wire_response(comment="é" * (COMMENT_LIMIT + 1)))


def test_equal_content_gives_an_equal_content_key_however_it_was_spelt():
    rid = str(uuid.uuid4())
    utc = wire_response(id=rid, answered_at="2026-11-10T14:30:00+00:00")
    # The same instant from a ward clock an hour ahead, fields in another order.
    shifted = dict(reversed(list({**utc, "answered_at": "2026-11-10T15:30:00+01:00"}.items())))
    key = Response.model_validate(utc).content_key()
    assert Response.model_validate(shifted).content_key() == key
    assert Response.model_validate_json(json.dumps(utc)).content_key() == key
    # The same id with other content is a conflict, never a duplicate.
    for change in ({"rating": 2}, {"comment": "x"}, {"answered_at": "2026-11-10T14:30:01Z"}):
        assert Response.model_validate({**utc, **change}).content_key() != key


def batch(*items: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "responses": list(items)}


def test_a_batch_holds_each_response_once():
    one = wire_response()
    Batch.model_validate(batch(one, wire_response()))
    assert "send every id only once" in refused(Batch, batch(one, wire_response(), one))
    # An id spelt in capitals is still the same id.
    assert "send every id only once" in refused(
        Batch, batch(one, {**one, "id": one["id"].upper(), "rating": 2})
    )


def test_a_batch_is_one_to_the_limit_of_responses():
    assert "responses" in refused(Batch, batch())
    assert "responses" in refused(
        Batch, batch(*(wire_response() for _ in range(MAX_BATCH_ITEMS + 1)))
    )
    assert "batch_id" in refused(Batch, {"batch_id": "b1", "responses": [wire_response()]})


def test_a_batch_result_names_each_outcome():
    result = BatchResult.model_validate(
        {"accepted": ["a"], "duplicate": ["b"], "rejected": [{"id": "c", "reason": "conflict"}]}
    )
    assert result.rejected[0].reason == "conflict"
    assert BatchResult.model_validate({}) == BatchResult(accepted=[], duplicate=[], rejected=[])


def enrolment(**changes: Any) -> dict[str, Any]:
    data = {
        "enrollment_key": "k" * 43,
        "device_id": str(uuid.uuid4()),
        "name": "Ward 7 tablet",
        "app_version": "0.1.0",
    }
    return {**data, **changes}


def test_an_enrolment_is_taken_with_printable_names():
    request = EnrollRequest.model_validate(enrolment(name="Tablet, Ward Dewi Sant"))
    assert request.name == "Tablet, Ward Dewi Sant"


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "tablet\x00"),
        ("name", "tablet\r\nSet-Cookie: x"),
        ("name", "\u202etelbat"),
        ("name", "t" * 101),
        ("app_version", "0.1.0\n"),
        ("app_version", "1" * 41),
        ("enrollment_key", "short"),
        ("enrollment_key", "k" * 42 + " "),
        ("device_id", "kiosk-1"),
    ],
)
def test_an_enrolment_refuses_unprintable_or_malformed_fields(field, value):
    assert field in refused(EnrollRequest, enrolment(**{field: value}))


# -- protocol 1.1: what a kiosk says of itself ---------------------------------------------


def test_a_batch_from_a_kiosk_before_device_reports_is_still_taken():
    old = {"batch_id": str(uuid.uuid4()), "responses": [wire_response()]}
    assert Batch.model_validate_json(json.dumps(old)).device is None
    report = {"app_version": "1.1.0", "pending": 0, "last_error": None}
    assert Batch.model_validate({**old, "device": report}).device == DeviceReport(**report)


def test_a_device_report_drops_control_characters_from_its_error():
    report = DeviceReport(app_version="1.0", pending=3, last_error="no\x00 net\x1b\u202e\n")
    assert report.last_error == "no net"
    assert DeviceReport(app_version="1.0", pending=0).last_error is None
    assert DeviceReport(app_version="1.0", pending=10**9, last_error="x" * 500).pending == 10**9


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pending", -1),
        ("pending", 10**9 + 1),
        ("pending", "3"),
        ("app_version", ""),
        ("app_version", "v" * 41),
        ("app_version", "1.0\n"),
        ("last_error", "x" * 501),
        ("last_error", 5),
    ],
)
def test_a_device_report_refuses_what_it_cannot_hold(field, value):
    data = {"app_version": "1.0", "pending": 0, field: value}
    with pytest.raises(ValidationError):
        DeviceReport.model_validate(data)
