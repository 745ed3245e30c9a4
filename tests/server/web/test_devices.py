"""The Devices page: every kiosk with what it last said (UK times, "3 hours ago"), silent ones
flagged and first, revoking a kiosk, and enrolment keys made (shown once, with a QR code),
listed and revoked; every change audited, admins only, bad input never a server error."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import qrcode
import sqlalchemy as sa
from qrcode.image.svg import SvgPathImage

from sync.server import devices
from sync.server.schema import audit_log, enrollment_keys
from sync.server.schema import devices as kiosk_table
from tests.server.conftest import WARD_7, auth, batch, enrol, response
from tests.server.web.conftest import CHILDREN, WARD_3, hidden, signed_in


def kiosk_id(engine, place: devices.Place) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                sa.select(kiosk_table.c.device_id).where(kiosk_table.c.ward_name == place.ward_name)
            ).scalar_one()
        )


def set_kiosk(engine, place: devices.Place, **values) -> None:
    with engine.begin() as conn:
        conn.execute(
            kiosk_table.update().where(kiosk_table.c.ward_name == place.ward_name).values(values)
        )


@pytest.fixture
def fleet(web, engine, clock):
    """Three kiosks, the clock at 10:00 UTC on 20 November 2026 (GMT): Ward 7's silent for
    30 hours with 14 responses waiting and an error; Ward 3's in touch 5 minutes ago;
    Children's ward's revoked. Ward 7's token is returned."""
    token = enrol(web, engine, WARD_7)
    enrol(web, engine, WARD_3)
    enrol(web, engine, CHILDREN)
    now = clock.moment
    set_kiosk(
        engine,
        WARD_7,
        enrolled_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),  # British Summer Time
        last_seen_at=now - timedelta(hours=30),
        last_batch_at=now - timedelta(hours=30),
        pending_on_device=14,
        last_sync_error="could not reach the server <timeout>",
    )
    set_kiosk(
        engine,
        WARD_3,
        enrolled_at=now - timedelta(days=3),
        last_seen_at=now - timedelta(minutes=5),
        last_batch_at=now - timedelta(hours=3),
        pending_on_device=0,
        app_version="1.4.2",
    )
    set_kiosk(engine, CHILDREN, enrolled_at=now - timedelta(days=9), revoked_at=now)
    return token


def kiosk_rows(page: str) -> list[str]:
    body = page[page.index('id="kiosks"') : page.index('id="keys"')]
    return re.findall(r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', body, re.S)[1:]


def revoked(engine) -> dict[str, bool]:
    """Whether each kiosk is revoked, by ward name."""
    return {row["ward_name"]: bool(row["revoked_at"]) for row in devices.list_devices(engine)}


def audit(engine) -> list[tuple[str, str, str]]:
    query = sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).order_by(
        audit_log.c.id
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query) if row.action != "signed in"][1:]


def test_each_kiosk_with_what_it_last_said_silent_ones_first(web, admin, fleet):
    page = signed_in(web, admin.email).get("/devices").text
    assert "1 kiosk is silent" in page
    silent, quiet, revoked = kiosk_rows(page)
    assert "Ward 7 tablet" in silent and "Silent for more than 24 hours" in silent
    assert "1 Jul 2026, 13:00" in silent  # enrolled in summer: BST
    assert "19 Nov 2026, 04:00" in silent and "30 hours ago" in silent
    assert "<span>14</span>" in silent
    assert "could not reach the server &lt;timeout&gt;" in silent
    assert "Ward 3 tablet" in quiet and "Silent" not in quiet
    assert "1.4.2" in quiet and "20 Nov 2026, 09:55" in quiet and "5 minutes ago" in quiet
    assert "3 hours ago" in quiet and "3 days ago" in quiet and "<span>0</span>" in quiet
    assert "Children&#39;s ward tablet" in revoked and ">Revoked<" in revoked
    assert "/revoke" not in revoked and "Not reported" in revoked


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("silent", ["Ward 7 tablet"]),
        ("revoked", ["Children's ward tablet"]),
        ("all", ["Ward 7 tablet", "Ward 3 tablet", "Children's ward tablet"]),
        ("<script>", ["Ward 7 tablet", "Ward 3 tablet", "Children's ward tablet"]),
    ],
)
def test_the_kiosks_can_be_filtered(web, admin, fleet, show, expected):
    page = signed_in(web, admin.email).get("/devices", params={"show": show})
    assert page.status_code == 200
    names = [re.search(r"<span>([^<]*?)\s*<span", row).group(1) for row in kiosk_rows(page.text)]
    assert [name.replace("&#39;", "'") for name in names] == expected


def test_revoking_a_kiosk_asks_first_then_stops_it_syncing(web, admin, fleet, engine):
    signed_in(web, admin.email)
    device = kiosk_id(engine, WARD_3)
    confirm = web.get(f"/devices/kiosks/{device}/revoke")
    assert "Revoke kiosk Ward 3 tablet on Ward 3?" in confirm.text
    assert "It will stop syncing until IT enrols it again." in confirm.text
    assert not revoked(engine)["Ward 3"]  # asking changes nothing
    done = web.post(f"/devices/kiosks/{device}/revoke", data={"csrf_token": hidden(confirm.text)})
    assert done.status_code == 303
    page = web.get(done.headers["location"]).text
    assert "Kiosk Ward 3 tablet on Ward 3 is revoked" in page
    assert all("Ward 3 tablet" not in row or ">Revoked<" in row for row in kiosk_rows(page))
    assert audit(engine) == [
        ("admin@trust.nhs.uk", "kiosk revoked", f"Ward 3 tablet ({device}) on RWD/RWDLA/Ward 3")
    ]
    again = web.post(f"/devices/kiosks/{device}/revoke", data={"csrf_token": hidden(page)})
    assert again.status_code == 400 and "This kiosk is already revoked" in again.text
    assert len(audit(engine)) == 1


def test_a_revoked_kiosk_is_refused_by_the_api(web, admin, fleet, engine):
    signed_in(web, admin.email)
    device = kiosk_id(engine, WARD_7)
    token = hidden(web.get("/devices").text)
    assert web.post(f"/devices/kiosks/{device}/revoke", data={"csrf_token": token}).is_redirect
    reply = web.post("/api/v1/responses/batch", json=batch(response()), headers=auth(fleet))
    assert reply.status_code == 401


def test_revoking_without_the_csrf_token_is_refused(web, admin, fleet, engine):
    signed_in(web, admin.email)
    device = kiosk_id(engine, WARD_3)
    refused = web.post(f"/devices/kiosks/{device}/revoke", data={})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert revoked(engine) == {"Ward 7": False, "Ward 3": False, "Children's ward": True}
    assert audit(engine) == []


@pytest.mark.parametrize("device", [str(uuid.uuid4()), "not-a-device", "%00", "x" * 3000])
def test_an_unknown_kiosk_is_not_found(web, admin, fleet, device):
    signed_in(web, admin.email)
    assert web.get(f"/devices/kiosks/{device}/revoke").status_code == 404
    token = hidden(web.get("/devices").text)
    refused = web.post(f"/devices/kiosks/{device}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404 and "Page not found" in refused.text


# -- enrolment keys ---------------------------------------------------------------------------


def make_key(web, **fields: str):
    form = web.get("/devices/keys/new")
    data = {"org": "RWD", "site": "RWDLA", "ward": "Ward 9", "uses": "", "expires": ""}
    return web.post("/devices/keys/new", data={**data, **fields, "csrf_token": hidden(form.text)})


def test_a_new_key_is_shown_once_with_its_qr_code_and_enrols_a_kiosk(web, admin, engine):
    signed_in(web, admin.email)
    made = make_key(web, org="rwd", uses="1", expires="30")  # lower case is taken as capitals
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    assert "This key is shown only once. Copy it or scan it now." in made.text
    key = re.search(r'<p class="app-key"><code>([A-Za-z0-9_-]{43})</code></p>', made.text)[1]
    svg = re.search(r"<svg class=\"app-qr\".*?</svg>", made.text, re.S)[0]
    assert 'role="img"' in svg and "<title" in svg and "style" not in svg
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathImage
    )
    code.add_data(key)
    assert f'd="{code.make_image().path.get("d")}"' in svg  # the QR code holds the key
    assert "This is the first key or kiosk for Ward 9" in made.text
    assert "20 December 2026, 10:00" in made.text  # expires in 30 days
    enrolled = web.post(
        "/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": "Ward 9 tablet",
            "app_version": "1.0.0",
        },
    )
    assert enrolled.status_code == 201 and enrolled.json()["ward_name"] == "Ward 9"
    listed = web.get("/devices").text
    assert key not in listed
    keys = listed[listed.index('id="keys"') :]
    assert "RWDLA (RWD)" in keys and "Ward 9" in keys and ">Used up<" in keys
    assert audit(engine) == [
        (
            "admin@trust.nhs.uk",
            "enrolment key created",
            "key 1 for RWD/RWDLA/Ward 9; uses: 1; expires: 20 December 2026",
        )
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"org": ""}, "org", "Enter the organisation&#39;s ODS code, for example RWD"),
        ({"org": "R-W"}, "org", "The organisation&#39;s ODS code must be 3 to 9 capital"),
        ({"site": "RWDLA RWDLA"}, "site", "The site&#39;s ODS code must be 3 to 9 capital"),
        ({"ward": ""}, "ward", "Enter the ward name, exactly as the kiosk&#39;s kiosk.toml"),
        ({"ward": " Ward 9"}, "ward", "Remove the spaces at the start or end of the ward name"),
        ({"ward": "W" * 101}, "ward", "The ward name must be 1 to 100 letters"),
        ({"ward": "Ward\n9"}, "ward", "The ward name must be 1 to 100 letters"),
        ({"ward": "x" * 500_000}, "ward", "The ward name must be 1 to 100 letters"),
        ({"uses": "0"}, "uses", "Uses must be a whole number from 1 to 2147483647"),
        ({"uses": "٣"}, "uses", "Uses must be a whole number"),
        ({"uses": "9" * 400}, "uses", "Uses must be a whole number"),
        ({"expires": "3651"}, "expires", "Days until it expires must be a whole number from 1"),
        ({"expires": "2.5"}, "expires", "Days until it expires must be a whole number"),
    ],
)
def test_a_key_form_with_a_mistake_says_what_to_write(web, admin, engine, fields, field, message):
    signed_in(web, admin.email)
    refused = make_key(web, **fields)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert f'<li><a href="#{field}">{message}' in refused.text
    assert f'id="{field}-error"' in refused.text
    assert devices.list_keys(engine) == [] and audit(engine) == []


def test_revoking_a_key_asks_first_and_then_it_enrols_nothing(web, admin, engine):
    signed_in(web, admin.email)
    key = re.search(r"<code>([A-Za-z0-9_-]{43})</code>", make_key(web).text)[1]
    page = web.get("/devices").text
    assert 'href="/devices/keys/1/revoke"' in page
    confirm = web.get("/devices/keys/1/revoke")
    assert "Revoke enrolment key 1 for Ward 9?" in confirm.text
    done = web.post("/devices/keys/1/revoke", data={"csrf_token": hidden(confirm.text)})
    assert done.status_code == 303
    page = web.get(done.headers["location"]).text
    assert "Enrolment key 1 is revoked" in page and 'href="/devices/keys/1/revoke"' not in page
    assert audit(engine)[-1] == (
        "admin@trust.nhs.uk",
        "enrolment key revoked",
        "key 1 for RWD/RWDLA/Ward 9",
    )
    refused = web.post(
        "/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": "t",
            "app_version": "1",
        },
    )
    assert refused.status_code == 403
    again = web.get("/devices/keys/1/revoke")
    assert again.status_code == 400 and "This key is already revoked" in again.text


@pytest.mark.parametrize("key_id", ["abc", "0", "99", "1.5", "-1", "١", " 1", "9" * 40])
def test_an_unknown_key_is_not_found(web, admin, engine, key_id):
    signed_in(web, admin.email)
    make_key(web)
    assert web.get(f"/devices/keys/{key_id}/revoke").status_code == 404
    token = hidden(web.get("/devices").text)
    refused = web.post(f"/devices/keys/{key_id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    with engine.connect() as conn:
        assert conn.execute(sa.select(enrollment_keys.c.revoked_at)).scalar_one() is None


def test_a_ward_user_cannot_reach_devices_or_keys(web, ward_user, fleet, engine):
    signed_in(web, ward_user.email)
    assert ">Devices</a>" not in web.get("/").text
    token = hidden(web.get("/").text)
    device = kiosk_id(engine, WARD_7)
    for path in ("/devices", "/devices/keys/new", f"/devices/kiosks/{device}/revoke"):
        refused = web.get(path)
        assert refused.status_code == 403 and "This page is for admins" in refused.text
    for path in (f"/devices/kiosks/{device}/revoke", "/devices/keys/new"):
        data = {"csrf_token": token, "org": "RWD", "site": "RWDLA", "ward": "Ward 7"}
        assert web.post(path, data=data).status_code == 403
    assert not revoked(engine)["Ward 7"]
    assert len(devices.list_keys(engine)) == 3  # the fixture's three, no more
