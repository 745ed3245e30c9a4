"""The web app under attack, by someone outside and by a signed-in ward user reaching past
their wards: what must hold.

Escaping on the older pages is tested in test_security.py, CSRF and the headers of pages in
test_csrf_and_headers.py, sessions in test_sign_in.py; here are the comment and alert pages,
downloads, methods, odd forms and addresses, and what a failed alert shows or logs.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from sync.server import devices
from sync.server.alerts import raise_for_comments, sender
from sync.server.alerts.settings import SettingsError, load
from sync.server.schema import alerts, tag_corrections
from sync.server.web.security import CONTENT_SECURITY_POLICY
from tests.server.alerts_kit import free_port, kiosk, settings, store_comment, tagged
from tests.server.conftest import WARD_7
from tests.server.web.conftest import PASSWORD, WARD_3, hidden, signed_in
from tests.server.web.test_security import escaped

SCRIPT = "<script>alert(1)</script>"
QUOTES = "\"' onmouseover=alert(2) x='"
HOSTILE = devices.Place("RWD", "RWDLA", 'Ward "><svg onload=alert(3)>')
COMMENT = f"{SCRIPT} {QUOTES} javascript:alert(4) \u202eevil\u202c I felt unsafe"
DAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _comment(engine, place: devices.Place, words: str = COMMENT) -> tuple[str, int]:
    """A comment from a kiosk at *place*, and the safeguarding alert it raised: their ids."""
    response_id = store_comment(engine, kiosk(engine, place), words, day=DAY, place=place)
    with engine.begin() as conn:
        raise_for_comments(conn, [tagged(response_id, words, 5, day=DAY, place=place)], NOW)
        alert_id = conn.execute(
            sa.select(alerts.c.id).where(alerts.c.response_id == response_id)
        ).scalar_one()
    return response_id, int(alert_id)


@pytest.fixture
def hostile_user(people):
    return people.create_user("hostile.manager@trust.nhs.uk", "ward", PASSWORD, [HOSTILE])


def test_kiosk_text_is_text_on_the_comment_and_alert_pages(web, engine, admin, hostile_user):
    response_id, alert_id = _comment(engine, HOSTILE)
    for who in (admin.email, hostile_user.email):
        web.cookies.clear()
        signed_in(web, who)
        for path in (f"/comments/{response_id}", "/alerts", f"/alerts/{alert_id}"):
            page = web.get(path)
            assert page.status_code == 200, path
            # Neither the ward's name nor the patient's words ever become markup.
            for raw in (SCRIPT, "<svg onload", "x='\"", "onmouseover=alert(2) x='\""):
                assert raw not in page.text, (path, raw)
            assert 'href="javascript:' not in page.text
            assert escaped(HOSTILE.ward_name) in page.text, path
        # The comment's words (with its direction override) sit in their own paragraph, so
        # the override cannot turn the page's own words round after it.
        page = web.get(f"/comments/{response_id}").text
        assert '<p class="app-comment__text" lang="en" dir="auto">' in page


def test_a_ward_user_reaches_no_other_wards_comment_or_alert_by_its_number(web, engine, ward_user):
    theirs, their_alert = _comment(engine, WARD_3)
    mine, _ = _comment(engine, WARD_7, "I felt unsafe on Ward 7")
    signed_in(web, ward_user.email)
    token = hidden(web.get(f"/comments/{mine}").text)
    refused = {
        "comment": web.get(f"/comments/{theirs}"),
        "comment in capitals": web.get(f"/comments/{theirs.upper()}"),
        "correction": web.post(
            f"/comments/{theirs}/tags", data={"csrf_token": token, "sentiment": "1"}
        ),
        "alert": web.get(f"/alerts/{their_alert}"),
        "acknowledge": web.post(
            f"/alerts/{their_alert}/acknowledge", data={"csrf_token": token, "back": "alert"}
        ),
        "digest list": web.get("/alerts", params={"org": "RWD", "site": "RWDLB", "ward": "Ward 3"}),
    }
    for what, reply in refused.items():
        assert reply.status_code == 404, what
        assert "I felt unsafe" not in reply.text, what
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tag_corrections)).scalar() == 0
        acknowledged = conn.execute(
            sa.select(alerts.c.acknowledged_at).where(alerts.c.id == their_alert)
        ).scalar()
    assert acknowledged is None
    assert web.get("/comments/corrections.csv").status_code == 403


def test_every_download_is_kept_by_no_cache(web, engine, admin):
    # The ward's CSV holds every comment of the month: no shared cache or back button may
    # keep it, as none keeps the page that links to it.
    _comment(engine, WARD_7)
    signed_in(web, admin.email)
    ward = {"org": "RWD", "site": "RWDLA", "ward": "Ward 7", "month": "2026-11"}
    downloads = {
        "ward responses": web.get("/ward/responses.csv", params=ward),
        "NHS submission": web.get("/submission.csv", params={"month": "2026-11"}),
        "tag corrections": web.get("/comments/corrections.csv"),
    }
    for name, reply in downloads.items():
        assert reply.status_code == 200, name
        assert reply.headers["content-type"].startswith("text/csv"), name
        assert reply.headers["cache-control"] == "no-store", name
        assert reply.headers["x-content-type-options"] == "nosniff", name
    assert "I felt unsafe" in downloads["ward responses"].text


def test_no_page_can_be_framed_even_by_a_browser_without_csp(web, admin):
    pages = [web.get("/login")]
    signed_in(web, admin.email)
    pages += [web.get("/"), web.get("/alerts"), web.get("/no-such-page")]
    for reply in pages:
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_every_page_answers_head_as_it_answers_get(web, admin):
    signed_out = web.head("/alerts")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/alerts"
    assert web.head("/login").status_code == 200
    signed_in(web, admin.email)
    for path in ("/", "/alerts", "/submission", "/devices"):
        reply = web.head(path)
        assert reply.status_code == 200, path
        assert reply.headers["cache-control"] == "no-store", path
        assert reply.content == b"", path


def test_a_method_an_address_does_not_take_is_refused_and_says_which_it_takes(web, admin):
    signed_in(web, admin.email)
    for path, method, allowed in [
        ("/logout", "GET", "POST"),
        ("/alerts/1/acknowledge", "GET", "POST"),
        ("/", "DELETE", "GET, HEAD"),
    ]:
        reply = web.request(method, path)
        assert reply.status_code == 405, path
        assert "That cannot be done here" in reply.text
        assert sorted(reply.headers["allow"].split(", ")) == sorted(allowed.split(", ")), path
    assert web.get("/").status_code == 200  # a GET on /logout signed nobody out


def test_a_form_no_page_sends_is_a_page_saying_so_and_changes_nothing(web, engine, admin):
    response_id, _ = _comment(engine, WARD_7)
    signed_in(web, admin.email)
    token = hidden(web.get(f"/comments/{response_id}").text)
    too_many = "&".join([f"csrf_token={token}", *(["theme=Admission"] * 1500)])
    too_big = {"csrf_token": token, "sentiment": "1" * (1024 * 1024 + 1)}
    for reply in (
        web.post(
            f"/comments/{response_id}/tags",
            content=too_many.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        web.post(f"/comments/{response_id}/tags", data=too_big),
    ):
        assert reply.status_code == 400
        assert reply.headers["content-type"].startswith("text/html")
        assert "That form could not be read" in reply.text
        assert "reload it and send the form again" in reply.text
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tag_corrections)).scalar() == 0
    # The API keeps its JSON.
    api = web.post(
        "/api/v1/devices/heartbeat",
        content=too_many.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert api.headers["content-type"].startswith("application/json")


def test_a_webhook_address_the_config_refuses_is_never_repeated_in_the_log(tmp_path, monkeypatch):
    # The message goes to the log and the terminal: a mistyped address from a secret file
    # or variable must not put the webhook's key there.
    monkeypatch.setenv("TEST_TEAMS_WEBHOOK", "ftp://example.webhook.office.com/abc?sig=k3y-secret")
    path = tmp_path / "server.toml"
    path.write_text(
        '[alerts]\npublic_url = "https://feedback.example.nhs.uk"\n'
        'webhook_url_env = "TEST_TEAMS_WEBHOOK"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as refused:
        load(path)
    assert "webhook_url must be a web address starting https://" in str(refused.value)
    assert "k3y-secret" not in str(refused.value) and "ftp://" not in str(refused.value)


def test_a_failed_webhook_shown_on_the_alerts_page_never_shows_the_addresss_password(
    engine, clock, ward_user, app, web
):
    # A receiver that takes its password in the address: the reason a message failed is
    # shown to every ward user of the ward, so it names the host and never the password.
    rules = settings(webhook_url=f"http://alerts:s3cret-pass@127.0.0.1:{free_port()}/hook")
    _, alert_id = _comment(engine, WARD_7)
    sender.queue(engine, rules, clock())
    sender.send_due(engine, rules, clock)
    signed_in(web, ward_user.email)
    for path in ("/alerts", f"/alerts/{alert_id}"):
        page = web.get(path).text
        assert "could not be reached" in page, path
        assert "127.0.0.1:" in page, path
        assert "s3cret-pass" not in page and "alerts:" not in page, path


ODD = ["-1", "0", "1e3", "٣", "１", "99999999999999999999", "\x00", "%00", "a" * 5000, " 1", "1\n"]


def test_odd_numbers_and_names_in_an_address_are_never_a_server_error(web, engine, ward_user):
    response_id, alert_id = _comment(engine, WARD_7, "I felt unsafe on Ward 7")
    signed_in(web, ward_user.email)
    asked = []
    for value in ODD:
        asked += [
            web.get("/alerts", params={"page": value}),
            web.get("/alerts", params={"acknowledged": value}),
            web.get("/alerts", params={"org": "RWD", "site": value, "ward": "Ward 7"}),
            web.get(f"/alerts/{alert_id}", params={"acknowledged": value}),
            web.get(f"/comments/{response_id}", params={"saved": value}),
            web.get(f"/alerts/{quote(value, safe='')}"),
            web.get(f"/comments/{quote(value, safe='')}"),
        ]
    asked.append(web.get("/alerts", params=[("page", "1"), ("page", "2")]))
    asked.append(web.get(f"/comments/{response_id}/tags"))
    for reply in asked:
        assert reply.status_code in (200, 400, 404, 405), (reply.request.url, reply.status_code)
        assert reply.headers["content-type"].startswith("text/html"), reply.request.url
        assert "Ward 3" not in reply.text
