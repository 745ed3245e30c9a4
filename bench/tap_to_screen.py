"""Tap to screen: from a press on a face to the follow-up screen's first paint, against a bare
QStackedWidget switching between two pages of as many widgets; and read-aloud's start.

    QT_QPA_PLATFORM=offscreen python bench/tap_to_screen.py [--taps 1000]

The tap is the whole of it: the press and release, the rating stored durably (fsync), the
follow-up screen laid out and painted. Both sides are pressed the same way (a synthetic mouse
click) in the same window size, interleaved in rounds so machine noise falls on both. Targets:
the kiosk's p99 at most 2x the bare p99, and under 50 ms. Read-aloud (Qt's mock engine): from
the press on "Read aloud", and on a face with read-aloud on, to the engine speaking; target
under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import create_kiosk
from kiosk.ui.window import KioskWindow

SIZE = (1280, 800)
CONFIG = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"

[kiosk]
repeat_tap_seconds = 0

[accessibility]
speech_engine = "mock"
"""


class FirstPaint(QObject):
    """Notes when its widget is next painted."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def timed_tap(press: Callable[[], None], paint: FirstPaint, limit: float = 5.0) -> float:
    """Seconds from *press* to the next paint *paint* watches."""
    paint.painted = False
    start = time.perf_counter()
    press()
    while not paint.painted:
        QApplication.processEvents()
        if time.perf_counter() - start > limit:
            raise SystemExit("the screen was never painted")
    return time.perf_counter() - start


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def bare_stack(count: int) -> tuple[QStackedWidget, QPushButton, QWidget]:
    """Two pages of *count* widgets each (labels and buttons); a button on the first shows the
    second."""
    stack = QStackedWidget()
    pages = []
    for _ in range(2):
        page = QWidget()
        layout = QVBoxLayout(page)
        for index in range(count - 1):
            widget = QPushButton(f"button {index}") if index % 2 else QLabel(f"label {index}")
            layout.addWidget(widget)
        stack.addWidget(page)
        pages.append(page)
    go = QPushButton("go")
    pages[0].layout().addWidget(go)
    go.clicked.connect(lambda: stack.setCurrentIndex(1))
    pages[1].layout().addWidget(QPushButton("back"))
    stack.resize(*SIZE)
    stack.show()
    return stack, go, pages[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def line(name: str, samples: list[float]) -> str:
    return (
        f"{name:<30} p50 {statistics.median(samples) * 1000:7.2f} ms"
        f"   p99 {percentile(samples, 0.99) * 1000:7.2f} ms   (n={len(samples)})"
    )


def speech_start(window: KioskWindow, press: Callable[[], None]) -> float:
    """Seconds from *press* to the engine's state becoming Speaking, from silence."""
    speech = window.speech
    speech.stop()
    while speech.state == "speaking":
        QApplication.processEvents()
    start = time.perf_counter()
    press()
    while speech.state != "speaking":
        QApplication.processEvents()
        if time.perf_counter() - start > 5:
            raise SystemExit("read-aloud never started")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=1000, help="taps per side")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--speech", type=int, default=50, help="read-aloud presses")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG, encoding="utf-8")
        window = create_kiosk(config, Path(tmp) / "data")
        assert isinstance(window, KioskWindow)
        window.resize(*SIZE)
        window.show()
        settle()
        face = window.question.faces[4]
        followup_painted = FirstPaint(window.followup)
        count = len(window.followup.findChildren(QWidget))
        stack, go, second = bare_stack(count)
        bare_painted = FirstPaint(second)
        settle()

        def tap(widget: QWidget) -> Callable[[], None]:
            return lambda: QTest.mouseClick(widget, Qt.MouseButton.LeftButton)

        kiosk_times: list[float] = []
        bare_times: list[float] = []
        per_round = args.taps // args.rounds
        for _ in range(args.rounds):
            for _ in range(per_round):
                kiosk_times.append(timed_tap(tap(face), followup_painted))
                window.reset_for_next_person()
                settle()
            for _ in range(per_round):
                bare_times.append(timed_tap(tap(go), bare_painted))
                stack.setCurrentIndex(0)
                settle()

        print(f"the follow-up screen has {count} widgets; each bare page as many")
        print(line("face press to follow-up paint", kiosk_times))
        print(line("bare QStackedWidget switch", bare_times))
        p50 = statistics.median(kiosk_times) / statistics.median(bare_times)
        p99 = percentile(kiosk_times, 0.99) / percentile(bare_times, 0.99)
        print(
            f"ratio p50 {p50:.2f}x   p99 {p99:.2f}x   (target: p99 at most 2x, and under 50 ms:"
            f" {percentile(kiosk_times, 0.99) * 1000:.1f} ms)"
        )

        # Read-aloud, through Qt's mock engine (loaded after the first frame).
        while not window.speech.known:
            app.processEvents()
        button = window.topbar.read_aloud
        button_times, face_times = [], []
        for _ in range(args.speech):
            window.reset_for_next_person()
            settle()
            button_times.append(speech_start(window, tap(button)))
            face_times.append(speech_start(window, tap(window.question.faces[2])))
        print(line('"Read aloud" press to speaking', button_times))
        print(line("face press to speaking", face_times))
        slowest = max(percentile(button_times, 0.99), percentile(face_times, 0.99))
        print(f"read-aloud p99 {slowest * 1000:.1f} ms (target: under 300 ms)")
        window.shutdown()
        stack.close()
    app.shutdown()


if __name__ == "__main__":
    main()
