"""Render every patient screen to PNG at the three reference sizes, in English and Urdu; the
focus ring on a face (normal and high contrast) and Urdu in Nastaliq at 1280x800; large text in
Urdu and Welsh in both orientations; "Do you need more time?"; and read-aloud on.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/render.py [OUT_DIR]

The pictures are for people to look at: readable from a bed, nothing clipped or overlapping.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from kiosk.app import create_kiosk
from kiosk.ui.window import KioskWindow

SIZES = [(1280, 800), (800, 1280), (1920, 1080)]
LANGUAGES = ["en", "ur"]
CONFIG = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"

[survey]
phone_link = "https://example.nhs.uk/feedback/ward7"
"""


def render(app: QApplication, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG, encoding="utf-8")
        window = create_kiosk(config, Path(tmp) / "data")
        assert isinstance(window, KioskWindow)
        window.show()
        wait_for_voices(app, window)
        for width, height in SIZES:
            window.resize(width, height)
            for language in LANGUAGES:
                window.set_language(language)
                shots = {
                    "question": lambda: None,
                    "followup": lambda: window.question.faces[4].click(),
                    "thanks": lambda: window.followup.send.click(),
                }
                for name, step in shots.items():
                    step()
                    if name == "followup":
                        window.followup.chips["communication"].setChecked(True)
                        window.followup.comment.setPlainText("The night staff were kind.")
                    app.processEvents()
                    path = out / f"{name}-{language}-{width}x{height}.png"
                    window.grab().save(str(path))
                    saved.append(path)
                window.reset_for_next_person()
        # The accessibility toggles, as a patient with low vision would set them.
        window.resize(*SIZES[0])
        window.topbar.large_text.click()
        window.topbar.high_contrast.click()
        for name, step in {
            "question": lambda: None,
            "followup": lambda: window.question.faces[1].click(),
        }.items():
            step()
            app.processEvents()
            path = out / f"{name}-en-large-high-contrast-1280x800.png"
            window.grab().save(str(path))
            saved.append(path)
        window.reset_for_next_person()
        saved += render_focus(app, window, out)
        saved += render_large_text(app, window, out)
        saved += render_more_time_and_voice(app, window, out)
        window.shutdown()  # the store, and the voice
        window.close()
    return saved


def render_focus(app: QApplication, window: KioskWindow, out: Path) -> list[Path]:
    """Focus on the amber face, as a keyboard or a switch leaves it, in both looks; and the
    Urdu question, to see that it is Nastaliq with its letters joined."""
    window.resize(*SIZES[0])
    window.activateWindow()
    saved = []
    for name, contrast in (("focus-face", False), ("focus-face-high-contrast", True)):
        window.topbar.high_contrast.setChecked(contrast)
        window.question.faces[3].setFocus()
        app.processEvents()
        path = out / f"{name}-1280x800.png"
        window.grab().save(str(path))
        saved.append(path)
    window.reset_for_next_person()
    window.set_language("ur")
    app.processEvents()
    path = out / "question-ur-nastaliq-1280x800.png"
    window.grab().save(str(path))
    window.reset_for_next_person()
    return [*saved, path]


def wait_for_voices(app: QApplication, window: KioskWindow, seconds: float = 15) -> None:
    """Wait until "Read aloud" can show: the system's voices load after the first frame.
    Nothing is spoken while the pictures are made."""
    window.speech.say = lambda text, language: None  # type: ignore[method-assign]
    deadline = time.monotonic() + seconds
    while not window.speech.known and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)  # lets the speech thread have Python's lock
    if not window.speech.locales:
        print('no voices here: the pictures show no "Read aloud"', file=sys.stderr)


def _shot(app: QApplication, window: KioskWindow, path: Path) -> Path:
    for _ in range(3):
        app.processEvents()
    window.grab().save(str(path))
    return path


def render_large_text(app: QApplication, window: KioskWindow, out: Path) -> list[Path]:
    """Larger text in Urdu and Welsh, landscape and portrait: the faces no smaller than at
    normal size, the follow-up with "More below" where it does not all fit."""
    saved = []
    for width, height in SIZES[:2]:
        window.resize(width, height)
        for language in ("ur", "cy"):
            window.reset_for_next_person()
            window.set_language(language)
            window.topbar.large_text.click()
            size = f"{width}x{height}"
            saved.append(_shot(app, window, out / f"question-{language}-large-{size}.png"))
            window.question.faces[4].click()
            window.followup.chips["noise"].setChecked(True)
            saved.append(_shot(app, window, out / f"followup-{language}-large-{size}.png"))
    window.reset_for_next_person()
    return saved


def render_more_time_and_voice(app: QApplication, window: KioskWindow, out: Path) -> list[Path]:
    """The "more time" prompt over a half-answered follow-up, in English and in Urdu; and
    read-aloud on, a face heard once and waiting for its second press."""
    saved = []
    for language, (width, height) in (("en", SIZES[0]), ("ur", SIZES[1])):
        window.resize(width, height)
        window.reset_for_next_person()
        window.set_language(language)
        window.question.faces[2].click()
        window.followup.chips["staff"].setChecked(True)
        window.more_time_timer.timeout.emit()  # as 20 s before the idle reset
        saved.append(_shot(app, window, out / f"more-time-{language}-{width}x{height}.png"))
    window.resize(*SIZES[0])
    window.reset_for_next_person()
    if window.topbar.read_aloud.isVisible():
        window.topbar.read_aloud.click()
        window.question.faces[1].click()  # heard, not yet chosen
        saved.append(_shot(app, window, out / "read-aloud-en-1280x800.png"))
    else:
        print("no voice for English here: no read-aloud screenshot", file=sys.stderr)
    window.reset_for_next_person()
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    application = QApplication(sys.argv[:1])
    for path in render(application, target):
        print(path)
    application.shutdown()  # tear Qt down before Python's final garbage collection
