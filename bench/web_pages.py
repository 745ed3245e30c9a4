"""Web pages on a big trust: 2,000,000 responses over 12 months, 300 wards on 5 sites.

    python bench/web_pages.py [--responses 2000000] [--wards 300] [--sites 5] [--requests 50]
                              [--postgres postgresql+psycopg://...] [--fresh]

Each page is timed as the server sees it: in-process through FastAPI's TestClient, signed
in as an admin, from request to the last byte of HTML (p50 and p95 over --requests, after
two warm-ups). The pages: the Overview, the busiest ward's page and the NHS submission
preview, each for the last whole month, and the ward page with its comments filtered by a
framework theme (the tags, with people's corrections applied) and by theme and sentiment (a
page the web app does not serve yet is named and left out). Baseline, in the same run and on
the same database: the bare SQL that counts the month per ward and rating from
``responses``. Target: each page's p95 at most 3x the baseline's p95, and under 500 ms. On
SQLite and (with --postgres URL or WARD_TEST_POSTGRES_URL) PostgreSQL.

Seeding writes the rows straight into ``responses`` (in chunks; COPY on PostgreSQL) and then
fills the running figures as revision 0004's backfill does, with a kiosk enrolled per ward.
Every comment gets tags as the tagging worker stores them, and one in a hundred a person's
correction (added to a database seeded before tags existed, without seeding it again). The
SQLite file is kept in the temporary folder, named by the parameters, and used again while it
holds what they ask for; a PostgreSQL database is refilled only when it does not (--fresh:
always). Give PostgreSQL a database of its own: seeding empties the server's tables in it.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server import accounts, devices, schema
from sync.server.app import create_app
from sync.server.migrations.versions.r0004_figures import _backfill
from sync.server.web.pages import ROUTERS

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ADMIN = "bench.admin@trust.nhs.uk"
PASSWORD = "Benchmark password 2026"
THEMES = ["staff", "communication", "cleanliness", "food", "noise", "waiting", "privacy"]
#: Framework themes the generated tags draw from, the first most often (as staff manner is).
TAGS = [
    "Staff manner & personal attributes",
    "Timeliness of care",
    "Food & drink provision & facilities",
    "Cleanliness, tidiness & infection control",
    "Unspecified communication",
    "Pain management",
    "Sensory experience",
    "Positive experience & gratitude",
]
COLUMNS = (
    "id, device_id, batch_id, received_at, content_hash, survey_id, survey_version, "
    "answered_at, local_date, rating, answers, comment, language, mode, org_code, site_code, "
    "ward_name, flags"
)
CHUNK = 50_000
BASELINE = (
    "SELECT org_code, site_code, ward_name, rating, COUNT(*) FROM responses "
    "WHERE local_date BETWEEN :first AND :last GROUP BY 1, 2, 3, 4"
)


def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def wards(count: int, sites: int) -> list[devices.Place]:
    return [
        devices.Place("RXX", f"RXX{site + 1:02d}", f"Ward {number + 1}")
        for number in range(count)
        for site in [number % sites]
    ]


def months_to(last_month: date, count: int) -> list[date]:
    return [month_start(last_month, back) for back in range(count - 1, -1, -1)]


# -- seeding -----------------------------------------------------------------------------


def rows(
    places: list[devices.Place], device_ids: list[str], months: list[date], total: int
) -> Iterator[tuple[object, ...]]:
    """*total* responses, spread over *places* (some wards three times as busy as others)
    and *months*: a fifth with a comment, a third with theme chips, one in fifty a repeat
    tap. Ids count up, so they are appended to the primary key's index."""
    rng = random.Random(12)
    weights = [rng.uniform(0.5, 1.5) for _ in places]
    scale = total / (sum(weights) * len(months))
    number = 0
    for month in months:
        days = (month_start(month, -1) - month).days
        for index, (place, device_id) in enumerate(zip(places, device_ids, strict=True)):
            many = round(weights[index] * scale)
            if month == months[-1] and index == len(places) - 1:
                many = total - number  # the rounding's remainder, so the total is exact
            for _ in range(many):
                number += 1
                day = month + timedelta(days=rng.randrange(days))
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                    seconds=rng.randrange(8 * 3600, 21 * 3600)
                )
                themes = (
                    sorted(rng.sample(THEMES, rng.randint(1, 3))) if rng.random() < 0.33 else []
                )
                yield (
                    str(uuid.UUID(int=number)),
                    device_id,
                    "00000000-0000-4000-8000-000000000000",
                    moment,
                    f"{number:064x}",
                    "fft-inpatient",
                    1,
                    moment,
                    day,
                    rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6)),
                    json.dumps({"themes": themes}),
                    "The nurses were kind and the ward was clean" if rng.random() < 0.2 else None,
                    "en",
                    "Other",
                    place.org_code,
                    place.site_code,
                    place.ward_name,
                    '["repeat-tap"]' if rng.random() < 0.02 else "[]",
                )


def _sqlite_row(row: tuple[object, ...]) -> tuple[object, ...]:
    # As SQLAlchemy stores them on SQLite: naive UTC text, and dates as ISO text.
    def text(value: object) -> object:
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.isoformat() if isinstance(value, date) else value

    return tuple(text(value) for value in row)


def insert(engine: Engine, source: Iterator[tuple[object, ...]]) -> None:
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY responses ({COLUMNS}) FROM STDIN") as copy:
                for row in source:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(COLUMNS.split(",")))
        statement = f"INSERT INTO responses ({COLUMNS}) VALUES ({marks})"
        chunk: list[tuple[object, ...]] = []
        for row in source:
            chunk.append(_sqlite_row(row))
            if len(chunk) == CHUNK:
                conn.exec_driver_sql(statement, chunk)
                chunk = []
        if chunk:
            conn.exec_driver_sql(statement, chunk)


def seeded(engine: Engine, args: argparse.Namespace) -> bool:
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT COUNT(*) FROM responses")).scalar_one()
        kiosks = conn.execute(sa.text("SELECT COUNT(*) FROM devices")).scalar_one()
        figures = conn.execute(sa.text("SELECT COALESCE(SUM(n), 0) FROM month_counts")).scalar()
        admin = conn.execute(
            sa.text("SELECT COUNT(*) FROM users WHERE email = :email"), {"email": ADMIN}
        ).scalar_one()
    return count == figures == args.responses and kiosks == args.wards and admin == 1


def seed_wards(
    engine: Engine, args: argparse.Namespace, months: list[date], then: Sequence[str] = ()
) -> None:
    """Every table emptied; one kiosk for each of ``args.wards`` wards; ``args.responses``
    responses spread over *months*; the SQL statements *then* run on them; and the running
    figures built from them, as migration 0004 builds them."""
    with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            if table.name not in ("schema_version", "alembic_version"):
                conn.execute(sa.delete(table))
    places = wards(args.wards, args.sites)
    device_ids = []
    for place in places:
        key = devices.create_key(engine, place)
        device_id = str(uuid.uuid4())
        devices.enroll(engine, key, device_id, f"{place.ward_name} kiosk", "1.2.0")
        device_ids.append(device_id)
    insert(engine, rows(places, device_ids, months, args.responses))
    with engine.begin() as conn:
        for statement in then:
            conn.exec_driver_sql(statement)
        _backfill(conn)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def seed(engine: Engine, args: argparse.Namespace, months: list[date]) -> None:
    seed_wards(engine, args, months)
    accounts.Accounts(engine).create_user(ADMIN, "admin", PASSWORD, display_name="Bench admin")


def tag(engine: Engine) -> None:
    """Tags for every comment, as the tagging worker stores them (themes weighted to the
    first of ``TAGS``, sentiment following the rating), and one in a hundred corrected."""
    rng = random.Random(13)
    table = schema.responses
    query = sa.select(table.c.id, table.c.rating).where(table.c.comment.is_not(None))
    at = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(sa.delete(schema.tag_corrections))
        conn.execute(sa.delete(schema.comment_tags))
        found = conn.execute(query.order_by(table.c.id)).all()
        for start in range(0, len(found), CHUNK):
            tags, corrections = [], []
            for response_id, rating in found[start : start + CHUNK]:
                themes = sorted(set(rng.choices(TAGS, [4, 2, 2, 1, 1, 1, 1, 2], k=2)))
                sentiment = min(5, max(1, rating + rng.choice((-1, 0, 0, 1)))) if rating < 6 else 3
                tags.append(
                    {
                        "response_id": response_id,
                        "themes": json.dumps(themes),
                        "sentiment": sentiment,
                        "model_version": "bench",
                        "tagged_at": at,
                    }
                )
                if rng.random() < 0.01:
                    corrections.append(
                        {
                            "response_id": response_id,
                            "themes": json.dumps(themes[:1]),
                            "sentiment": sentiment,
                            "corrected_by": None,
                            "corrected_at": at,
                        }
                    )
            conn.execute(schema.comment_tags.insert(), tags)
            if corrections:
                conn.execute(schema.tag_corrections.insert(), corrections)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def tagged(engine: Engine) -> bool:
    with engine.connect() as conn:
        tags = conn.execute(sa.text("SELECT COUNT(*) FROM comment_tags")).scalar_one()
        comments = conn.execute(
            sa.text("SELECT COUNT(*) FROM responses WHERE comment IS NOT NULL")
        ).scalar_one()
    return int(tags) > 0 and int(tags) == int(comments)


def database(url: str, args: argparse.Namespace, months: list[date]) -> Engine:
    engine = schema.open_database(url)
    if args.fresh or not seeded(engine, args):
        print(f"  seeding {args.responses:,} responses ...", flush=True)
        started = time.perf_counter()
        seed(engine, args, months)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    if args.fresh or not tagged(engine):
        print("  tagging the comments ...", flush=True)
        started = time.perf_counter()
        tag(engine)
        print(f"  tagged in {time.perf_counter() - started:.0f} s", flush=True)
    return engine


# -- measuring ---------------------------------------------------------------------------


def percentiles(run: Callable[[], object], times: int) -> tuple[float, float]:
    """p50 and p95 of *run*, in ms, over *times* runs after two warm-ups."""
    for _ in range(2):
        run()
    taken = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    taken.sort()
    return statistics.median(taken), taken[max(0, round(0.95 * len(taken)) - 1)]


def signed_in(engine: Engine) -> TestClient:
    with warnings.catch_warnings():
        # Starlette's TestClient asks for httpx2; httpx works and is what FastAPI documents.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

    client = TestClient(create_app(engine, None), follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form)
    assert token, "no sign-in form"
    reply = client.post(
        "/login",
        data={"csrf_token": html.unescape(token.group(1)), "email": ADMIN, "password": PASSWORD},
    )
    assert reply.status_code == 303, reply.text
    return client


def busiest_ward(engine: Engine, first: date) -> devices.Place:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT org_code, site_code, ward_name FROM month_counts WHERE month = :month "
                "GROUP BY org_code, site_code, ward_name ORDER BY SUM(n) DESC LIMIT 1"
            ),
            {"month": first},
        ).one()
    return devices.Place(*row)


def pages(ward: devices.Place, month: str) -> list[tuple[str, str, str]]:
    """(name, route, address) of each page measured."""
    place = {"org": ward.org_code, "site": ward.site_code, "ward": ward.ward_name}
    return [
        ("Overview", "/", f"/?month={month}"),
        ("Ward page", "/ward", "/ward?" + urlencode({**place, "month": month})),
        (
            "Ward page, theme filter",
            "/ward",
            "/ward?" + urlencode({**place, "month": month, "topic": TAGS[0]}),
        ),
        (
            "Ward page, theme + sentiment",
            "/ward",
            "/ward?" + urlencode({**place, "month": month, "topic": TAGS[1], "sentiment": "4"}),
        ),
        ("NHS submission preview", "/submission", f"/submission?month={month}"),
    ]


def measure(url: str, args: argparse.Namespace, months: list[date]) -> None:
    kind = url.split(":")[0].split("+")[0]
    print(f"{kind}:", flush=True)
    engine = database(url, args, months)
    first = months[-1]
    last = month_start(first, -1) - timedelta(days=1)
    served = {getattr(route, "path", "") for router in ROUTERS for route in router.routes}
    with engine.connect() as conn:
        statement = sa.text(BASELINE)
        base = percentiles(
            lambda: conn.execute(statement, {"first": first, "last": last}).all(), args.requests
        )
    print(f"  {'baseline: bare SQL GROUP BY':<30} p50 {base[0]:7.1f} ms   p95 {base[1]:7.1f} ms")
    with signed_in(engine) as client:
        ward = busiest_ward(engine, first)
        for name, route, address in pages(ward, first.strftime("%Y-%m")):
            if route not in served:
                print(f"  {name:<30} not in the web app yet")
                continue

            def get(address: str = address) -> None:
                reply = client.get(address)
                assert reply.status_code == 200, (address, reply.status_code, reply.text[:500])

            p50, p95 = percentiles(get, args.requests)
            ratio = p95 / base[1]
            verdict = "ok" if ratio <= 3 and p95 < 500 else "MISSED"
            print(
                f"  {name:<30} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
                f"p95/baseline p95 {ratio:5.2f}x   {verdict}"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2_000_000)
    parser.add_argument("--wards", type=int, default=300)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--postgres", default=os.environ.get("WARD_TEST_POSTGRES_URL"))
    parser.add_argument("--fresh", action="store_true", help="seed again even if cached")
    args = parser.parse_args()
    months = months_to(month_start(date.today(), 1), args.months)
    name = (
        f"ward-web-pages-{args.responses}-{args.wards}-{args.sites}-"
        f"{months[0]:%Y%m}-{months[-1]:%Y%m}.db"
    )
    urls = [f"sqlite:///{Path(tempfile.gettempdir()) / name}"]
    if args.postgres:
        urls.append(args.postgres)
    else:
        print("PostgreSQL skipped: pass --postgres URL or set WARD_TEST_POSTGRES_URL")
    print(
        f"{args.responses:,} responses, {args.wards} wards on {args.sites} sites, "
        f"{months[0]:%B %Y} to {months[-1]:%B %Y}; {args.requests} requests a page; "
        f"{os.cpu_count()} cores"
    )
    for url in urls:
        measure(url, args, months)
    print("target: each page's p95 at most 3x the baseline's p95, and under 500 ms")


if __name__ == "__main__":
    main()
