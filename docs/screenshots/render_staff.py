"""Render the staff screens to PNG at 1280x800 and 800x1280, on a ward with a month of data.

QT_QPA_PLATFORM=offscreen python docs/screenshots/render_staff.py [OUT_DIR]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from kiosk.app import create_kiosk
from kiosk.staff import StaffPin

CONFIG = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"
"""

COMMENTS = [
    (1, ["staff"], "The night nurses were so kind to my mum."),
    (2, ["food"], "Food was hot and there was choice."),
    (4, ["noise"], "Very noisy at night, hard to sleep."),
    (5, ["waiting", "communication"], "Nobody told us when the doctor would come."),
    (4, [], "I felt unsafe when the man in the next bed shouted."),
    (1, ["cleanliness"], None),
]


def seed(window, days: int = 26) -> None:
    rng = random.Random(3)
    store, origin = window.store, window.session.origin
    start = datetime.now(UTC) - timedelta(days=days)
    for day in range(days):
        for _ in range(rng.randint(2, 9)):
            moment = start + timedelta(days=day, hours=rng.randint(8, 20))
            code = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6])
            flags = ["repeat-tap"] if rng.random() < 0.05 else []
            rid = store.record(code, origin, language="en", flags=flags, at=moment)
            store.finish(rid)
    for hours, (code, themes, comment) in enumerate(COMMENTS):
        rid = store.record(
            code, origin, language="en", at=datetime.now(UTC) - timedelta(hours=hours * 5 + 1)
        )
        store.add_followup(rid, themes, comment or "")
        store.finish(rid)


def render(app: QApplication, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG, encoding="utf-8")
        data = Path(tmp) / "data"
        window = create_kiosk(config, data)
        seed(window)
        StaffPin(data).set("4821")
        window.show()
        staff = window.staff
        assert staff is not None
        for width, height in [(1280, 800), (800, 1280)]:
            window.resize(width, height)

            def shot(name: str, size: str = f"{width}x{height}") -> None:
                app.processEvents()
                path = out / f"staff-{name}-{size}.png"
                window.grab().save(str(path))
                saved.append(path)

            staff.open_pad()
            for digit in "48":
                staff.pad.press(digit)
            shot("pin")
            staff.pad.ask("Staff PIN", "")
            staff._on_pin("4821")
            assert staff.screen is not None
            staff.screen.we_did.setPlainText(
                "You said: it was too noisy at night.\nWe did: soft-close bins and a quiet hour."
            )
            staff.screen._save_actions()
            for page in (
                "Results",
                "Comments",
                "Public board",
                "Ward controls",
                "Settings",
                "Sync",
                "Audit",
            ):
                staff.screen.show_page(page)
                shot(page.lower().replace(" ", "-"))
            staff.show_board(staff.screen.board_text())
            shot("public-board-for-patients")
            staff.lock()
            staff.set_paused(True)
            staff.lock()
            shot("paused-question")
            staff.set_paused(False)
            staff.clean()
            shot("clean-screen")
            assert staff.overlay is not None
            staff.overlay.hide()
            staff.lock()
        window.shutdown()
        window.close()
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    application = QApplication(sys.argv[:1])
    for path in render(application, target):
        print(path)
    application.shutdown()
