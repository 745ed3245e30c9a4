"""The names outside test suites and older entry points import from ``kiosk.app``.

``create_kiosk(config_path=None, data_dir=None)`` is the test seam: it builds the whole kiosk
and returns its window without entering the event loop. The work is done in
``kiosk.ui.launch``; the command line's ``main`` is ``kiosk.cli``'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli import main

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow

__all__ = ["create_kiosk", "main"]


def create_kiosk(config_path: Path | None = None, data_dir: Path | None = None) -> KioskWindow:
    """Build the whole kiosk and return its top-level window, not yet shown.

    A QApplication must exist (pytest-qt's ``qapp`` provides one). Qt is imported only here,
    so that ``--check`` and ``set-pin`` run where Qt cannot load.
    """
    from kiosk.ui.launch import create_kiosk as build

    return build(config_path, data_dir)
