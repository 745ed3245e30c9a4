"""The FFT report broken down by survey version, on a big trust: 2,000,000 responses over 12
months, 300 wards on 5 sites, one in eight answered in easy read and one in sixteen on the
children's version.

    python bench/report_by_survey.py [--responses 2000000] [--wards 300] [--sites 5]
                                     [--runs 20] [--postgres postgresql+psycopg://...]

``month_counts`` has no survey column, so ``by_survey`` counts the month from ``responses``.
Timed in the same run on the same database, taking turns round by round, p50 and p95 over
--runs after two warm-ups, for the last whole month at ward level: the headline report
(``month_counts`` alone), the bare SQL that counts the month per ward and rating from
``responses`` (what any count from the responses themselves costs), and the report with
``by_survey``. Target: the breakdown's p95 under 2 s, a report asked for now and then, not a
page; printed beside it, its cost against the bare SQL's (it groups by two more columns, so
about twice) and the headline report's.

Seeding is ``bench/web_pages.py``'s (rows straight into ``responses``, the running figures
filled as revision 0004's backfill does), then a share of the responses moved to the other
versions by their id. The SQLite file is kept in the temporary folder, named by the
parameters. PostgreSQL only with --postgres: give it a database of its own, as seeding empties
the server's tables in it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_pages import BASELINE, month_start, months_to, seed_wards

from sync.server import reports, schema

# Ids are uuid.UUID(int=n), so their last hex digit cycles through 0-f: 2 of 16 easy read,
# 1 of 16 children's.
EASY_READ = "UPDATE responses SET survey_id = 'fft-easy-read' WHERE substr(id, 36, 1) IN ('1', '9')"
CHILDREN = "UPDATE responses SET survey_id = 'fft-children' WHERE substr(id, 36, 1) = '4'"


def seeded(engine: Engine, responses: int) -> bool:
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT COUNT(*) FROM responses")).scalar_one()
        figures = conn.execute(sa.text("SELECT COALESCE(SUM(n), 0) FROM month_counts")).scalar()
        versions = conn.execute(
            sa.text("SELECT COUNT(DISTINCT survey_id) FROM responses")
        ).scalar_one()
    return bool(count == figures == responses and versions == 3)


def seed(engine: Engine, args: argparse.Namespace, months: list[date]) -> None:
    seed_wards(engine, args, months, then=(EASY_READ, CHILDREN))


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def measure(url: str, args: argparse.Namespace, months: list[date]) -> None:
    print(f"{url.split(':')[0]}:")
    engine = schema.open_database(url)
    if not seeded(engine, args.responses):
        print(f"  seeding {args.responses:,} responses ...", flush=True)
        started = time.perf_counter()
        seed(engine, args, months)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    first = months[-1]
    period = f"{first:%Y-%m}"
    days = {"first": first, "last": month_start(first, -1) - timedelta(days=1)}
    # The breakdown must add up to the headline figures, or its speed means nothing.
    broken = reports.fft_report(engine, period, "ward", by_survey=True)
    assert isinstance(broken, reports.FFTReportBySurvey)
    for row in broken.rows:
        assert sum(int(survey.total) for survey in row.by_survey) == row.total

    def bare() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text(BASELINE), days).fetchall()

    # Round by round, so that whatever else the machine is doing falls on all three alike.
    runs: dict[str, Callable[[], object]] = {
        "headline report (month_counts)": lambda: reports.fft_report(engine, period, "ward"),
        "baseline: bare SQL GROUP BY": bare,
        "report by survey": lambda: reports.fft_report(engine, period, "ward", by_survey=True),
    }
    taken: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(args.runs + 2):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            if round_ >= 2:  # two warm-ups
                taken[name].append((time.perf_counter() - start) * 1000)
    timings = {name: _percentiles(times) for name, times in taken.items()}
    for name, (p50, p95) in timings.items():
        print(f"  {name:32} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    base50, base95 = timings["baseline: bare SQL GROUP BY"]
    head50, _ = timings["headline report (month_counts)"]
    p50, p95 = timings["report by survey"]
    ok = p95 < 2000
    print(
        f"  by survey: p95/bare SQL p95 {p95 / base95:.2f}x, p50/bare SQL p50 {p50 / base50:.2f}x,"
        f" p50/headline p50 {p50 / head50:.1f}x   {'ok' if ok else 'OVER TARGET'}"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2_000_000)
    parser.add_argument("--wards", type=int, default=300)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each")
    parser.add_argument("--postgres", help="a PostgreSQL database of its own (it is emptied)")
    args = parser.parse_args()
    months = months_to(month_start(date.today(), 1), args.months)
    name = (
        f"ward-report-by-survey-{args.responses}-{args.wards}-{args.sites}-"
        f"{months[0]:%Y%m}-{months[-1]:%Y%m}.db"
    )
    urls = [f"sqlite:///{Path(tempfile.gettempdir()) / name}"]
    if args.postgres:
        urls.append(args.postgres)
    print(
        f"{args.responses:,} responses, {args.wards} wards on {args.sites} sites, "
        f"{months[0]:%B %Y} to {months[-1]:%B %Y}; {args.runs} runs each; "
        f"{os.cpu_count()} cores"
    )
    for url in urls:
        measure(url, args, months)
    print("target: the breakdown's p95 under 2 s")


if __name__ == "__main__":
    main()
