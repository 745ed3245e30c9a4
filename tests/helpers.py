"""Helpers shared by the tests: a ward config and origin, a valid wire response, reading the
outbox and the database, and finding controls as a screen reader does.

Qt is imported only by the helpers that need it, so the core's tests run without it.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.staff import StaffPin
from kiosk.store import LocalStore, Origin

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

WARD_TOML = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"
"""


PIN = "4821"  # the staff PIN the tests set, as IT would with ``python -m kiosk set-pin``

# Where the tests' responses come from: Ward 7 of RWD, on the inpatient FFT.
ORIGIN = Origin(
    survey_id="fft-inpatient",
    survey_version=1,
    org_code="RWD",
    site_code="RWDLA",
    ward_name="Ward 7",
    mode="Other",
    timezone=ZoneInfo("Europe/London"),
)


def wire_response(**changes: Any) -> dict[str, Any]:
    """A valid ``sync.protocol.Response`` as JSON-ready data from ``ORIGIN``, with *changes*.

    A fresh id each call; answered at 14:30 UTC on 10 November 2026 (a Tuesday, GMT).
    """
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "survey_id": ORIGIN.survey_id,
        "survey_version": ORIGIN.survey_version,
        "answered_at": datetime(2026, 11, 10, 14, 30, tzinfo=UTC).isoformat(),
        "local_date": "2026-11-10",
        "rating": 1,
        "answers": {"themes": ["staff"]},
        "comment": None,
        "language": "en",
        "mode": ORIGIN.mode,
        "org_code": ORIGIN.org_code,
        "site_code": ORIGIN.site_code,
        "ward_name": ORIGIN.ward_name,
        "flags": [],
    }
    data.update(changes)
    return data


def pending_batch(
    store: LocalStore, limit: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The rows the outbox would send next, whole, in the order it sends them."""
    return [
        row
        for rid, _ in store.pending_json(limit, ["id"], now)
        if (row := store.get(rid)) is not None
    ]


def find(window: QWidget, name: str) -> QWidget:
    """The one visible control whose accessible name is *name*."""
    from PySide6.QtWidgets import QWidget

    matches = [
        widget
        for widget in window.findChildren(QWidget)
        if widget.accessibleName() == name and widget.isVisible()
    ]
    assert len(matches) == 1, f"expected one visible control named {name!r}, found {matches}"
    return matches[0]


def tap(qtbot: Any, window: QWidget, name: str) -> None:
    """Tap the control named *name*, as a finger would."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(find(window, name), Qt.MouseButton.LeftButton)


def choose_language(qtbot: Any, window: Any, name: str) -> None:
    """Choose the language named *name* as a patient would: its button along the top bar, or
    "Language" in the top bar (a ward with many languages) and its button in the picker."""
    languages = window.topbar.languages
    if languages.isVisible():
        tap(qtbot, window, languages.accessibleName())
    tap(qtbot, window, name)


def rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every stored response, read through a fresh connection (what is really on disk)."""
    conn = sqlite3.connect(data_dir / "kiosk.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY rowid")]
    finally:
        conn.close()


def type_pin(qtbot: Any, window: QWidget, pin: str) -> None:
    """Type *pin* on the staff PIN pad and press Enter."""
    for digit in pin:
        tap(qtbot, window, digit)
    tap(qtbot, window, "Enter")


def unlock(qtbot: Any, window: Any, data_dir: Path) -> None:
    """Set the PIN (as IT would, if it is not set yet) and get into staff mode on the pad."""
    if not StaffPin(data_dir).is_set:
        StaffPin(data_dir).set(PIN)
    window.staff.open_pad()
    type_pin(qtbot, window, PIN)
    assert window.stack.currentWidget() is window.staff.screen


# -- keyboard, as a keyboard user or a switch presses it ---------------------------------


def activate(qtbot: Any, window: QWidget) -> None:
    """Make *window* the active window, so that keys go to its focused control."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def focused() -> QWidget | None:
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()


def press(window: QWidget, key: Any, modifiers: Any = None) -> None:
    """Press and release *key* on whatever has focus (the window, if nothing does)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    target = focused() or window
    QTest.keyClick(target, key, modifiers or Qt.KeyboardModifier.NoModifier)


def tab_to(window: QWidget, name: str, most: int = 40) -> QWidget:
    """Press Tab until the control named *name* has focus; fails after *most* presses."""
    from PySide6.QtCore import Qt

    for _ in range(most):
        press(window, Qt.Key.Key_Tab)
        widget = focused()
        if widget is not None and widget.accessibleName() == name:
            return widget
    raise AssertionError(f"Tab never reached {name!r}")


# -- pixels, read from what the window really draws -------------------------------------

RGB = tuple[int, int, int]


def rgb_at(image: Any, x: int, y: int) -> RGB:
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def box_in(window: QWidget, widget: QWidget) -> Any:
    """*widget*'s rectangle in *window*'s coordinates."""
    from PySide6.QtCore import QPoint, QRect

    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
