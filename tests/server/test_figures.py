"""The running figures ingest keeps, and what the web pages read (sync/server/figures.py):
the figures always equal a count of the responses (random batches with retries, duplicates,
conflicts, flags and crossing batches); the pages read them and never the responses, except
one ward's comments and CSV, which use their index. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import fft
from sync.protocol import DeviceReport, Response
from sync.server import comment_tags, devices, figures, reports
from sync.server.devices import Place
from sync.server.ingest import add_counts, ingest
from sync.server.schema import audit_log, day_counts, month_counts, responses, theme_counts
from tests.server.conftest import response as wire

WARD_7 = Place("RWD", "RWDLA", "Ward 7")
WARD_8 = Place("RWD", "RWDLA", "Ward 8")
WARD_1 = Place("RWD", "RWDLB", "Ward 1")
ELSEWHERE = Place("RXX", "RXX01", "Ward A")
THEMES = ["staff", "food", "noise", "cleanliness", "waiting_time"]


def answer(place: Place = WARD_7, day: date = date(2026, 11, 10), **changes: object) -> Response:
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(
        seconds=random.randrange(36_000)
    )
    return Response.model_validate(
        wire(
            org_code=place.org_code,
            site_code=place.site_code,
            ward_name=place.ward_name,
            local_date=day.isoformat(),
            answered_at=at.isoformat(),
            **changes,
        )
    )


def ward_comments(
    engine: Engine, place: Place, first: date, last: date, **filters: Any
) -> tuple[list[figures.Comment], int]:
    """The ward's comments page without its tags: these tests are about the listing."""
    found, total = comment_tags.ward_comments(engine, place, first, last, **filters)
    return [comment for comment, _ in found], total


def kiosk_of(place: Place) -> devices.Device:
    return devices.Device(f"kiosk {place.ward_name}", *_key(place), revoked=False)


def store(engine: Engine, *items: Response, place: Place | None = None) -> None:
    place = place or Place(items[0].org_code, items[0].site_code, items[0].ward_name)
    ingest(engine, kiosk_of(place), str(uuid.uuid4()), list(items))


def report_of(report: DeviceReport) -> tuple[str, int, str | None]:
    return (report.app_version, report.pending, report.last_error)


def _key(place: Place) -> tuple[str, str, str]:
    return (place.org_code, place.site_code, place.ward_name)


# -- the running figures -----------------------------------------------------------------


def counted_afresh(engine: Engine) -> dict[str, Counter[tuple[object, ...]]]:
    """The three tables' contents worked out from a GROUP BY over ``responses``."""
    r = responses
    flagged = (r.c.flags != "[]").label("flagged")
    group = [r.c.org_code, r.c.site_code, r.c.ward_name, r.c.local_date, r.c.rating, r.c.mode]
    query = sa.select(*group, flagged, r.c.device_id, r.c.answers, sa.func.count().label("n"))
    query = query.group_by(*group, flagged, r.c.device_id, r.c.answers)
    found: dict[str, Counter[tuple[object, ...]]] = {
        "month_counts": Counter(),
        "day_counts": Counter(),
        "theme_counts": Counter(),
    }
    with engine.connect() as conn:
        for row in conn.execute(query):
            ward, day, flag = tuple(row[:3]), row.local_date, bool(row.flagged)
            month = (*ward, day.replace(day=1), row.rating, row.mode, flag, row.device_id)
            found["month_counts"][month] += row.n
            found["day_counts"][(*ward, day, row.rating, flag, row.device_id)] += row.n
            for theme in set(json.loads(row.answers).get("themes", [])):
                found["theme_counts"][(*ward, day, theme, flag, row.device_id)] += row.n
    return found


def kept(engine: Engine) -> dict[str, Counter[tuple[object, ...]]]:
    found = {}
    with engine.connect() as conn:
        for table in (month_counts, day_counts, theme_counts):
            rows = conn.execute(sa.select(table)).all()
            assert all(row.n > 0 for row in rows)
            found[table.name] = Counter({tuple(row[:-1]): row.n for row in rows})
    return found


def random_answer(rng: random.Random, place: Place) -> Response:
    chips = rng.sample(THEMES, rng.randint(0, 3))
    return answer(
        place,
        date(2025, 12, 1) + timedelta(days=rng.randrange(360)),
        rating=rng.randint(1, 6),
        mode=rng.choice(["Other", "Online"]),
        answers={"themes": chips + chips[:1]},  # a chip twice counts once
        flags=["repeat-tap"] if rng.random() < 0.2 else [],
        comment=rng.choice([None, "Kind staff"]),
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_running_figures_always_equal_a_count_of_the_responses(engine, seed):
    rng = random.Random(seed)
    wards = [WARD_7, WARD_8, WARD_1, ELSEWHERE]
    sent: dict[Place, list[Response]] = {place: [] for place in wards}
    for _ in range(25):
        place = rng.choice(wards)
        fresh = [random_answer(rng, place) for _ in range(rng.randint(1, 40))]
        again = rng.sample(sent[place], min(len(sent[place]), rng.randint(0, 10)))
        clashes = [
            item.model_copy(update={"rating": item.rating % 6 + 1})
            for item in rng.sample(sent[place], min(len(sent[place]), rng.randint(0, 3)))
            if item not in again
        ]
        stray = [random_answer(rng, rng.choice([w for w in wards if w != place]))]
        batch = fresh + again + clashes + stray
        rng.shuffle(batch)
        batch_id = str(uuid.uuid4())
        result = ingest(engine, kiosk_of(place), batch_id, batch)
        assert sorted(result.accepted) == sorted(str(item.id) for item in fresh)
        if rng.random() < 0.3:  # the reply was lost: the kiosk sends the batch again
            assert ingest(engine, kiosk_of(place), batch_id, batch).accepted == []
        sent[place] += fresh
    # Batches of one ward crossing, sharing ids in opposite orders.
    shared = [random_answer(rng, WARD_7) for _ in range(60)]
    start, errors = threading.Barrier(4), []

    def push(order: list[Response]) -> None:
        start.wait()
        try:
            ingest(engine, kiosk_of(WARD_7), str(uuid.uuid4()), order)
        except BaseException as exc:
            errors.append(exc)

    orders = [shared, shared[::-1], shared[::2], shared[1::2][::-1]]
    threads = [threading.Thread(target=push, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kept(engine) == counted_afresh(engine)
    assert sum(kept(engine)["day_counts"].values()) == sum(map(len, sent.values())) + 60


# -- what the pages read -----------------------------------------------------------------


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """Every statement run on *engine* meanwhile, with its parameters as the driver got them."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_no_page_but_comments_and_csv_reads_the_responses(engine):
    store(engine, answer(), answer(rating=4, answers={"themes": ["noise"]}))
    devices.create_key(engine, WARD_8)
    november = (date(2026, 11, 1), date(2026, 11, 30))
    with statements(engine) as seen:
        figures.wards_for_month(engine, date(2026, 11, 1), None)
        figures.sites(engine, None)
        figures.known_wards(engine, frozenset({WARD_7}))
        figures.ward_daily(engine, WARD_7, *november)
        figures.ward_themes(engine, WARD_7, *november)
        figures.submission(engine, "2026-11")
        figures.kiosks(engine, None)
        reports.fft_report(engine, "2026-11", "ward")
    assert seen and not [s for s, _ in seen if re.search(r"\bresponses\b", s)]


def test_every_known_ward_is_in_the_month_with_its_trend_and_change(engine):
    store(engine, *[answer(rating=r) for r in (1, 1, 1, 1, 2, 4, 4, 6)])  # 5 of 8 positive
    store(engine, answer(rating=1, flags=["repeat-tap"]))
    october = date(2026, 10, 3)
    store(engine, *[answer(day=october, rating=r) for r in (1, 4, 5)])  # 1 of 3
    store(engine, answer(WARD_1, date(2025, 12, 1)), answer(WARD_1, date(2025, 11, 30)))
    devices.create_key(engine, WARD_8)
    gone = devices.create_key(engine, ELSEWHERE)
    devices.revoke_key(engine, devices.list_keys(engine)[-1]["id"])
    assert gone
    rows = figures.wards_for_month(engine, date(2026, 11, 20), None)
    assert [row.place for row in rows] == [WARD_7, WARD_8, WARD_1]
    ward_7, ward_8, ward_1 = rows
    assert ward_7.counts.by_code == {1: 4, 2: 1, 3: 0, 4: 2, 5: 0, 6: 1}
    assert ward_7.counts.excluded == 1 and ward_7.previous.total == 3
    assert ward_7.change_positive == Decimal("29.2")  # 62.5% - 33.3...%, from exact counts
    assert len(ward_7.trend) == 12 and ward_7.trend[-1] == ward_7.counts
    assert ward_7.trend[-2] == ward_7.previous and not ward_7.no_responses
    assert ward_8.no_responses and ward_8.change_positive is None
    # December 2025 is the trend's first month; November 2025 is out of it.
    assert [c.total for c in ward_1.trend] == [1] + [0] * 11 and ward_1.no_responses
    assert [
        r.place for r in figures.wards_for_month(engine, date(2026, 11, 1), None, ("RWD", "RWDLB"))
    ] == [WARD_1]
    mine = figures.wards_for_month(engine, date(2026, 11, 1), frozenset({WARD_8}))
    assert [row.place for row in mine] == [WARD_8]
    assert figures.wards_for_month(engine, date(2026, 11, 1), frozenset()) == []


def test_a_fall_in_positive_is_negative_and_rounded_half_away_from_zero():
    def month(positive: int, total: int) -> fft.FFTCounts:
        return fft.FFTCounts.from_mapping({1: positive, 6: total - positive})

    row = figures.WardMonth(WARD_7, month(1, 8), month(1, 5), ())
    assert row.change_positive == Decimal("-7.5")  # 12.5% - 20%
    same = figures.WardMonth(WARD_7, month(1, 3), month(2, 6), ())
    assert same.change_positive == Decimal("0.0") and not same.change_positive.is_signed()


def test_sites_and_known_wards_keep_to_the_scope(engine):
    store(engine, answer(WARD_1, date(2024, 5, 1)))  # long ago still counts as known
    devices.create_key(engine, WARD_8)
    key = devices.create_key(engine, ELSEWHERE)
    devices.enroll(engine, key, str(uuid.uuid4()), "tablet", "1")
    assert figures.known_wards(engine, None) == [WARD_8, WARD_1, ELSEWHERE]
    assert figures.sites(engine, None) == [("RWD", "RWDLA"), ("RWD", "RWDLB"), ("RXX", "RXX01")]
    assert figures.known_wards(engine, frozenset({WARD_1, WARD_7})) == [WARD_1]
    assert figures.sites(engine, frozenset({ELSEWHERE})) == [("RXX", "RXX01")]
    assert figures.sites(engine, frozenset()) == []


def test_a_wards_days_and_themes_leave_flagged_responses_out(engine):
    day = date(2026, 11, 10)
    store(
        engine,
        answer(day=day, rating=1, answers={"themes": ["staff", "food"]}),
        answer(day=day, rating=5, answers={"themes": ["food"]}),
        answer(day=day, rating=5, answers={"themes": ["noise"]}, flags=["repeat-tap"]),
        answer(day=day + timedelta(days=2), rating=2, answers={"themes": []}),
        answer(day=day - timedelta(days=30), rating=2),
    )
    store(engine, answer(WARD_8, day, answers={"themes": ["noise"]}))
    daily = figures.ward_daily(engine, WARD_7, date(2026, 11, 1), date(2026, 11, 30))
    assert list(daily) == [day, day + timedelta(days=2)]
    assert daily[day].by_code[5] == 1 and daily[day].total == 2 and daily[day].excluded == 1
    themes = figures.ward_themes(engine, WARD_7, date(2026, 11, 1), date(2026, 11, 30))
    assert themes == {"food": 2, "staff": 1} and list(themes) == ["food", "staff"]


def test_comments_newest_first_searched_filtered_and_paged(engine):
    day = date(2026, 11, 10)
    texts = ["Kind NURSES", "100% clean", "noisy_night", "Cold food", "kind porter"]
    for offset, text in enumerate(texts):
        store(
            engine,
            answer(
                day=day + timedelta(days=offset),
                rating=offset + 1,
                comment=text,
                answers={"themes": ["food"] if "food" in text else ["staff"]},
                flags=["repeat-tap"] if offset == 4 else [],
            ),
        )
    store(engine, answer(comment=None), answer(comment=""), answer(WARD_8, comment="kind"))
    period = (date(2026, 11, 1), date(2026, 11, 30))
    everything, total = ward_comments(engine, WARD_7, *period)
    assert [c.comment for c in everything] == texts[::-1] and total == 5
    assert everything[0].flagged and not everything[1].flagged
    assert everything[0].answered_at.tzinfo is not None and everything[0].themes == ("staff",)
    kind, total = ward_comments(engine, WARD_7, *period, search="KIND")
    assert [c.comment for c in kind] == ["kind porter", "Kind NURSES"] and total == 2
    assert [c.comment for c in ward_comments(engine, WARD_7, *period, search="0%")[0]] == [
        "100% clean"
    ]
    assert ward_comments(engine, WARD_7, *period, search="y_n")[1] == 1
    assert ward_comments(engine, WARD_7, *period, search="y%n")[1] == 0
    assert ward_comments(engine, WARD_7, *period, search="_")[1] == 1
    rated, total = ward_comments(engine, WARD_7, *period, ratings=frozenset({2, 4}))
    assert [c.rating for c in rated] == [4, 2] and total == 2
    assert ward_comments(engine, WARD_7, *period, ratings=frozenset())[1] == 0
    food, total = ward_comments(engine, WARD_7, *period, chip="food")
    assert [c.comment for c in food] == ["Cold food"] and total == 1
    page, total = ward_comments(engine, WARD_7, *period, limit=2, offset=2)
    assert [c.comment for c in page] == ["100% clean", "noisy_night"][::-1] and total == 5


def test_the_wards_csv_has_every_response_of_the_period_and_no_formula(engine):
    store(
        engine,
        answer(
            rating=4,
            comment='=HYPERLINK("http://x")',
            flags=["repeat-tap"],
            answers={"themes": ["staff", "noise"]},
        ),
    )
    store(engine, answer(day=date(2026, 10, 31)), answer(WARD_8))
    text = figures.ward_responses_csv(engine, WARD_7, date(2026, 11, 1), date(2026, 11, 30))
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["id", "answered_at", "local_date", "rating", "answer"]
    assert len(rows) == 1 and rows[0][3:] == [
        "4",
        "Poor",
        "staff; noise",
        '\'=HYPERLINK("http://x")',
        "en",
        "Other",
        "repeat-tap",
    ]


def test_the_submission_true_and_published_and_who_marked_it(engine):
    store(engine, *[answer(rating=1) for _ in range(9)], answer(flags=["repeat-tap"]))
    store(engine, answer(WARD_8, rating=5), answer(WARD_8, rating=5))
    made = figures.submission(engine, "2026-11")
    assert made.excluded == 1 and made.marked == []
    ward_8 = made.true["ward"].rows[1]
    assert ward_8.ward_name == "Ward 8" and ward_8.counts["5"] == 2
    assert made.published["ward"].rows[1].counts["5"] == fft.SUPPRESSED
    assert made.published["ward"].rows[0].counts["1"] == fft.SUPPRESSED  # second level
    assert made.true["org"].rows[0].total == 11 and made.published["org"].rows[0].total == 11
    figures.mark_submitted(engine, "2026-11", None, "lead@trust.nhs.uk")
    marked = figures.submission(engine, "2026-11").marked
    assert [who for who, _ in marked] == ["lead@trust.nhs.uk"]
    assert abs(marked[0][1] - datetime.now(UTC)) < timedelta(minutes=1)
    with engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log)).one()
    assert entry.actor == "lead@trust.nhs.uk" and "2026-11" in entry.detail
    with pytest.raises(fft.PeriodError):
        figures.mark_submitted(engine, "November", None, "x")


def test_kiosks_with_what_they_said_and_whether_they_went_silent(engine):
    key = devices.create_key(engine, WARD_7)
    quiet, busy = str(uuid.uuid4()), str(uuid.uuid4())
    devices.enroll(engine, key, quiet, "Bay 1", "1.0")
    token, _ = devices.enroll(engine, key, busy, "Bay 2", "1.0")
    other = devices.create_key(engine, WARD_8)
    devices.enroll(engine, other, str(uuid.uuid4()), "Ward 8 tablet", "1.0")
    report = DeviceReport(app_version="1.1", pending=3, last_error="no network")
    ingest(engine, token, str(uuid.uuid4()), [answer()], report)
    found = {k.name: k for k in figures.kiosks(engine, frozenset({WARD_7}))}
    assert list(found) == ["Bay 1", "Bay 2"] and found["Bay 1"].place == WARD_7
    said = found["Bay 2"]
    assert (said.app_version, said.pending_on_device, said.last_sync_error) == report_of(report)
    assert said.last_batch_at == said.last_seen_at and said.last_batch_at is not None
    assert said.last_batch_at.tzinfo is not None and found["Bay 1"].last_seen_at is None
    later = datetime.now(UTC) + timedelta(hours=25)
    assert found["Bay 1"].silent(later) and not found["Bay 1"].silent(datetime.now(UTC))
    devices.revoke_device(engine, quiet)
    assert not next(k for k in figures.kiosks(engine, None) if k.name == "Bay 1").silent(later)
    assert len(figures.kiosks(engine, None)) == 3


# -- one ward of 100,000 responses -------------------------------------------------------


@pytest.mark.slow
def test_a_busy_wards_comments_come_from_its_index_quickly(engine):
    rng, start = random.Random(7), date(2025, 12, 1)
    rows = []
    for i in range(200_000):
        place = WARD_7 if i % 2 else rng.choice([WARD_8, WARD_1])
        day = start + timedelta(days=rng.randrange(360))
        rows.append(
            {
                "id": str(uuid.UUID(int=i)),
                "device_id": "d",
                "batch_id": "b",
                "received_at": datetime.now(UTC),
                "content_hash": "h",
                "survey_id": "fft",
                "survey_version": 1,
                "answered_at": datetime(
                    day.year, day.month, day.day, 12, rng.randrange(60), tzinfo=UTC
                ),
                "local_date": day,
                "rating": rng.randint(1, 6),
                "answers": '{"themes":["staff"]}',
                "comment": rng.choice([None, "kind staff", "cold"]),
                "language": "en",
                "mode": "Other",
                **dict(zip(("org_code", "site_code", "ward_name"), _key(place), strict=True)),
                "flags": "[]",
            }
        )
    with engine.begin() as conn:
        for chunk in range(0, len(rows), 5000):
            conn.execute(responses.insert(), rows[chunk : chunk + 5000])
        add_counts(conn, rows)
        conn.exec_driver_sql("ANALYZE")
    year, november = (start, date(2026, 11, 30)), (date(2026, 11, 1), date(2026, 11, 30))
    for period in (year, november):
        began = time.perf_counter()
        page, total = ward_comments(engine, WARD_7, *period, search="kind")
        assert time.perf_counter() - began < 1.0 and len(page) == 50
        assert total == sum(1 for r in rows if _is(r, period) and r["comment"] == "kind staff")
    # Over a year this ward is half the table, so the database may rightly read it all; for
    # a month it must go by the ward's index (the page newest first, stopping at its end).
    with statements(engine) as seen:
        ward_comments(engine, WARD_7, *november, ratings=frozenset({1, 2}))
        figures.ward_responses_csv(engine, WARD_7, *november)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        for statement, parameters in seen:
            plan = str(conn.exec_driver_sql(explain + statement, parameters).all())  # type: ignore[arg-type]
            assert "responses_by_ward_date" in plan, (statement, plan)


def _is(row: dict[str, object], period: tuple[date, date]) -> bool:
    return row["ward_name"] == "Ward 7" and period[0] <= row["local_date"] <= period[1]  # type: ignore[operator]
