"""Shared fixtures. Qt runs offscreen; every kiosk is built through ``create_kiosk``; every
store a test needs on its own is the ``store`` fixture."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.store import LocalStore
from tests.helpers import WARD_TOML


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the machine's own kiosk.toml, or the developer's."""
    monkeypatch.delenv("WARD_KIOSK_CONFIG", raising=False)
    monkeypatch.setattr("kiosk.config.user_config_path", lambda: tmp_path / "no-user.toml")
    monkeypatch.setattr("kiosk.config.system_config_path", lambda: tmp_path / "no-system.toml")


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a kiosk.toml (the ward's identity plus *extra*) and return its path."""

    def write(extra: str = "", base: str = WARD_TOML) -> Path:
        path = tmp_path / "kiosk.toml"
        path.write_text(base + "\n" + extra, encoding="utf-8")
        return path

    return write


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    """A fresh, empty LocalStore on ``tmp_path/kiosk.db`` (a real file: WAL needs one)."""
    store = LocalStore(tmp_path / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def make_kiosk(
    qtbot, write_config: Callable[[str], Path], data_dir: Path
) -> Iterator[Callable[..., object]]:
    """Build a shown kiosk window from a config with *extra* settings."""
    from kiosk.app import create_kiosk

    windows = []

    def make(extra: str = "", size: tuple[int, int] = (1280, 800)) -> object:
        window = create_kiosk(write_config(extra), data_dir)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
