"""Signing in and out through the web pages: the form, what a wrong email or password says,
throttling, disabled users, session fixation, cookie flags, expiry and open redirects."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sync.server import devices
from sync.server.schema import web_sessions
from sync.server.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.server.conftest import WARD_7
from tests.server.web.conftest import PASSWORD, hidden, sign_in, signed_in


def use_session(client, session_id):
    """Make the browser send *session_id* as its session cookie, and no other cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session_id)


def _cookie_header(reply, name):
    headers = [h for h in reply.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, reply.headers.get_list("set-cookie")
    return headers[0]


def test_the_sign_in_page_has_labelled_email_and_password_and_a_sign_in_button(web):
    page = web.get("/login")
    assert page.status_code == 200
    assert re.search(r'<label class="nhsuk-label" for="email">Email</label>', page.text)
    assert re.search(r'<label class="nhsuk-label" for="password">Password</label>', page.text)
    assert 'id="email" name="email" type="email"' in page.text
    assert 'id="password" name="password" type="password"' in page.text
    assert re.search(r"<button[^>]*>Sign in</button>", page.text)
    assert "Skip to main content" in page.text and "nhsuk-header" in page.text


def test_pages_send_a_signed_out_browser_to_sign_in_and_back(web, engine, admin):
    devices.create_key(engine, WARD_7)  # so the server knows site RWD/RWDLA
    reply = web.get("/?month=2026-10&site=RWD/RWDLA")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?next=/%3Fmonth%3D2026-10%26site%3DRWD/RWDLA"
    signed = sign_in(web, "admin@trust.nhs.uk", target="/?month=2026-10&site=RWD/RWDLA")
    assert signed.status_code == 303
    assert signed.headers["location"] == "/?month=2026-10&site=RWD/RWDLA"
    assert web.get(signed.headers["location"]).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "/login",
        " /ok",
        "/ok\r\nSet-Cookie: x=1",
    ],
)
def test_sign_in_never_sends_the_browser_off_the_site(web, admin, target):
    form = web.get("/login", params={"next": target})
    assert hidden(form.text, "next") == "/"
    reply = web.post(
        "/login",
        data={
            "csrf_token": hidden(form.text),
            "next": target,  # as a forged form would send it
            "email": admin.email,
            "password": PASSWORD,
        },
    )
    assert reply.status_code == 303 and reply.headers["location"] == "/"


def test_a_wrong_password_and_an_unknown_email_read_exactly_the_same(web, admin):
    wrong_password = sign_in(web, admin.email, "not the right password")
    unknown_email = sign_in(web, "nobody@trust.nhs.uk", "not the right password")
    for reply in (wrong_password, unknown_email):
        assert reply.status_code == 401
        assert SESSION_COOKIE not in reply.cookies
        assert reply.text.count("The email or password is not right") == 3  # summary + fields
        assert "Error: Sign in" in reply.text

    def plain(text):  # the page without what differs by design: the token and the email typed
        return re.sub(r'value="[^"]*"', "", text)

    assert plain(wrong_password.text) == plain(unknown_email.text)


def test_empty_fields_say_what_to_enter(web):
    form = web.get("/login")
    reply = web.post("/login", data={"csrf_token": hidden(form.text), "email": " "})
    assert reply.status_code == 400
    assert '<a href="#email">Enter your email address</a>' in reply.text
    assert '<a href="#password">Enter your password</a>' in reply.text
    assert "nhsuk-form-group--error" in reply.text


def test_a_throttled_account_says_when_to_try_again(web, admin, clock):
    for _ in range(5):
        assert sign_in(web, admin.email, "guessing guessing").status_code == 401
    reply = sign_in(web, admin.email)
    assert reply.status_code == 429
    assert "locked after too many wrong passwords" in reply.text
    assert "Try again in 1 minute, at 10:01." in reply.text  # 10:00 UTC is 10:00 in November
    clock.advance(minutes=1)
    assert sign_in(web, admin.email).status_code == 303


def test_a_disabled_user_is_refused_and_their_open_session_ends(web, admin, people):
    signed_in(web, admin.email)
    assert web.get("/").status_code == 200
    people.disable(admin.email)
    assert web.get("/").status_code == 303  # back to sign in: the session is over
    reply = sign_in(web, admin.email)
    assert reply.status_code == 403 and "This account has been turned off" in reply.text


def test_a_new_session_id_at_every_sign_in_and_none_from_before_it(web, engine, admin):
    # A session id planted before signing in (session fixation) is never the session after.
    use_session(web, "planted-by-someone-else-0123456789abcdefghij")
    form = web.get("/login")  # and a second tab on the sign-in page, for later
    first = sign_in(web, admin.email)
    first_id = first.cookies[SESSION_COOKIE]
    assert first_id != "planted-by-someone-else-0123456789abcdefghij"
    second = web.post(
        "/login",
        data={"csrf_token": hidden(form.text), "email": admin.email, "password": PASSWORD},
    )
    second_id = second.cookies[SESSION_COOKIE]
    assert second_id != first_id
    with engine.connect() as conn:  # the earlier session was ended, not left open
        assert conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 1
    use_session(web, first_id)
    assert web.get("/").status_code == 303
    # The sign-in form's own token is not a session either.
    form = web.get("/login")
    use_session(web, hidden(form.text))
    assert web.get("/").status_code == 303


def test_the_session_cookie_is_httponly_lax_and_secure_only_over_https(web, secure_web, admin):
    plain = _cookie_header(sign_in(web, admin.email), SESSION_COOKIE).lower()
    assert "httponly" in plain and "samesite=lax" in plain and "path=/" in plain
    assert "secure" not in plain
    login = _cookie_header(secure_web.get("/login"), LOGIN_CSRF_COOKIE).lower()
    assert "httponly" in login and "samesite=strict" in login and "; secure" in login
    secure = _cookie_header(sign_in(secure_web, admin.email), SESSION_COOKIE).lower()
    assert "httponly" in secure and "samesite=lax" in secure and "; secure" in secure


def test_sessions_end_after_30_idle_minutes_and_after_8_hours(web, admin, clock):
    signed_in(web, admin.email)
    clock.advance(minutes=29)
    assert web.get("/").status_code == 200
    clock.advance(minutes=31)
    assert web.get("/").status_code == 303
    signed_in(web, admin.email)
    for _ in range(16):  # busy all day: a page every 29 minutes
        clock.advance(minutes=29)
        assert web.get("/").status_code == 200
    clock.advance(minutes=17)  # 8 hours and a minute since signing in
    assert web.get("/").status_code == 303


def test_signing_out_ends_the_session_on_the_server(web, admin):
    signed_in(web, admin.email)
    page = web.get("/")
    session_id = web.cookies[SESSION_COOKIE]
    reply = web.post("/logout", data={"csrf_token": hidden(page.text)})
    assert reply.status_code == 303 and reply.headers["location"] == "/login?signed_out=1"
    assert "You have signed out" in web.get(reply.headers["location"]).text
    use_session(web, session_id)  # a copy of the cookie kept by someone
    assert web.get("/").status_code == 303


def test_a_signed_in_user_asking_for_sign_in_goes_where_they_were_going(web, admin):
    signed_in(web, admin.email)
    reply = web.get("/login", params={"next": "/?month=2026-09"})
    assert reply.status_code == 303 and reply.headers["location"] == "/?month=2026-09"


def test_the_password_is_never_in_a_page(web, admin):
    reply = sign_in(web, admin.email, "my secret guess!")
    assert "my secret guess!" not in reply.text and PASSWORD not in reply.text
