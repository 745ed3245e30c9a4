"""Server ingest under load: 200 simulated kiosks post 50-response batches at once for 20 s.

    python bench/server_ingest.py [--kiosks 200] [--seconds 20] [--interval 2] [--workers 2]
                                  [--postgres postgresql+psycopg://...]

The server runs as ``ward-sync-server serve`` in its own processes, on loopback. The kiosks
are one asyncio process with a keep-alive connection each, sending pre-built requests so the
load generator costs little CPU. Each kiosk posts a batch every ``--interval`` seconds from a
random start, so 200 kiosks offer 5,000 responses/s. Latency runs from when a batch was due,
not when it was sent, so a server that falls behind cannot hide it. Reported: responses
stored per second, p50/p99 batch latency, on SQLite and (with a URL or
WARD_TEST_POSTGRES_URL) PostgreSQL. Target: 5,000 responses/s with p99 under 250 ms on a
2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from sync.server import devices, schema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.sync_backlog import start_server
from tests.server import queries

ITEM = {
    "survey_id": "fft-inpatient",
    "survey_version": 1,
    "local_date": "2026-11-10",
    "answers": {"themes": ["staff"]},
    "comment": None,
    "language": "en",
    "mode": "Other",
    "org_code": "RWD",
    "site_code": "RWDLA",
    "ward_name": "Ward 7",
    "flags": [],
}


def request_bytes(port: int, token: str, size: int) -> bytes:
    start = datetime(2026, 11, 10, 8, tzinfo=UTC)
    items = [
        {
            **ITEM,
            "id": str(uuid.uuid4()),
            "rating": i % 6 + 1,
            "answered_at": (start + timedelta(seconds=i)).isoformat(),
        }
        for i in range(size)
    ]
    body = json.dumps({"batch_id": str(uuid.uuid4()), "responses": items}).encode()
    head = (
        f"POST /api/v1/responses/batch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def kiosk(
    port: int,
    requests_: list[bytes],
    start: float,
    interval: float,
    deadline: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for number, payload in enumerate(requests_):
        due = start + number * interval
        if due > deadline:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        writer.write(payload)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - due)
        if b" 200 " not in status_line:
            failures.append(int(status_line.split()[1]))
    writer.close()


async def load(
    port: int, plans: list[list[bytes]], seconds: float, interval: float
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    failures: list[int] = []
    now = time.perf_counter()
    deadline = now + seconds
    phases = [now + interval * i / len(plans) for i in range(len(plans))]
    await asyncio.gather(
        *(
            kiosk(port, plan, phase, interval, deadline, latencies, failures)
            for plan, phase in zip(plans, phases, strict=True)
        )
    )
    return latencies, failures


def run(url: str, kiosks: int, seconds: float, interval: float, workers: int, size: int) -> str:
    engine = schema.open_database(url)
    with engine.begin() as conn:  # a clean slate for every run
        for table in schema.metadata.sorted_tables:
            if table.name in ("responses", "batches", "month_counts", "day_counts", "theme_counts"):
                conn.execute(sa.delete(table))
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    tokens = [
        devices.enroll(engine, key, str(uuid.uuid4()), f"k{i}", "0")[0] for i in range(kiosks)
    ]
    engine.dispose()
    server, base = start_server(url, workers)
    port = int(base.rsplit(":", 1)[1])
    try:
        per_kiosk = int(seconds / interval) + 1
        plans = [[request_bytes(port, t, size) for _ in range(per_kiosk)] for t in tokens]
        started = time.perf_counter()
        latencies, failures = asyncio.run(load(port, plans, seconds, interval))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    engine = schema.open_database(url)
    stored = queries.count_responses(engine)
    engine.dispose()
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(0.99 * (len(ordered) - 1))] * 1000
    return (
        f"{url.split(':')[0]:<19} {workers} worker{'s' if workers > 1 else ' '} "
        f"{stored / elapsed:6.0f} responses/s   "
        f"p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   batches {len(latencies)}   "
        f"failed {len(failures)}   stored {stored}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between batches")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="uvicorn workers (default: 1 on SQLite, which has one writer; 3 on PostgreSQL)",
    )
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("WARD_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        urls = [f"sqlite:///{Path(tmp) / 'server.db'}"]
        if args.postgres:
            urls.append(args.postgres)
        else:
            print("PostgreSQL skipped: pass --postgres URL or set WARD_TEST_POSTGRES_URL")
        offered = args.kiosks * args.size / args.interval
        print(
            f"{args.kiosks} kiosks, {args.size}-response batches every {args.interval:g} s "
            f"(offered {offered:.0f} responses/s), {args.seconds:.0f} s, "
            f"{os.cpu_count()} cores"
        )
        for url in urls:
            workers = args.workers or (1 if url.startswith("sqlite") else 3)
            print(run(url, args.kiosks, args.seconds, args.interval, workers, args.size))
    print("target: at least 5,000 responses/s with p99 under 250 ms")


if __name__ == "__main__":
    main()
