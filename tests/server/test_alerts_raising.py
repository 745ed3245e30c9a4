"""Raising alerts: a comment with safeguarding words or tagged very negative raises one alert,
once, however often it is handed over; a ward whose % negative jumps raises one a week.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.engine import Engine

from sync.server import devices, tagging
from sync.server.alerts import raise_for_comments
from sync.server.alerts.jumps import Window, check_jumps, jumped
from sync.server.alerts.settings import Jumps
from tests.server.alerts_kit import (
    Clock,
    all_alerts,
    kiosk,
    store_comment,
    store_ratings,
    tagged,
)
from tests.server.conftest import WARD_7

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
WARD_3 = devices.Place("RWD", "RWDLA", "Ward 3")


def _raise(engine: Engine, *comments: object) -> None:
    with engine.begin() as conn:
        raise_for_comments(conn, list(comments), NOW)  # type: ignore[arg-type]


def test_safeguarding_words_raise_an_alert_without_the_model(engine):
    token = kiosk(engine)
    words = "The night nurse HIT my father and I felt unsafe"
    rid = store_comment(engine, token, words, rating=5)
    _raise(engine, tagged(rid, words, sentiment=None))

    [alert] = all_alerts(engine)
    assert alert["kind"] == "safeguarding"
    assert alert["response_id"] == rid
    assert (alert["org_code"], alert["site_code"], alert["ward_name"]) == ("RWD", "RWDLA", "Ward 7")
    # What the alert says is about the comment, never from it.
    assert "HIT" not in alert["details"] and "unsafe" not in alert["details"]
    assert "safeguarding" in alert["details"] and "Very poor" in alert["details"]


def test_a_comment_tagged_very_negative_raises_an_alert(engine):
    token = kiosk(engine)
    words = "Waited eleven hours for a bed, nobody told us anything"
    rid = store_comment(engine, token, words, rating=4)
    _raise(engine, tagged(rid, words, sentiment=5))

    [alert] = all_alerts(engine)
    assert alert["kind"] == "very_negative"
    assert "very negative" in alert["details"] and "eleven" not in alert["details"]


def test_ordinary_comments_raise_nothing(engine):
    token = kiosk(engine)
    calm = "Lovely staff, the food was cold"
    rid = store_comment(engine, token, calm, rating=2)
    # "white" holds "hit" but not at the start of a word.
    white = "White sheets every day"
    rid2 = store_comment(engine, token, white, rating=1)
    _raise(engine, tagged(rid, calm, sentiment=4), tagged(rid2, white, sentiment=1))
    assert all_alerts(engine) == []


def test_deduplication_the_same_comment_alerts_once(engine):
    """Handed over twice (a retag, two server processes), in one call or two, and with both
    reasons at once: one alert."""
    token = kiosk(engine)
    words = "I was scared to ask for help, it was awful"
    rid = store_comment(engine, token, words)
    first = tagged(rid, words, sentiment=None)
    again = tagged(rid, words, sentiment=5)
    _raise(engine, first, first)
    _raise(engine, again)
    _raise(engine, first)

    [alert] = all_alerts(engine)
    assert alert["kind"] == "safeguarding"


def test_two_processes_raising_the_same_comment_at_once_make_one_alert(engine):
    token = kiosk(engine)
    words = "Someone hit me"
    rid = store_comment(engine, token, words)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def raise_it() -> None:
        try:
            with engine.begin() as conn:
                start.wait(10)
                raise_for_comments(conn, [tagged(rid, words)], NOW)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=raise_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    assert len(all_alerts(engine)) == 1


def test_old_comments_retagged_raise_nothing(engine):
    token = kiosk(engine)
    words = "I felt unsafe on the ward"
    long_ago = TODAY - dt.timedelta(days=45)
    rid = store_comment(engine, token, words, day=long_ago)
    _raise(engine, tagged(rid, words, sentiment=5, day=long_ago))
    assert all_alerts(engine) == []


def _answers(
    engine: Engine, token: str, place: devices.Place, day: dt.date, negative: int, positive: int
) -> None:
    ratings = [5] * negative + [1] * positive
    store_ratings(engine, token, ratings, day, place)


def _history(engine: Engine, place: devices.Place, recent_negative: int) -> None:
    """Four quiet weeks (3 of 40 answers negative), then 20 answers in the last week with
    *recent_negative* of them negative."""
    token = kiosk(engine, place)
    for days_ago, negative in ((10, 1), (15, 1), (20, 1), (30, 0)):
        _answers(engine, token, place, TODAY - dt.timedelta(days=days_ago), negative, 10 - negative)
    for days_ago in (0, 3):
        half = recent_negative // 2
        _answers(engine, token, place, TODAY - dt.timedelta(days=days_ago), half, 10 - half)


def test_a_jump_in_percent_negative_raises_one_alert_per_ward_per_week(engine):
    _history(engine, WARD_7, recent_negative=8)  # 3 of 40 (8%) -> 8 of 20 (40%)
    _history(engine, WARD_3, recent_negative=2)  # 8% -> 10%: no jump
    clock = Clock(NOW)
    with engine.begin() as conn:
        assert check_jumps(conn, clock(), Jumps()) == 1
    [alert] = all_alerts(engine)
    assert alert["kind"] == "negative_jump" and alert["ward_name"] == "Ward 7"
    assert alert["response_id"] is None
    assert alert["details"].startswith("% negative 8% \N{RIGHTWARDS ARROW} 40%")
    assert "8 of 20 in the 7 days to 20 Nov 2026" in alert["details"]

    # Checked again that day, and over the next days (into the next ISO week): still one.
    for hours in (1, 24, 48, 72):
        clock.advance(hours=hours)
        with engine.begin() as conn:
            assert check_jumps(conn, clock(), Jumps()) == 0
    assert len(all_alerts(engine)) == 1


def test_a_ward_with_too_few_answers_never_jumps(engine):
    token = kiosk(engine)
    _answers(engine, token, WARD_7, TODAY - dt.timedelta(days=12), 0, 30)
    _answers(engine, token, WARD_7, TODAY, 4, 1)  # 80% negative, but 5 answers
    with engine.begin() as conn:
        assert check_jumps(conn, NOW, Jumps()) == 0


@pytest.mark.parametrize(
    ("recent", "baseline", "rise", "expected"),
    [
        (Window(20, 5), Window(40, 4), 15, True),  # 10% -> 25%: exactly 15 points
        (Window(20, 5), Window(40, 5), 15, False),  # 12.5% -> 25%
        (Window(9, 9), Window(40, 0), 15, False),  # too few recent answers
        (Window(20, 2), Window(40, 16), 1, False),  # a fall
    ],
)
def test_the_jump_rule_from_exact_counts(recent, baseline, rise, expected):
    assert jumped(recent, baseline, Jumps(min_rise=rise)) is expected


def test_the_same_ward_in_another_week_can_alert_again(engine):
    _history(engine, WARD_7, recent_negative=8)
    with engine.begin() as conn:
        assert check_jumps(conn, NOW, Jumps()) == 1
    # A week on, the ward is still far above its baseline: a new period, a new alert.
    later = NOW + dt.timedelta(days=7)
    token = kiosk(engine, WARD_7)
    _answers(engine, token, WARD_7, TODAY + dt.timedelta(days=7), 6, 4)
    with engine.begin() as conn:
        assert check_jumps(conn, later, Jumps()) == 1
    assert [a["dedupe_key"][-8:] for a in all_alerts(engine)] == ["2026-W47", "2026-W48"]


def test_a_kiosks_safeguarding_comment_alerts_once_through_the_tagging_worker(engine):
    """Ingest, then the after-ingest worker with no model loaded: the safeguarding words
    alone raise the alert, and later rounds raise nothing more."""
    token = kiosk(engine)
    rid = store_comment(engine, token, "My dad was left afraid and alone", rating=4)
    store_comment(engine, token, "Very kind nurses", rating=1)
    assert tagging.run_once(engine, None, NOW) == 2
    assert tagging.run_once(engine, None, NOW) == 0
    [alert] = all_alerts(engine)
    assert alert["kind"] == "safeguarding" and alert["response_id"] == rid
