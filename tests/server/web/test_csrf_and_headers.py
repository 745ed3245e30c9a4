"""Forms that change something need the session's CSRF token (the sign-in form, its cookie's),
every page carries the security headers, and roles are enforced by the page dependencies."""

from __future__ import annotations

import logging

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from sync.server import devices, web
from sync.server.app import create_app
from sync.server.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AdminUser,
    CurrentUser,
    check_csrf,
    require_ward,
)
from sync.server.web.security import CONTENT_SECURITY_POLICY, safe_next
from tests.server.conftest import ADMIN, WARD_7
from tests.server.web.conftest import PASSWORD, WARD_3, hidden, sign_in, signed_in


def test_a_post_without_the_token_or_with_a_wrong_one_is_refused_and_changes_nothing(web, admin):
    signed_in(web, admin.email)
    good = hidden(web.get("/").text)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": good[:-1] + "x"}, {"csrf": good}):
        reply = web.post("/logout", data=data)
        assert reply.status_code == 403
        assert "This form has expired" in reply.text and "reload the page" in reply.text
        assert web.get("/").status_code == 200  # still signed in: nothing changed
    json_post = web.post("/logout", json={"csrf_token": good})
    assert json_post.status_code == 403


def test_another_sites_form_is_refused_even_with_the_token(web, admin):
    signed_in(web, admin.email)
    good = hidden(web.get("/").text)
    reply = web.post("/logout", data={"csrf_token": good}, headers={"Sec-Fetch-Site": "cross-site"})
    assert reply.status_code == 403 and web.get("/").status_code == 200


def test_a_token_from_another_session_is_refused(app, web, admin):
    signed_in(web, admin.email)
    with TestClient(app, follow_redirects=False) as other:
        signed_in(other, admin.email)
        theirs = hidden(other.get("/").text)
    assert web.post("/logout", data={"csrf_token": theirs}).status_code == 403


def test_signing_in_needs_the_sign_in_pages_own_token(web, admin):
    # Login CSRF: another site posting its own account's details into this browser.
    forged = {"email": admin.email, "password": PASSWORD}
    for data, cookie in [
        (forged, None),
        ({**forged, "csrf_token": "made-up-token-made-up-token-made-up-token"}, None),
        ({**forged, "csrf_token": "a" * 43}, "b" * 43),
    ]:
        web.cookies.clear()
        if cookie:
            web.cookies.set(LOGIN_CSRF_COOKIE, cookie, path="/login")
        reply = web.post("/login", data=data)
        assert reply.status_code == 403, data
        assert "The sign-in page had expired" in reply.text and "Sign in again" in reply.text
        assert SESSION_COOKIE not in reply.cookies
    assert sign_in(web, admin.email).status_code == 303


def test_every_page_has_the_security_headers(web, admin):
    pages = [web.get("/login")]
    signed_in(web, admin.email)
    pages += [web.get("/"), web.get("/no-such-page"), web.get("/", params={"month": "x"})]
    for reply in pages:
        assert reply.headers["content-type"].startswith("text/html")
        assert reply.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "same-origin"
        assert reply.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY


def test_the_api_keeps_its_json_errors_and_the_docs_their_scripts(web):
    missing = web.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert web.get("/api/v1/health").headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in web.get("/docs").headers


def test_unknown_pages_are_the_nhs_404_page(web):
    reply = web.get("/no-such-page")
    assert reply.status_code == 404
    assert '<h1 class="nhsuk-heading-l">Page not found</h1>' in reply.text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", "/"),
        ("/?month=2026-10&sort=responses", "/?month=2026-10&sort=responses"),
        ("/ward?org=RWD&site=RWDLA&ward=Ward%207", "/ward?org=RWD&site=RWDLA&ward=Ward%207"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%0d%0aLocation:%20https://evil.example", "/%0d%0aLocation:%20https://evil.example"),
        ("/\nhttps://evil", "/"),
        ("evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_keeps_only_paths_on_this_site(target, expected):
    assert safe_next(target) == expected


# -- roles, through routes made the way later pages will make them -----------------------


def _with_test_pages(app: FastAPI) -> FastAPI:
    pages = APIRouter(dependencies=[Depends(check_csrf)])

    @pages.get("/test/admin-only")
    def admin_only(user: AdminUser) -> PlainTextResponse:
        return PlainTextResponse(f"hello {user.email}")

    @pages.get("/test/ward")
    def ward(user: CurrentUser, org: str, site: str, ward: str) -> PlainTextResponse:
        require_ward(user, devices.Place(org, site, ward))
        return PlainTextResponse(f"ward {ward}")

    app.include_router(pages)
    return app


def test_a_ward_user_gets_404_for_another_ward_and_403_for_admin_pages(app, web, admin, ward_user):
    _with_test_pages(app)
    own = {"org": "RWD", "site": "RWDLA", "ward": WARD_7.ward_name}
    other = {"org": "RWD", "site": "RWDLA", "ward": WARD_3.ward_name}
    signed_in(web, ward_user.email)
    assert web.get("/test/ward", params=own).text == "ward Ward 7"
    refused = web.get("/test/ward", params=other)
    assert refused.status_code == 404 and "Page not found" in refused.text
    assert "Ward 3" not in refused.text
    admin_page = web.get("/test/admin-only")
    assert admin_page.status_code == 403 and "This page is for admins" in admin_page.text
    header = web.get("/").text
    assert ">Devices</a>" not in header and ">Users</a>" not in header
    web.cookies.clear()
    signed_in(web, admin.email)
    assert web.get("/test/admin-only").text == "hello admin@trust.nhs.uk"
    assert web.get("/test/ward", params=other).text == "ward Ward 3"
    header = web.get("/").text
    for link in ("Overview", "NHS submission", "Devices", "Users"):
        assert f">{link}</" in header
    assert "Sign out</button>" in header


def test_without_the_nhs_frontend_the_pages_still_work_and_it_is_said_once(
    engine, monkeypatch, caplog
):
    monkeypatch.setattr(web, "vendor_ready", lambda: False)
    with caplog.at_level(logging.WARNING, logger="sync.server.web"):
        app = create_app(engine, ADMIN)
    warnings = [r for r in caplog.records if "NHS frontend is not in" in r.getMessage()]
    assert len(warnings) == 1
    with TestClient(app) as client:
        page = client.get("/login")
    assert page.status_code == 200 and "Sign in" in page.text
    assert "nhsuk-frontend.min.css" not in page.text and "/static/site.css" in page.text
