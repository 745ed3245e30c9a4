"""Helpers shared by the tests: a ward config, and finding controls as a screen reader does."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

WARD_TOML = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"
"""


def find(window: QWidget, name: str) -> QWidget:
    """The one visible control whose accessible name is *name*."""
    matches = [
        widget
        for widget in window.findChildren(QWidget)
        if widget.accessibleName() == name and widget.isVisible()
    ]
    assert len(matches) == 1, f"expected one visible control named {name!r}, found {matches}"
    return matches[0]


def tap(qtbot: Any, window: QWidget, name: str) -> None:
    """Tap the control named *name*, as a finger would."""
    qtbot.mouseClick(find(window, name), Qt.MouseButton.LeftButton)


def rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every stored response, read through a fresh connection (what is really on disk)."""
    conn = sqlite3.connect(data_dir / "kiosk.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY rowid")]
    finally:
        conn.close()
