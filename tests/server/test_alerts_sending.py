"""Sending alerts: e-mail to the ward's managers and the trust's list over a real (local) SMTP
server, and a webhook to a local HTTP receiver; each with a link and never the comment;
rate-limited with a digest; deduplicated; failures retried with nothing lost.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from sync.server import accounts, devices
from sync.server.alerts import raise_for_comments, sender, transport
from sync.server.alerts.settings import AlertSettings
from tests.server.alerts_kit import (
    PUBLIC_URL,
    SENDER,
    Clock,
    SmtpServer,
    Webhook,
    all_alerts,
    all_deliveries,
    kiosk,
    running_smtp,
    running_webhook,
    settings,
    store_comment,
    tagged,
    text_of,
)
from tests.server.conftest import WARD_7

#: A word no message may ever carry: it is only in the patient's comment.
SECRET = "Quetzalcoatlus"
WORDS = f"The nurse hit my mum, and {SECRET} the porter was rude"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from running_smtp()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    yield from running_webhook()


@pytest.fixture
def managers(engine: Engine) -> list[str]:
    people = accounts.Accounts(engine)
    people.create_user(
        "sister.ward7@trust.nhs.uk", "ward", "a long enough password", wards=[WARD_7]
    )
    other = devices.Place("RWD", "RWDLA", "Ward 3")
    people.create_user("sister.ward3@trust.nhs.uk", "ward", "a long enough password", wards=[other])
    return ["sister.ward7@trust.nhs.uk"]


def _raise_comment(
    engine: Engine, clock: Clock, words: str = WORDS, sentiment: int | None = 5
) -> int:
    token = kiosk(engine)
    rid = store_comment(engine, token, words, day=clock().date())
    with engine.begin() as conn:
        raise_for_comments(conn, [tagged(rid, words, sentiment, day=clock().date())], clock())
    return int(all_alerts(engine)[-1]["id"])


def _run(engine: Engine, rules: AlertSettings, clock: Clock) -> int:
    """One round of the sender, as the background thread runs it."""
    sender.queue(engine, rules, clock())
    sender.digest(engine, rules, clock())
    return sender.send_due(engine, rules, clock)


def test_an_alert_email_has_a_link_and_no_comment_text(
    engine, clock, managers, smtp_server: SmtpServer, webhook: Webhook
):
    alert_id = _raise_comment(engine, clock)
    rules = settings(smtp_server.port, webhook.url)
    assert _run(engine, rules, clock) == 3

    mails = smtp_server.received
    assert sorted(m["To"] for m in mails) == ["sister.ward7@trust.nhs.uk", "team@trust.nhs.uk"]
    link = f"{PUBLIC_URL}/alerts/{alert_id}"
    for mail in mails:
        seen = text_of(mail)
        assert mail["From"] == SENDER
        assert "Ward 7" in mail["Subject"] and "safeguarding" in mail["Subject"].lower()
        assert link in seen
        assert SECRET not in seen and "nurse" not in seen and "rude" not in seen
        assert SECRET not in mail.as_string()  # nor in any header or part
    [card] = webhook.bodies
    assert SECRET.encode() not in webhook.raw[0] and b"nurse" not in webhook.raw[0]
    assert card["attachments"][0]["content"]["actions"][0]["url"] == link
    assert card["alert"]["kind"] == "safeguarding" and card["alert"]["link"] == link
    assert {d["state"] for d in all_deliveries(engine)} == {"sent"}


def test_deduplication_one_comment_raised_twice_sends_once(engine, clock, managers, smtp_server):
    token = kiosk(engine)
    rid = store_comment(engine, token, WORDS, day=clock().date())
    rules = settings(smtp_server.port, recipients=())
    for sentiment in (None, 5, 5):
        with engine.begin() as conn:
            raise_for_comments(conn, [tagged(rid, WORDS, sentiment, day=clock().date())], clock())
        _run(engine, rules, clock)
        clock.advance(minutes=10)
    assert [m["To"] for m in smtp_server.received] == ["sister.ward7@trust.nhs.uk"]


def test_over_the_hourly_limit_alerts_wait_for_one_digest(engine, clock, managers, smtp_server):
    rules = settings(smtp_server.port, recipients=(), per_hour=2)
    for _ in range(5):
        _raise_comment(engine, clock)
        _run(engine, rules, clock)
        clock.advance(minutes=5)
    # Two alerts went; three were held back, and nothing more goes within the hour.
    assert len(smtp_server.received) == 2
    assert sorted(d["state"] for d in all_deliveries(engine)) == ["held"] * 3 + ["sent"] * 2
    clock.advance(minutes=30)  # 50 minutes after the first
    _run(engine, rules, clock)
    assert len(smtp_server.received) == 2

    clock.advance(minutes=15)  # the first has left the hour: one digest for the three
    _run(engine, rules, clock)
    assert len(smtp_server.received) == 3
    digest = smtp_server.received[-1]
    assert digest["Subject"] == "Ward feedback: 3 more alerts for Ward 7"
    assert f"{PUBLIC_URL}/alerts?org=RWD&site=RWDLA&ward=Ward+7" in text_of(digest)
    assert SECRET not in text_of(digest)
    states = sorted(d["state"] for d in all_deliveries(engine))
    assert states == ["digested"] * 3 + ["sent"] * 3
    _run(engine, rules, clock)
    assert len(smtp_server.received) == 3


def test_smtp_down_is_retried_shown_and_nothing_is_lost(engine, clock, managers):
    down = SmtpServer()  # not started: nothing listens on its port
    rules = settings(down.port, recipients=())
    _raise_comment(engine, clock)
    assert _run(engine, rules, clock) == 0
    [delivery] = all_deliveries(engine)
    assert delivery["state"] == "retrying" and delivery["attempts"] == 1
    assert f"127.0.0.1:{down.port} could not be reached" in delivery["last_error"]

    # Not due yet: the next try waits a minute, then two.
    assert _run(engine, rules, clock) == 0
    clock.advance(minutes=1, seconds=1)
    _run(engine, rules, clock)
    assert all_deliveries(engine)[0]["attempts"] == 2

    down.start()
    try:
        clock.advance(minutes=2, seconds=1)
        assert _run(engine, rules, clock) == 1
        assert len(down.received) == 1
        [delivery] = all_deliveries(engine)
        assert delivery["state"] == "sent" and delivery["attempts"] == 3
        clock.advance(hours=2)
        assert _run(engine, rules, clock) == 0 and len(down.received) == 1
    finally:
        down.stop()


def test_a_delivery_that_keeps_failing_is_given_up_and_kept(engine, clock, managers):
    rules = settings(SmtpServer().port, recipients=())
    _raise_comment(engine, clock)
    for _ in range(sender.MAX_ATTEMPTS):
        _run(engine, rules, clock)
        clock.advance(hours=1, seconds=1)
    [delivery] = all_deliveries(engine)
    assert delivery["state"] == "failed" and delivery["attempts"] == sender.MAX_ATTEMPTS
    assert len(all_alerts(engine)) == 1  # the alert stays listed in the web app


def test_a_webhook_answering_500_is_tried_again(engine, clock, webhook: Webhook):
    webhook.statuses = [500, 503]
    rules = settings(webhook_url=webhook.url)
    _raise_comment(engine, clock)
    _run(engine, rules, clock)
    [delivery] = all_deliveries(engine)
    assert delivery["state"] == "retrying"
    assert "answered HTTP 500" in delivery["last_error"]
    clock.advance(minutes=1, seconds=1)
    _run(engine, rules, clock)
    assert "answered HTTP 503" in all_deliveries(engine)[0]["last_error"]
    clock.advance(minutes=2, seconds=1)
    assert _run(engine, rules, clock) == 1
    assert len(webhook.bodies) == 3
    assert all(json.dumps(body).find(SECRET) == -1 for body in webhook.bodies)
    assert all_deliveries(engine)[0]["state"] == "sent"


def test_a_webhook_that_never_answers_times_out_and_is_tried_again(
    engine, clock, webhook: Webhook, monkeypatch
):
    monkeypatch.setattr(transport, "WEBHOOK_TIMEOUT", (2.0, 0.5))
    webhook.statuses = ["hang"]
    rules = settings(webhook_url=webhook.url)
    _raise_comment(engine, clock)
    _run(engine, rules, clock)
    [delivery] = all_deliveries(engine)
    assert delivery["state"] == "retrying"
    assert "did not answer within 0.5 s" in delivery["last_error"]
    clock.advance(minutes=1, seconds=1)
    assert _run(engine, rules, clock) == 1
    assert all_deliveries(engine)[0]["state"] == "sent"


def test_two_senders_at_once_send_each_message_once(engine, clock, managers, smtp_server):
    """Two server processes' senders over one database: each delivery is claimed once."""
    rules = settings(smtp_server.port)
    for _ in range(3):
        _raise_comment(engine, clock)
    sender.queue(engine, rules, clock())
    start = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        start.wait(10)
        sent.append(sender.send_due(engine, rules, clock))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent) == 6  # 3 alerts x (the manager + the trust list)
    assert len(smtp_server.received) == 6


def test_alerts_from_before_sending_was_set_up_are_not_sent(engine, clock, managers, smtp_server):
    _raise_comment(engine, clock)
    clock.advance(days=5)
    rules = settings(smtp_server.port)
    assert _run(engine, rules, clock) == 0
    assert all_deliveries(engine) == [] and smtp_server.received == []
    assert all_alerts(engine)[0]["queued_at"] is not None


def test_a_disabled_manager_gets_nothing(engine, clock, managers, smtp_server):
    accounts.Accounts(engine).disable(managers[0])
    _raise_comment(engine, clock)
    _run(engine, settings(smtp_server.port), clock)
    assert [m["To"] for m in smtp_server.received] == ["team@trust.nhs.uk"]


def test_backoff_grows_to_an_hour():
    assert [sender.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [
        1,
        2,
        4,
        60,
        60,
        60,
    ]


def test_the_hourly_limit_counts_per_ward(engine, clock, managers, smtp_server):
    """The limit is per recipient and ward: the trust list hears of two wards separately."""
    rules = settings(smtp_server.port, recipients=("team@trust.nhs.uk",), per_hour=1)
    _raise_comment(engine, clock)
    other = devices.Place("RWD", "RWDLA", "Ward 3")
    token = kiosk(engine, other)
    rid = store_comment(engine, token, WORDS, day=clock().date(), place=other)
    with engine.begin() as conn:
        raise_for_comments(conn, [tagged(rid, WORDS, 5, day=clock().date(), place=other)], clock())
    _run(engine, rules, clock)
    team = [m["Subject"] for m in smtp_server.received if m["To"] == "team@trust.nhs.uk"]
    assert sorted(team) == [
        "Ward feedback alert: safeguarding words on Ward 3",
        "Ward feedback alert: safeguarding words on Ward 7",
    ]


def test_two_senders_at_once_keep_to_the_hourly_limit(engine, clock, managers, smtp_server):
    rules = settings(smtp_server.port, recipients=(), per_hour=2)
    for _ in range(4):
        _raise_comment(engine, clock)
    sender.queue(engine, rules, clock())
    start = threading.Barrier(2)

    def run() -> None:
        start.wait(10)
        sender.send_due(engine, rules, clock)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(smtp_server.received) == 2
    assert sorted(d["state"] for d in all_deliveries(engine)) == ["held", "held", "sent", "sent"]
