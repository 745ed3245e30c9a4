"""The Users page: the list, adding a user, disabling one (never yourself) and setting a new
password, with NHS error summaries for every mistake, each change audited with the admin as
actor, admins only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server import devices
from sync.server.schema import audit_log, users
from tests.server.conftest import WARD_7
from tests.server.web.conftest import PASSWORD, hidden, sign_in, signed_in

NEW_PASSWORD = "plum kettle orbit meadow"


def audit(engine) -> list[tuple[str, str, str]]:
    query = sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).order_by(
        audit_log.c.id
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query) if row.action != "signed in"]


def emails(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(users.c.email).order_by(users.c.email)).scalars())


def add_user(web, **fields: str):
    form = web.get("/users/new")
    data = {
        "email": "Pat.Lee@Trust.NHS.uk",
        "name": "Pat Lee",
        "role": "ward",
        "wards": "RWD/RWDLA/Ward 7\r\n\r\nRWD/RWDLB/Ward 7/8 (Acute)\r\n",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    return web.post("/users/new", data={**data, **fields, "csrf_token": hidden(form.text)})


def row(page: str, text: str) -> str:
    """The table row holding *text*."""
    body = page[page.index("<tbody") :]
    found = [tr.split("</tr>")[0] for tr in body.split("<tr")[1:] if text in tr.split("</tr>")[0]]
    assert len(found) == 1, f"{len(found)} rows hold {text!r}"
    return found[0]


@pytest.fixture
def browser(app):
    """A second browser, for the person the admin is managing."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_list_shows_each_user_and_what_they_may_do(web, admin, ward_user, engine):
    devices.create_key(engine, WARD_7)
    page = signed_in(web, admin.email).get("/users").text
    mine, theirs = row(page, "admin@trust.nhs.uk"), row(page, "ward7@trust.nhs.uk")
    assert "Ada Admin" in mine and "You" in mine and "Every ward" in mine
    assert "20 Nov 2026, 10:00" in mine and "just now" in mine  # this sign-in
    assert "/disable" not in mine and f"/users/{admin.id}/password" in mine
    assert "Ward user" in theirs and "RWD/RWDLA/Ward 7" in theirs and "Never" in theirs
    assert "No kiosk or key yet" not in theirs  # Ward 7 has a key
    assert f'href="/users/{ward_user.id}/disable"' in theirs


def test_adding_a_user_who_can_then_sign_in(web, admin, engine, browser):
    signed_in(web, admin.email)
    added = add_user(web)
    assert added.status_code == 303
    page = web.get(added.headers["location"]).text
    assert "pat.lee@trust.nhs.uk can now sign in" in page
    assert "RWD/RWDLB/Ward 7/8 (Acute)" in page and "No kiosk or key yet" in page
    assert audit(engine)[-1] == (
        "admin@trust.nhs.uk",
        "user created",
        "pat.lee@trust.nhs.uk (ward) RWD/RWDLA/Ward 7; RWD/RWDLB/Ward 7/8 (Acute)",
    )
    assert sign_in(browser, "pat.lee@trust.nhs.uk", NEW_PASSWORD).status_code == 303
    assert "Pat Lee" in browser.get("/").text
    assert browser.get("/users").status_code == 403  # a ward user


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": ""}, "email", "Enter their email address"),
        ({"email": "pat.lee"}, "email", "Enter an email address in the right format"),
        ({"email": "x" * 300_000 + "@trust.nhs.uk"}, "email", "Enter an email address in the"),
        ({"email": "ADMIN@trust.nhs.uk"}, "email", "There is already a user admin@trust.nhs.uk"),
        ({"name": "N" * 101}, "name", "Enter a name of 100 characters or fewer"),
        ({"role": ""}, "role", "Choose whether they are an admin or a ward user"),
        ({"role": "superuser"}, "role", "Choose whether they are an admin or a ward user"),
        ({"wards": ""}, "wards", "Enter at least one ward for a ward user"),
        ({"role": "admin"}, "wards", "Leave the wards empty for an admin"),
        ({"wards": "Ward 7"}, "wards", "Line 1 (Ward 7) is not a ward: write each ward"),
        ({"wards": "RWD/RWDLA/Ward 7\nrwd/x/y"}, "wards", "Line 2 (rwd/x/y) is not a ward"),
        ({"wards": "RWD/RWDLA/" + "W" * 101}, "wards", "Line 1: the ward name must be 1 to 100"),
        ({"wards": "RWD/RWDLA/W\n" * 501}, "wards", "Enter 500 wards or fewer"),
        ({"password": "", "password_again": ""}, "password", "Enter a password"),
        ({"password": "short", "password_again": "short"}, "password", "The password is 5"),
        ({"password": "x" * 200_000}, "password", "The password is over 1024 characters"),
        ({"password_again": "plum kettle orbit"}, "password_again", "The passwords do not match"),
    ],
)
def test_a_mistake_in_a_new_user_says_what_to_do(web, admin, engine, fields, field, message):
    signed_in(web, admin.email)
    before = audit(engine)
    refused = add_user(web, **fields)
    assert refused.status_code == 400
    assert "<title>Error: Add a user" in refused.text
    assert f'<li><a href="#{field}">{message}' in refused.text
    assert f'id="{field}-error"' in refused.text
    assert NEW_PASSWORD not in refused.text  # passwords are never sent back
    assert emails(engine) == ["admin@trust.nhs.uk"]
    assert audit(engine) == before


def test_every_mistake_is_listed_at_once(web, admin):
    signed_in(web, admin.email)
    refused = add_user(web, email="", role="", password="short", password_again="short")
    for field in ("email", "role", "password"):
        assert f'<li><a href="#{field}">' in refused.text


def test_adding_a_user_without_the_csrf_token_is_refused(web, admin, engine):
    signed_in(web, admin.email)
    refused = web.post(
        "/users/new",
        data={"email": "pat@trust.nhs.uk", "role": "admin", "password": NEW_PASSWORD},
    )
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert emails(engine) == ["admin@trust.nhs.uk"]


def test_disabling_a_user_asks_first_and_ends_their_sessions(
    web, admin, ward_user, engine, browser
):
    signed_in(browser, ward_user.email)
    signed_in(web, admin.email)
    confirm = web.get(f"/users/{ward_user.id}/disable")
    assert "Disable ward7@trust.nhs.uk?" in confirm.text
    assert browser.get("/").status_code == 200  # asking changes nothing
    done = web.post(f"/users/{ward_user.id}/disable", data={"csrf_token": hidden(confirm.text)})
    assert done.status_code == 303
    page = web.get(done.headers["location"]).text
    assert "ward7@trust.nhs.uk is disabled: they cannot sign in any more" in page
    assert "Disabled on 20 November 2026" in page
    assert audit(engine)[-1] == ("admin@trust.nhs.uk", "user disabled", "ward7@trust.nhs.uk")
    assert browser.get("/").status_code == 303  # signed out
    assert sign_in(browser, ward_user.email).status_code == 403
    again = web.get(f"/users/{ward_user.id}/disable")
    assert again.status_code == 400 and "This user is disabled" in again.text


def test_an_admin_cannot_disable_themselves(web, admin, engine):
    signed_in(web, admin.email)
    before = audit(engine)
    assert f"/users/{admin.id}/disable" not in web.get("/users").text
    page = web.get(f"/users/{admin.id}/disable")
    assert page.status_code == 400 and "You cannot disable your own account" in page.text
    refused = web.post(
        f"/users/{admin.id}/disable", data={"csrf_token": hidden(web.get("/users").text)}
    )
    assert refused.status_code == 400 and "You cannot disable your own account" in refused.text
    assert audit(engine) == before
    assert web.get("/users").status_code == 200  # still signed in


def test_resetting_a_password(web, admin, ward_user, engine, browser):
    signed_in(browser, ward_user.email)
    signed_in(web, admin.email)
    form = web.get(f"/users/{ward_user.id}/password")
    assert "Reset password" in form.text and "ward7@trust.nhs.uk" in form.text
    token = hidden(form.text)
    path = f"/users/{ward_user.id}/password"
    short = web.post(path, data={"csrf_token": token, "password": "short", "password_again": ""})
    assert short.status_code == 400 and '<a href="#password">The password is 5' in short.text
    differ = web.post(
        path,
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": PASSWORD},
    )
    assert differ.status_code == 400 and "The passwords do not match" in differ.text
    done = web.post(
        path,
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert done.status_code == 303
    assert (
        "The password for ward7@trust.nhs.uk is changed" in web.get(done.headers["location"]).text
    )
    assert audit(engine)[-1] == ("admin@trust.nhs.uk", "password reset", "ward7@trust.nhs.uk")
    assert browser.get("/").status_code == 303  # their session ended
    assert sign_in(browser, ward_user.email, PASSWORD).status_code == 401
    assert sign_in(browser, ward_user.email, NEW_PASSWORD).status_code == 303


def test_resetting_your_own_password_signs_you_out(web, admin):
    signed_in(web, admin.email)
    token = hidden(web.get(f"/users/{admin.id}/password").text)
    done = web.post(
        f"/users/{admin.id}/password",
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert web.get("/users").status_code == 303


@pytest.mark.parametrize("user_id", ["abc", "0", "999", "1e3", "-1", "١", "9" * 30])
def test_an_unknown_user_is_not_found(web, admin, user_id):
    signed_in(web, admin.email)
    token = hidden(web.get("/users").text)
    for action in ("disable", "password"):
        assert web.get(f"/users/{user_id}/{action}").status_code == 404
        refused = web.post(f"/users/{user_id}/{action}", data={"csrf_token": token})
        assert refused.status_code == 404 and "Page not found" in refused.text


def test_a_ward_user_cannot_manage_users(web, admin, ward_user, engine):
    signed_in(web, ward_user.email)
    assert ">Users</a>" not in web.get("/").text
    token = hidden(web.get("/").text)
    for path in ("/users", "/users/new", f"/users/{admin.id}/disable"):
        assert web.get(path).status_code == 403
    data = {"csrf_token": token, "email": "x@trust.nhs.uk", "role": "admin"}
    assert web.post("/users/new", data=data).status_code == 403
    assert web.post(f"/users/{admin.id}/disable", data=data).status_code == 403
    assert emails(engine) == ["admin@trust.nhs.uk", "ward7@trust.nhs.uk"]


def test_a_locked_account_shows_until_when_and_a_reset_lifts_it(web, admin, ward_user, browser):
    for _ in range(5):
        assert sign_in(browser, ward_user.email, "not the password at all").status_code == 401
    signed_in(web, admin.email)
    assert "Locked until 20 November 2026, 10:01" in row(web.get("/users").text, ward_user.email)
    token = hidden(web.get(f"/users/{ward_user.id}/password").text)
    web.post(
        f"/users/{ward_user.id}/password",
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert "Active" in row(web.get("/users").text, ward_user.email)
    assert sign_in(browser, ward_user.email, NEW_PASSWORD).status_code == 303
