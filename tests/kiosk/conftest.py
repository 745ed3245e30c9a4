"""Fixtures for the kiosk's tests: no test speaks through the machine's own voices unless it
names an engine in its kiosk.toml (``speech_engine = "speechd"``); "auto" finds Qt's silent
``mock`` engine, whose voices speak English only."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _silent_voices(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk import read_aloud

    monkeypatch.setattr(
        read_aloud, "PLATFORM_ENGINES", dict.fromkeys(read_aloud.PLATFORM_ENGINES, ("mock",))
    )
