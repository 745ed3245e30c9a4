"""Staff figures on a big store: each period query on 1,000,000 responses, and the dashboard.

    python bench/staff_stats.py [--count 1000000]

The store holds two years of a busy ward: a fifth of responses with a comment, a third with
theme chips, one in fifty flagged as a repeat tap. For each period staff can pick, every query
the results screen runs is timed (median of 5). Baseline, in the same run: a full scan,
``SELECT count(*) FROM responses``. Then the staff dashboard is built and shown (offscreen)
on the same store, from the PIN being accepted to the results painted. Targets: every
period query under 50 ms; the dashboard within 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from kiosk.store import LocalStore
from sync.fft import period

THEMES = ["staff", "communication", "cleanliness", "food", "noise", "waiting", "privacy"]


def seed(store: LocalStore, count: int, today: date) -> None:
    rng = random.Random(1)
    # Two years up to the end of today, so every period has its share.
    start = datetime.combine(today - timedelta(days=729), datetime.min.time(), UTC)
    step = timedelta(days=730) / count
    rows = []
    for i in range(count):
        moment = start + step * i
        themes = rng.sample(THEMES, rng.randint(1, 3)) if rng.random() < 0.33 else []
        rows.append(
            (
                str(uuid.uuid4()),
                moment.isoformat(timespec="milliseconds"),
                moment.date().isoformat(),
                rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6]),
                json.dumps({"themes": sorted(themes)}) if themes else "{}",
                "The nurses were kind" if rng.random() < 0.2 else None,
                '["repeat-tap"]' if rng.random() < 0.02 else "[]",
            )
        )
        if len(rows) == 50_000:
            _insert(store, rows)
            rows = []
    _insert(store, rows)


def _insert(store: LocalStore, rows: list[tuple[object, ...]]) -> None:
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date,"
            " rating, answers, comment, language, mode, org_code, site_code, ward_name, flags,"
            " finished_at, sync_state) VALUES (?, 'fft-inpatient', 1, ?, ?, ?, ?, ?, 'en',"
            " 'Other', 'RWD', 'RWDLA', 'Ward 7', ?, ?, 'sent')",
            [(*row[:6], row[6], row[1]) for row in rows],
        )


def timed(run: Callable[[], object]) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()
    today = date(2026, 11, 26)
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        store = LocalStore(Path(tmp) / "kiosk.db")
        seed(store, args.count, today)
        store.db.execute("ANALYZE")
        baseline = timed(lambda: store.db.execute("SELECT count(*) FROM responses").fetchone())
        print(f"{args.count} responses; baseline full count(*) scan {baseline:.1f} ms")
        worst = 0.0
        for name in ("today", "last-7-days", "this-month", "last-month"):
            first, last = period(name, today)
            queries = {
                "counts": store.counts,
                "daily": store.daily_counts,
                "comments": store.comments,
                "themes": store.theme_counts,
            }
            figures = {
                label: timed(partial(query, first, last)) for label, query in queries.items()
            }
            worst = max(worst, *figures.values())
            print(
                f"{name:<12} "
                + "   ".join(f"{label} {ms:6.1f} ms" for label, ms in figures.items())
            )
        dashboard = time_dashboard(store)
        store.close()
    print(f"slowest period query {worst:.1f} ms (target: under 50 ms)")
    print(f"dashboard shown in {dashboard:.0f} ms, first time, 1280x800 (target: 300 ms)")


def time_dashboard(store: LocalStore) -> float:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.config import DEMO
    from kiosk.settings import WardSettings
    from kiosk.survey import load_survey
    from kiosk.ui.fonts import load_fonts
    from kiosk.ui.theme import Look

    app = QApplication.instance() or QApplication([])
    load_fonts()
    survey = load_survey("fft-inpatient")
    start = time.perf_counter()
    from kiosk.ui.staff.dashboard import StaffScreen

    screen = StaffScreen(
        store, DEMO, survey, lambda: date(2026, 11, 26), WardSettings(), survey.languages
    )
    screen.setStyleSheet(Look().for_window(1280, 800).stylesheet())
    screen.resize(1280, 800)
    screen.show()
    screen.repaint()
    app.processEvents()
    elapsed = (time.perf_counter() - start) * 1000
    screen.close()
    return elapsed


if __name__ == "__main__":
    main()
