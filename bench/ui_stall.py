"""UI stall: the longest the kiosk's event loop goes unanswered while 100,000 responses sync.

    python bench/ui_stall.py [--count 100000]

The kiosk is built by ``create_kiosk`` (offscreen) with its real sync thread; the central server
runs in its own process. A 1 ms timer on the UI thread records every gap between its ticks
until the backlog is on the server. The baseline is the same kiosk with nothing to sync,
measured for as long, in the same run. Target: longest stall under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from bench.sync_backlog import start_server
from kiosk.app import create_kiosk
from kiosk.store import LocalStore
from sync.server import devices, schema
from tests.e2e.conftest import seed
from tests.server import queries


def watch(app: QApplication, done: object, limit: float) -> list[float]:
    """Gaps between ticks of a 1 ms timer until ``done()`` or *limit* seconds."""
    gaps: list[float] = []
    last = time.perf_counter()
    started = last

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        if done() or now - started > limit:  # type: ignore[operator]
            app.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(1)
    app.exec()
    timer.stop()
    return gaps


def summary(name: str, gaps: list[float]) -> str:
    ordered = sorted(gaps)
    return (
        f"{name:<28} longest stall {max(gaps) * 1000:6.1f} ms   "
        f"p99 gap {ordered[int(0.99 * (len(ordered) - 1))] * 1000:5.1f} ms   "
        f"median {statistics.median(gaps) * 1000:4.1f} ms   ticks {len(gaps)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        server_db = Path(tmp) / "server.db"
        engine = schema.open_database(f"sqlite:///{server_db}")
        key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
        server, url = start_server(server_db)
        try:
            data = Path(tmp) / "kiosk"
            data.mkdir()
            store = LocalStore.in_dir(data)
            seed(store, args.count)
            store.close()
            config = Path(tmp) / "kiosk.toml"
            config.write_text(
                '[location]\norg_code = "RWD"\nsite_code = "RWDLA"\nward_name = "Ward 7"\n'
                f'[sync]\nserver_url = "{url}"\nenrollment_key = "{key}"\n',
                encoding="utf-8",
            )
            window = create_kiosk(config, data)
            window.allow_close = True  # the benchmark quits the event loop itself
            window.resize(1280, 800)
            window.show()
            started = time.perf_counter()
            busy = watch(app, lambda: queries.count_responses(engine) >= args.count, limit=600)
            synced_in = time.perf_counter() - started
            idle = watch(app, lambda: False, limit=min(synced_in, 20))
            window.shutdown()
        finally:
            server.terminate()
            server.wait()
        stored = queries.count_responses(engine)
    print(summary(f"syncing {args.count} responses", busy))
    print(summary("idle (baseline)", idle))
    print(
        f"{stored} responses on the server in {synced_in:.1f} s; longest stall "
        f"{max(busy) * 1000:.1f} ms vs {max(idle) * 1000:.1f} ms idle (target: under 50 ms)"
    )


if __name__ == "__main__":
    main()
