"""The Alerts page: every alert newest first for the wards a user may see, how its messages
went, a link to the comment, and Acknowledge (CSRF-protected, audited, showing who and when).
An alert's own page, where e-mails link, shows the comment to a signed-in user of its ward.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server import figures
from sync.server.alerts import listing, raise_for_comments, sender
from sync.server.alerts.settings import ServerConfig
from sync.server.alerts.worker import AlertWorker
from sync.server.app import create_app
from sync.server.schema import alert_deliveries
from sync.server.web.pages.alerts import delivery_state
from tests.server.alerts_kit import (
    SmtpServer,
    all_alerts,
    kiosk,
    settings,
    store_comment,
    tagged,
)
from tests.server.conftest import ADMIN, WARD_7
from tests.server.web.conftest import WARD_3, hidden, signed_in

WORDS_7 = "I felt unsafe at night on the ward"
WORDS_3 = "Nobody helped me, I was scared"


def _raise(engine, clock, place, words: str, sentiment: int | None = None) -> int:
    day = clock().date()
    rid = store_comment(engine, kiosk(engine, place), words, day=day, place=place)
    with engine.begin() as conn:
        raise_for_comments(conn, [tagged(rid, words, sentiment, day=day, place=place)], clock())
    return int(all_alerts(engine)[-1]["id"])


def _rows(page: str) -> list[str]:
    """The Alerts table's rows as text, in order."""
    rows = re.findall(
        r'<tr class="nhsuk-table__row" role="row" id="alert-\d+">(.*?)</tr>', page, re.S
    )
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_admins_see_every_alert_newest_first_with_a_link_to_the_comment(web, engine, clock, admin):
    older = _raise(engine, clock, WARD_7, WORDS_7)
    clock.advance(hours=2)
    newer = _raise(engine, clock, WARD_3, WORDS_3, sentiment=5)
    signed_in(web, admin.email)
    page = web.get("/alerts")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == 2
    assert rows[0].startswith("Alert Safeguarding words Read the comment of alert")
    assert "Ward 3" in rows[0] and "Ward 7" in rows[1]
    assert "20 Nov 2026, 12:00" in rows[0] and "20 Nov 2026, 10:00" in rows[1]
    assert f'href="/alerts/{newer}"' in page.text and f'href="/alerts/{older}"' in page.text
    # Listed, never sent: this app has no alert settings.
    assert "Not sent" in rows[0] and "does not send alerts by e-mail or webhook" in page.text
    # The list itself never shows patients' words.
    assert "unsafe at night" not in page.text and "Nobody helped" not in page.text
    current = '<a class="nhsuk-header__navigation-link" href="/alerts" aria-current="page">'
    assert current in page.text


def test_a_ward_user_sees_only_their_wards_alerts(web, engine, clock, ward_user):
    mine = _raise(engine, clock, WARD_7, WORDS_7)
    theirs = _raise(engine, clock, WARD_3, WORDS_3)
    signed_in(web, ward_user.email)
    rows = _rows(web.get("/alerts").text)
    assert len(rows) == 1 and "Ward 7" in rows[0] and "Ward 3" not in rows[0]
    assert web.get(f"/alerts/{mine}").status_code == 200
    assert web.get(f"/alerts/{theirs}").status_code == 404
    listed = web.get("/alerts", params={"org": "RWD", "site": "RWDLA", "ward": "Ward 3"})
    assert listed.status_code == 404
    token = hidden(web.get("/alerts").text)
    refused = web.post(f"/alerts/{theirs}/acknowledge", data={"csrf_token": token})
    assert refused.status_code == 404
    assert all_alerts(engine)[1]["acknowledged_at"] is None


def test_an_alerts_page_shows_its_comment_to_a_signed_in_user(web, engine, clock, ward_user):
    alert_id = _raise(engine, clock, WARD_7, WORDS_7)
    # The e-mail's link, opened signed out: sign in first, then the alert.
    signed_out = web.get(f"/alerts/{alert_id}")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == f"/login?next=/alerts/{alert_id}"
    signed_in(web, ward_user.email)
    page = web.get(f"/alerts/{alert_id}")
    assert "I felt <mark>unsafe</mark> at night on the ward" in page.text
    assert "Very poor" in page.text
    assert "/ward?org=RWD&amp;site=RWDLA&amp;ward=Ward+7&amp;month=2026-11#comments" in page.text


def test_acknowledge_is_audited_and_shows_who_and_when(web, engine, clock, admin, ward_user):
    alert_id = _raise(engine, clock, WARD_7, WORDS_7)
    signed_in(web, ward_user.email)
    page = web.get("/alerts")
    clock.advance(minutes=20)
    done = web.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": hidden(page.text), "back": "list"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/alerts?acknowledged={alert_id}"
    after = web.get(done.headers["location"]).text
    assert f"You acknowledged alert {alert_id}" in after
    [row] = _rows(after)
    assert "ward7@trust.nhs.uk 20 Nov 2026, 10:20" in row and "Acknowledge alert" not in row

    # A second press (another tab) changes nothing: the first acknowledgement stands.
    clock.advance(minutes=5)
    web.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": hidden(page.text)})
    [alert] = all_alerts(engine)
    assert alert["acknowledged_by"] == "ward7@trust.nhs.uk"
    entries, _ = figures.audit_entries(engine, 0, 10, "alert acknowledged")
    assert [(e.actor, e.detail) for e in entries] == [
        ("ward7@trust.nhs.uk", f"alert {alert_id}: Safeguarding words on RWD/RWDLA/Ward 7")
    ]


def test_acknowledge_without_the_forms_token_is_refused(web, engine, clock, admin):
    alert_id = _raise(engine, clock, WARD_7, WORDS_7)
    signed_in(web, admin.email)
    refused = web.post(f"/alerts/{alert_id}/acknowledge", data={"back": "alert"})
    assert refused.status_code == 403
    assert all_alerts(engine)[0]["acknowledged_at"] is None


def test_a_failing_delivery_is_shown_with_what_went_wrong(engine, clock, admin):
    rules = settings(SmtpServer().port, recipients=("team@trust.nhs.uk",))
    alert_id = _raise(engine, clock, WARD_7, WORDS_7)
    sender.queue(engine, rules, clock())
    sender.send_due(engine, rules, clock)
    config = ServerConfig(alerts=rules)
    app = create_app(engine, ADMIN, now=clock, alerts=AlertWorker(engine, config, clock))
    with TestClient(app, follow_redirects=False) as browser:  # starts the worker thread
        signed_in(browser, admin.email)
        [row] = _rows(browser.get("/alerts").text)
        assert "Retrying" in row and "1 failed try, next at 20 November 2026, 10:01" in row
        assert "could not be reached" in row
        detail = browser.get(f"/alerts/{alert_id}").text
        assert "team@trust.nhs.uk" in detail
    # Given up: shown as failed, and the alert stays.
    with engine.begin() as conn:
        conn.execute(sa.update(alert_deliveries).values(state="failed", attempts=12))
    app = create_app(engine, ADMIN, now=clock, alerts=AlertWorker(engine, config, clock))
    browser = TestClient(app, follow_redirects=False)
    signed_in(browser, admin.email)
    [row] = _rows(browser.get("/alerts").text)
    assert "Failed Gave up after 12 tries" in row


def test_no_alerts_yet_says_so(web, admin):
    signed_in(web, admin.email)
    page = web.get("/alerts")
    assert "No alerts have been raised." in page.text


def test_a_bad_alert_number_is_not_found(web, admin):
    signed_in(web, admin.email)
    for bad in ("0", "abc", "99999999999", "12"):
        assert web.get(f"/alerts/{bad}").status_code == 404


def test_a_digests_link_lists_one_wards_alerts(web, engine, clock, admin):
    _raise(engine, clock, WARD_7, WORDS_7)
    _raise(engine, clock, WARD_3, WORDS_3)
    _raise(engine, clock, WARD_3, "Someone hit the wall next to me")
    signed_in(web, admin.email)
    page = web.get("/alerts", params={"org": "RWD", "site": "RWDLA", "ward": "Ward 3"}).text
    rows = _rows(page)
    assert len(rows) == 2 and all("Ward 3" in row for row in rows)
    assert "2 alerts are waiting to be acknowledged." in page
    assert '<a class="nhsuk-link" href="/alerts">Show every ward' in page
    everything = web.get("/alerts").text
    assert "3 alerts are waiting to be acknowledged." in everything
    odd = web.get("/alerts", params={"org": "RWD", "site": "RWDLA", "ward": "Ward\x003"})
    assert odd.status_code == 404


def _alert(*states: str, queued: bool = True, raised_days_ago: float = 0) -> listing.Alert:
    now = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    deliveries = tuple(
        listing.Delivery(n, "email", f"p{n}@trust.nhs.uk", state, 1, "refused", now, None, None)
        for n, state in enumerate(states)
    )
    return listing.Alert(
        1, "safeguarding", WARD_7, "r1", now - dt.timedelta(days=raised_days_ago), "why",
        now if queued else None, None, None, deliveries,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("alert", "sending", "text", "detail"),
    [
        (_alert(queued=False), False, "Not sent", "This server has no e-mail or webhook set up"),
        (_alert(queued=False), True, "Sending", ""),
        (_alert(), True, "Not sent", "Nobody was set to receive it"),
        (_alert(raised_days_ago=5), True, "Not sent", "raised before sending was set up"),
        (_alert("pending", "sent"), True, "Sending", ""),
        (_alert("sent", "retrying"), True, "Retrying", "1 failed try, next at"),
        (_alert("failed", "retrying"), True, "Failed", "Gave up after 1 tries: refused."),
        (_alert("sent", "held"), True, "Held back", "goes in one digest"),
        (_alert("sent", "sent", "digested"), True, "Sent", "To 2 recipients; 1 in a digest."),
    ],
)
def test_how_an_alerts_messages_went_in_a_few_words(alert, sending, text, detail):
    shown = delivery_state(alert, sending)
    assert shown["text"] == text
    assert detail in shown["detail"] if detail else shown["detail"] == ""
