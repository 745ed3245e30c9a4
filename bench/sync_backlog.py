"""Sync backlog: 100,000 pending responses pushed to a local server, end to end, per second.

    python bench/sync_backlog.py [--count 100000] [--single 2000]

The server runs in its own process (uvicorn, SQLite file, loopback); the kiosk side is the
real LocalStore, SyncClient and SyncEngine. The baseline, in the same run, sends the same kind
of responses one per request, as ODK Collect uploads, over the same stack (measured on a
sample, as 100,000 single requests would take many minutes). Targets: at least 10,000
responses/s, and at least 20x the one-per-request rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from kiosk.store import LocalStore
from sync.client import SyncClient
from sync.device import DeviceIdentity
from sync.engine import SyncEngine
from sync.server import devices, schema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.conftest import seed
from tests.embedded_server import free_port
from tests.server import queries


def start_server(database: Path | str, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """``ward-sync-server serve`` in its own process(es) on a free loopback port, once healthy."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.server",
            "serve",
            "--db",
            str(database),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "WARD_SYNC_ADMIN_TOKEN": ""},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{url}/api/v1/health", timeout=1)
            return process, url
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def run(store: LocalStore, url: str, token: str, batch_size: int) -> tuple[int, float]:
    engine = SyncEngine(
        store,
        SyncClient(url, token=token),
        DeviceIdentity("bench", token, url),
        batch_size=batch_size,
    )
    pending = store.sync_counts()["pending"]
    start = time.perf_counter()
    if engine.sync() is not None or engine.stopped:
        raise SystemExit(f"sync failed: {engine.last_error}")
    elapsed = time.perf_counter() - start
    assert store.sync_counts()["pending"] == 0
    return pending, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=2_000, help="responses sent one by one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        server_db = Path(tmp) / "server.db"
        engine = schema.open_database(f"sqlite:///{server_db}")
        token, _ = devices.enroll(
            engine,
            devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7")),
            str(uuid.uuid4()),
            "bench",
            "0",
        )
        engine.dispose()
        server, url = start_server(server_db)
        try:
            single_store = LocalStore(Path(tmp) / "single.db")
            seed(single_store, args.single)
            single_n, single_s = run(single_store, url, token, batch_size=1)
            batch_store = LocalStore(Path(tmp) / "batch.db")
            seed(batch_store, args.count)
            batch_n, batch_s = run(batch_store, url, token, batch_size=500)
        finally:
            server.terminate()
            server.wait()
        check = schema.open_database(f"sqlite:///{server_db}")
        stored = queries.count_responses(check)
        assert stored == args.count + args.single, stored
    single_rate = single_n / single_s
    batch_rate = batch_n / batch_s
    print(f"one per request  {single_n:>7} responses in {single_s:6.1f} s = {single_rate:8.0f}/s")
    print(f"batches of 500   {batch_n:>7} responses in {batch_s:6.1f} s = {batch_rate:8.0f}/s")
    print(
        f"ratio {batch_rate / single_rate:.1f}x (target at least 20x); "
        f"batched rate {batch_rate:.0f}/s (target at least 10,000/s); server holds {stored}"
    )


if __name__ == "__main__":
    main()
