"""Text that came from a kiosk (its ward's name, its own name, its last sync error, a
patient's comment) is shown as text on every page that shows it, never run as markup.

Session fixation, the cookie's flags and the session's expiry are tested with signing in
(test_sign_in.py); the CSRF check with the forms (test_csrf_and_headers.py).
"""

from __future__ import annotations

import pytest

from sync.server import devices
from tests.server.conftest import auth, batch, enrol, response
from tests.server.web.conftest import PASSWORD, signed_in

SCRIPT = "<script>alert(1)</script>"
HOSTILE = devices.Place("RWD", "RWDLA", f"{SCRIPT} ward")
ERROR = "<img src=x onerror=alert(2)>"
COMMENT = f"{SCRIPT} the tea was cold"


def escaped(text: str) -> str:
    """*text* as Jinja2's autoescape writes it."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


@pytest.fixture
def hostile(web, engine, people):
    """A kiosk on a ward whose name is a script, that sent a comment holding one and a
    sync error holding an image that runs one; and a ward user for that ward."""
    token = enrol(web, engine, HOSTILE)
    place = {"org_code": "RWD", "site_code": "RWDLA", "ward_name": HOSTILE.ward_name}
    items = [
        response(rating=4, comment=COMMENT, **place),
        response(rating=1, local_date="2026-11-11", answered_at="2026-11-11T09:00:00+00:00",
                 **place),
    ]  # fmt: skip
    sent = batch(*items)
    sent["device"] = {"app_version": "1.2.0", "pending": 3, "last_error": ERROR}
    reply = web.post("/api/v1/responses/batch", json=sent, headers=auth(token))
    assert reply.status_code == 200 and len(reply.json()["accepted"]) == 2, reply.text
    people.create_user("ward.manager@trust.nhs.uk", "ward", PASSWORD, [HOSTILE])


PAGES = {
    "overview": ("/?month=2026-11", [HOSTILE.ward_name]),
    "ward page": (
        "/ward?org=RWD&site=RWDLA&ward=%3Cscript%3Ealert(1)%3C/script%3E%20ward&month=2026-11",
        [HOSTILE.ward_name, COMMENT],
    ),
    "NHS submission": ("/submission?month=2026-11", [HOSTILE.ward_name]),
    "devices": ("/devices", [HOSTILE.ward_name, f"{HOSTILE.ward_name} tablet", ERROR]),
    "users": ("/users", [HOSTILE.ward_name]),
    "audit": ("/audit", [HOSTILE.ward_name]),
}


@pytest.mark.parametrize("name", PAGES)
def test_text_from_kiosks_shows_as_text_on_every_page(web, admin, hostile, name):
    path, shown = PAGES[name]
    page = signed_in(web, admin.email).get(path)
    assert page.status_code == 200, page.text
    for text in shown:
        assert escaped(text) in page.text, f"{text!r} is not shown as text on the {name}"
    assert SCRIPT not in page.text and "<img src=x" not in page.text


def test_a_ward_user_sees_their_wards_name_as_text_too(web, hostile):
    page = signed_in(web, "ward.manager@trust.nhs.uk").get("/?month=2026-11")
    assert page.status_code == 200
    assert escaped(HOSTILE.ward_name) in page.text and SCRIPT not in page.text
