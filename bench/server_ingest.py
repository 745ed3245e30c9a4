"""Server ingest under load: 200 simulated kiosks post 50-response batches at once for 20 s.

    python bench/server_ingest.py [--kiosks 200] [--seconds 20] [--interval 2] [--workers 2]
                                  [--postgres postgresql+psycopg://...]
                                  [--tagging off|on|both] [--comments 0.4] [--repeat 1]

The server runs as ``ward-sync-server serve`` in its own processes, on loopback. The kiosks
are one asyncio process with a keep-alive connection each, sending pre-built requests so the
load generator costs little CPU. Each kiosk posts a batch every ``--interval`` seconds from a
random start, so 200 kiosks offer 5,000 responses/s. Latency runs from when a batch was due,
not when it was sent, so a server that falls behind cannot hide it. Reported: responses
stored per second, p50/p99 batch latency, on SQLite and (with a URL or
WARD_TEST_POSTGRES_URL) PostgreSQL. Target: 5,000 responses/s with p99 under 250 ms on a
2-core machine.

``--comments`` is the share of responses with a comment; ``--tagging both`` (the default)
runs the server without and with its background comment tagging, alternately ``--repeat``
times each, and prints the medians and their ratios to the first: the tagging must leave
ingest as it was. ``--tagging all`` adds, first, "before": no tagging and without the index
of commented responses that revision 0005 added, i.e. the server as it was before tagging.
"tagged" is how many comments the workers had tagged when the load stopped.

Every run starts from empty tables, so on PostgreSQL the 100,000 rows a run adds are far past
autovacuum's thresholds (a tenth of a table for analyze, a fifth for vacuum) and it works on
those tables during the load; on a server whose tables hold millions of rows a burst of this
size would not set it off. On two cores that is about 150 ms of p99 (tagging off, three
alternations: 406 ms with it, 248 ms without). ``--pause-autovacuum`` turns it off for those
tables for the runs (and back on after), to measure ingest as a big server would see it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from sync.server import devices, schema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.embedded_server import free_port
from tests.server import queries

# Comments made of a few everyday phrases each, so the tagger does the work real ones ask of
# it; none holds a safeguarding word.
PHRASES = (
    "The nurses were kind and caring",
    "food was cold by the time it arrived",
    "waited four hours to be seen",
    "the ward was clean and quiet at night",
    "nobody explained my medication to me",
    "parking was expensive and hard to find",
    "doctors listened and answered every question",
    "discharge took all day",
    "staff seemed rushed off their feet",
    "thank you to everyone on the ward",
    "the call bell was not answered for ages",
    "visiting hours were too short for my family",
)

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


def comment(chance: random.Random, share: float) -> str | None:
    if chance.random() >= share:
        return None
    return ", ".join(chance.sample(PHRASES, chance.randint(1, 3))).capitalize() + "."


def request_bytes(
    port: int, token: str, size: int, share: float = 0.0, chance: random.Random | None = None
) -> bytes:
    start = datetime(2026, 11, 10, 8, tzinfo=UTC)
    chance = chance or random.Random(0)
    items = [
        {
            **ITEM,
            "id": str(uuid.uuid4()),
            "rating": i % 6 + 1,
            "answered_at": (start + timedelta(seconds=i)).isoformat(),
            "comment": comment(chance, share),
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


def start_server(url: str, workers: int, tagging: bool) -> tuple[subprocess.Popen[bytes], int]:
    """``ward-sync-server serve`` in its own process(es) on a free loopback port, once healthy."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "sync.server", "serve", "--db", url, "--port", str(port)),
            *("--workers", str(workers), "--tagging" if tagging else "--no-tagging"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "WARD_SYNC_ADMIN_TOKEN": ""},
    )
    deadline = time.monotonic() + 120  # several workers on a busy machine start slowly
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /api/v1/health HTTP/1.0\r\n\r\n")
                if b" 200 " in probe.recv(100):
                    return process, port
        except OSError:
            pass
        time.sleep(0.05)
    process.terminate()
    process.wait()
    raise SystemExit("the server did not start within 2 minutes")


def _wait_for_tagger(engine: sa.Engine, launched: datetime) -> None:
    """Until the server's tagging worker has loaded its model and started its child process
    (it then writes tagger_status): start-up is not what is measured."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            checked = conn.execute(sa.select(schema.tagger_status.c.checked_at)).scalar()
        if checked is not None and checked.replace(tzinfo=checked.tzinfo or UTC) >= launched:
            return
        time.sleep(0.1)
    raise SystemExit("the server's comment tagging did not start within 2 minutes")


def _tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds used so far by process *pid* and every process under it (Linux /proc);
    None where /proc cannot tell."""
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        # Its own time and its ended children's, so a child that ends takes nothing away.
        used[int(entry.name)] = sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
    if pid not in used:
        return None
    total, waiting = 0.0, [pid]
    while waiting:
        current = waiting.pop()
        total += used.get(current, 0.0)
        waiting.extend(children.get(current, ()))
    return total


def _wait_until_settled(pid: int) -> None:
    """Until the server's processes, all of them, have finished starting (each uvicorn
    worker and its tagging child loading its model): less than 5% of a core for a second."""
    deadline = time.monotonic() + 120
    before = _tree_cpu_seconds(pid)
    while before is not None and time.monotonic() < deadline:
        time.sleep(1.0)
        after = _tree_cpu_seconds(pid)
        if after is None or after - before < 0.05:
            return
        before = after
    if before is not None:
        print("warning: the server was still busy 2 minutes after it started; measuring anyway")


def _comment_index(engine: sa.Engine, wanted: bool) -> None:
    """Drop revision 0005's index of commented responses (the one thing tagging adds to
    each insert) for the "before" baseline, or put it back."""
    index = next(i for i in schema.responses.indexes if i.name == "responses_commented_by_batch")
    with engine.begin() as conn:
        if wanted:
            index.create(conn, checkfirst=True)
        else:
            index.drop(conn, checkfirst=True)


def _clean_slate(engine: sa.Engine) -> None:
    """Empty what the last run filled. PostgreSQL truncates: rows deleted would stay behind
    as dead tuples that the next run's inserts and autovacuum wade through, so each run
    would start slower than the one before."""
    tables = [
        table
        for table in schema.metadata.sorted_tables
        if table.name in (
            "responses", "batches", "month_counts", "day_counts", "theme_counts",
            "comment_tags", "alerts", "alert_deliveries",
        )
    ]  # fmt: skip
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in tables)}"))
        else:
            for table in reversed(tables):
                conn.execute(sa.delete(table))


#: The tables a run fills; on PostgreSQL, ``--pause-autovacuum`` pauses autovacuum on them.
FILLED = (
    "responses", "batches", "month_counts", "day_counts", "theme_counts", "comment_tags",
    "devices",
)  # fmt: skip


def _autovacuum(url: str, enabled: bool) -> None:
    """Turn autovacuum on or off for the tables a run fills (PostgreSQL only)."""
    engine = schema.open_database(url)
    with engine.begin() as conn:
        for name in FILLED:
            if enabled:
                conn.execute(sa.text(f"ALTER TABLE {name} RESET (autovacuum_enabled)"))
            else:
                conn.execute(sa.text(f"ALTER TABLE {name} SET (autovacuum_enabled = false)"))
    engine.dispose()


def _name(tagging: bool, index: bool) -> str:
    return "before     " if not index else f"tagging {'on ' if tagging else 'off'}"


@dataclass(frozen=True)
class Result:
    rate: float
    p50: float
    p99: float
    line: str


def run(
    url: str,
    kiosks: int,
    seconds: float,
    interval: float,
    workers: int,
    size: int,
    tagging: bool = False,
    share: float = 0.0,
    index: bool = True,
) -> Result:
    engine = schema.open_database(url)
    _comment_index(engine, index)
    _clean_slate(engine)
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    tokens = [
        devices.enroll(engine, key, str(uuid.uuid4()), f"k{i}", "0")[0] for i in range(kiosks)
    ]
    launched = datetime.now(UTC)
    server, port = start_server(url, workers, tagging)
    try:
        if tagging:
            _wait_for_tagger(engine, launched)
        _wait_until_settled(server.pid)
        engine.dispose()
        per_kiosk = int(seconds / interval) + 1
        chance = random.Random(1)
        plans = [
            [request_bytes(port, t, size, share, chance) for _ in range(per_kiosk)] for t in tokens
        ]
        started = time.perf_counter()
        latencies, failures = asyncio.run(load(port, plans, seconds, interval))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    engine = schema.open_database(url)
    _comment_index(engine, True)
    stored = queries.count_responses(engine)
    with engine.connect() as conn:
        tagged = conn.execute(sa.select(sa.func.count()).select_from(schema.comment_tags)).scalar()
        commented = conn.execute(
            sa.select(sa.func.count()).where(schema.responses.c.comment.is_not(None))
        ).scalar()
    engine.dispose()
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(0.99 * (len(ordered) - 1))] * 1000
    line = (
        f"{url.split(':')[0]:<19} {workers} worker{'s' if workers > 1 else ' '} "
        f"{_name(tagging, index)} {stored / elapsed:6.0f} responses/s   "
        f"p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   batches {len(latencies)}   "
        f"failed {len(failures)}   stored {stored}   tagged {tagged}/{commented}"
    )
    return Result(stored / elapsed, p50, p99, line)


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
    parser.add_argument(
        "--tagging",
        choices=["off", "on", "both", "all"],
        default="both",
        help="both: off and on; all: also 'before', off without revision 0005's index",
    )
    parser.add_argument("--comments", type=float, default=0.4, help="share with a comment")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tagging setting")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--pause-autovacuum",
        action="store_true",
        help="PostgreSQL: no autovacuum on the tables the runs fill, as on a server whose "
        "tables are big (see the module's docstring)",
    )
    args = parser.parse_args()
    # (tagging, index) pairs; "before" is the server as it was without tagging at all.
    settings = {
        "off": [(False, True)],
        "on": [(True, True)],
        "both": [(False, True), (True, True)],
        "all": [(False, False), (False, True), (True, True)],
    }[args.tagging]
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        urls = [] if args.no_sqlite else [f"sqlite:///{Path(tmp) / 'server.db'}"]
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
            results: dict[tuple[bool, bool], list[Result]] = {s: [] for s in settings}
            paused = args.pause_autovacuum and not url.startswith("sqlite")
            if not url.startswith("sqlite"):
                # Also undoes a pause that an earlier run, killed, left behind.
                _autovacuum(url, not paused)
            if paused:
                print("autovacuum paused on the tables the runs fill")
            try:
                for _ in range(args.repeat):  # alternating, so drift hits both alike
                    for setting in settings:
                        result = run(
                            url, args.kiosks, args.seconds, args.interval, workers, args.size,
                            setting[0], args.comments, setting[1],
                        )  # fmt: skip
                        results[setting].append(result)
                        print(result.line, flush=True)
            finally:
                if paused:
                    _autovacuum(url, True)
            medians = {
                setting: [
                    statistics.median(getattr(r, what) for r in found)
                    for what in ("rate", "p50", "p99")
                ]
                for setting, found in results.items()
            }
            for setting, (rate, p50, p99) in medians.items():
                print(
                    f"  median, {_name(*setting)}: {rate:6.0f} responses/s"
                    f"   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
                )
            baseline = medians[settings[0]]
            for setting in settings[1:]:
                ratios = [a / b for a, b in zip(medians[setting], baseline, strict=True)]
                print(
                    f"  {_name(*setting).strip()} / {_name(*settings[0]).strip()}: "
                    "responses/s {:.2f}, p50 {:.2f}, p99 {:.2f}".format(*ratios)
                )
    print("target: at least 5,000 responses/s with p99 under 250 ms")


if __name__ == "__main__":
    main()
