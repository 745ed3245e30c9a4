"""Start-up: process start to the question screen shown (offscreen), and idle memory.

    python bench/startup.py [--runs 7]

Measured against a bare PySide6 window started the same way in the same run, interleaved.
Each child prints when its first frame has been painted, then its resident memory after a
second of idling. Targets: start within 3x the bare time, RSS within 2x, with every language
the survey has offered, each drawn in its own bundled font. Every font is registered at start
(Qt reads a file's glyphs only when it first draws one); the time that takes is shown apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMON = """
import os, sys, time
from PySide6.QtCore import QTimer, QObject, QEvent
from PySide6.QtWidgets import QApplication, QLabel

def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
            self.seen = True
            QTimer.singleShot(0, lambda: print("shown", flush=True))
            QTimer.singleShot(1000, lambda: (print("rss", rss_kib(), flush=True), app.quit()))
        return False
"""

BARE = (
    COMMON
    + """
app = QApplication(sys.argv[:1])
window = QLabel("Overall, how was your experience of our service?")
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
app.exec()
"""
)

KIOSK = (
    COMMON
    + """
from pathlib import Path
app = QApplication(sys.argv[:1])
from kiosk.app import create_kiosk
from kiosk.ui.fonts import load_fonts
began = time.perf_counter()
load_fonts()  # what create_kiosk does first, timed on its own
print("fonts", time.perf_counter() - began, flush=True)
window = create_kiosk(None, Path(sys.argv[1]))
window.allow_close = True
app.aboutToQuit.connect(window.shutdown)  # as kiosk.ui.launch.run does: threads stop first
print("languages", len(window.survey.languages), flush=True)
watcher = FirstPaint()
window.question.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
app.exec()
"""
)


#: How many languages the kiosk offered (the survey's, with no config), and how long
#: registering every bundled font took, per kiosk run.
offered: list[int] = []
font_seconds: list[float] = []


def measure(script: str, data_dir: str) -> tuple[float, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WARD_KIOSK_CONFIG": ""}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", script, data_dir], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    shown = rss = None
    for line in process.stdout:
        if line.startswith("shown") and shown is None:
            shown = time.perf_counter() - start
        elif line.startswith("rss"):
            rss = int(line.split()[1])
        elif line.startswith("languages"):
            offered.append(int(line.split()[1]))
        elif line.startswith("fonts"):
            font_seconds.append(float(line.split()[1]))
    process.wait()
    if shown is None or rss is None:
        raise SystemExit(f"child failed (exit {process.returncode})")
    return shown, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, int]]] = {"bare": [], "kiosk": []}
    with tempfile.TemporaryDirectory() as tmp:
        measure(KIOSK, tmp)  # warm the file cache for both, and create the database once
        measure(BARE, tmp)
        for _ in range(args.runs):
            results["bare"].append(measure(BARE, tmp))
            results["kiosk"].append(measure(KIOSK, tmp))
    medians = {}
    for name, runs in results.items():
        start = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        medians[name] = (start, rss)
        print(
            f"{name:<6} start median {start * 1000:7.0f} ms   idle RSS median {rss / 1024:6.1f} MiB"
        )
    start_ratio = medians["kiosk"][0] / medians["bare"][0]
    rss_ratio = medians["kiosk"][1] / medians["bare"][1]
    print(
        f"ratio start {start_ratio:.2f}x (target at most 3x)   "
        f"RSS {rss_ratio:.2f}x (target at most 2x)   runs={args.runs}   "
        f"languages offered={max(offered, default=0)}"
    )
    if font_seconds:
        print(
            f"registering every bundled font: median "
            f"{statistics.median(font_seconds) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
