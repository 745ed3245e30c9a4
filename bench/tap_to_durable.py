"""Tap to durable: how long recording one rating takes, against a bare sqlite3 INSERT+COMMIT.

    python bench/tap_to_durable.py [--count 2000]

Both sides use the same file system, the same schema and the same pragmas (WAL,
synchronous=FULL), interleaved in rounds so machine noise falls on both. Target: LocalStore's
p99 at most 2x the bare p99.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.store import LocalStore, Origin

ORIGIN = Origin("fft-inpatient", 1, "RWD", "RWDLA", "Ward 7", "Other", ZoneInfo("Europe/London"))
INSERT = (
    "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date, rating,"
    " language, mode, org_code, site_code, ward_name, flags)"
    " VALUES (?, 'fft-inpatient', 1, ?, '2026-11-26', ?, 'en', 'Other', 'RWD', 'RWDLA',"
    " 'Ward 7', '[]')"
)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="records per side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        store = LocalStore(Path(tmp) / "kiosk.db")
        # The bare side gets the kiosk's own schema, then plain sqlite3 with the same pragmas.
        LocalStore(Path(tmp) / "bare.db").close()
        bare = sqlite3.connect(Path(tmp) / "bare.db", isolation_level=None)
        for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = FULL"):
            bare.execute(f"PRAGMA {pragma}")

        kiosk_times: list[float] = []
        bare_times: list[float] = []
        per_round = args.count // args.rounds
        for _ in range(args.rounds):
            for i in range(per_round):
                start = time.perf_counter()
                store.record(i % 6 + 1, ORIGIN, language="en")
                kiosk_times.append(time.perf_counter() - start)
            for i in range(per_round):
                start = time.perf_counter()
                bare.execute("BEGIN")
                bare.execute(INSERT, [str(uuid.uuid4()), "2026-11-26T10:00:00Z", i % 6 + 1])
                bare.execute("COMMIT")
                bare_times.append(time.perf_counter() - start)
        store.close()
        bare.close()

    def line(name: str, samples: list[float]) -> str:
        return (
            f"{name:<24} p50 {statistics.median(samples) * 1000:7.3f} ms"
            f"   p99 {percentile(samples, 0.99) * 1000:7.3f} ms   (n={len(samples)})"
        )

    print(line("LocalStore.record", kiosk_times))
    print(line("bare INSERT+COMMIT", bare_times))
    p50 = statistics.median(kiosk_times) / statistics.median(bare_times)
    p99 = percentile(kiosk_times, 0.99) / percentile(bare_times, 0.99)
    print(f"ratio p50 {p50:.2f}x   p99 {p99:.2f}x   (target: p99 at most 2x)")


if __name__ == "__main__":
    main()
