"""The alerts' background thread in a running server: it sends what is raised while the app
runs, says once in the log when nothing is set up to send, checks % negative either way, and
outlives a failing database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server.alerts import raise_for_comments
from sync.server.alerts.settings import Jumps, ServerConfig
from sync.server.alerts.worker import AlertWorker
from sync.server.app import create_app
from tests.server.alerts_kit import (
    Clock,
    SmtpServer,
    all_alerts,
    kiosk,
    running_smtp,
    settings,
    store_comment,
    store_ratings,
    tagged,
)
from tests.server.conftest import ADMIN

WORDS = "I was afraid to press the call bell"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from running_smtp()


def test_the_running_server_sends_an_alert_raised_while_it_runs(engine, smtp_server):
    clock = Clock(dt.datetime.now(dt.UTC))
    config = ServerConfig(alerts=settings(smtp_server.port))
    app = create_app(engine, ADMIN, alerts=AlertWorker(engine, config, clock, tick=0.05))
    with TestClient(app):
        rid = store_comment(engine, kiosk(engine), WORDS, day=clock().date())
        with engine.begin() as conn:
            raise_for_comments(conn, [tagged(rid, WORDS, day=clock().date())], clock())
        assert smtp_server.mailbox.wait_for(1), "the background sender sent nothing"
    [mail] = smtp_server.received
    assert mail["To"] == "team@trust.nhs.uk" and "afraid" not in mail.as_string()


def test_with_nothing_set_up_the_log_says_so_once_and_jumps_are_still_found(engine, caplog):
    today = dt.datetime.now(dt.UTC)
    token = kiosk(engine)
    store_ratings(engine, token, [1] * 30, today.date() - dt.timedelta(days=12))
    store_ratings(engine, token, [5] * 6 + [1] * 6, today.date())
    worker = AlertWorker(engine, ServerConfig(jumps=Jumps()), tick=0.05)
    with caplog.at_level(logging.INFO, logger="sync.server.alerts"):
        worker.start()
        worker.stop()
        worker.run_once()  # a second round, as the thread keeps doing
    said = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
    assert said == [
        "alerts are listed in the web app but not sent: no [smtp] or webhook_url is set up "
        "(no server config given); see the README's Alerts section"
    ]
    [alert] = all_alerts(engine)
    assert alert["kind"] == "negative_jump"


def test_a_database_that_fails_is_logged_and_the_worker_carries_on(tmp_path, caplog):
    broken = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'server.db'}")
    worker = AlertWorker(broken, ServerConfig(alerts=settings(webhook_url="http://127.0.0.1:9/")))
    with caplog.at_level(logging.WARNING, logger="sync.server.alerts"):
        worker.run_once()
        worker.run_once()
    failures = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("alerts: checking % negative failed") for m in failures)
    assert any(m.startswith("alerts: sending alerts failed") for m in failures)
