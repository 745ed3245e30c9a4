"""The flow logic without Qt: double taps and the repeat-tap window, with an injected clock."""

from __future__ import annotations

from pathlib import Path

from kiosk.session import FeedbackSession
from kiosk.store import LocalStore
from tests.helpers import ORIGIN


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_second_rating_while_one_is_open_is_ignored(tmp_path: Path):
    store = LocalStore(tmp_path / "k.db")
    session = FeedbackSession(store, ORIGIN, repeat_tap_seconds=10, clock=Clock())
    assert session.rate(1, "en") is not None
    assert session.rate(1, "en") is None
    assert store.sync_counts()["pending"] == 1


def test_repeat_tap_window_starts_at_the_last_touch(tmp_path: Path):
    store = LocalStore(tmp_path / "k.db")
    clock = Clock()
    session = FeedbackSession(store, ORIGIN, repeat_tap_seconds=10, clock=clock)

    first = session.rate(2, "en")
    session.finish()
    clock.now += 9
    second = session.rate(2, "en")  # 9 s after the last person finished
    clock.now += 5
    session.finish(last_activity=clock.now - 60)  # walked away 60 s ago; idle reset now
    clock.now += 1
    third = session.rate(2, "en")

    flags = {rid: store.get(rid)["flags"] for rid in (first, second, third)}  # type: ignore[index]
    assert flags == {first: [], second: ["repeat-tap"], third: []}
