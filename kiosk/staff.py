"""Staff access: the PIN (a salted scrypt hash in the data dir), the lockout, and periods.

There is no default PIN. After five wrong PINs, staff wait 30 s, doubling with each further
wrong PIN up to 15 minutes; the wait is kept on disk, so restarting the kiosk does not lift it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PIN_FILE = "staff-pin.json"
FREE_TRIES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# scrypt cost: about 50 ms here, slow enough to make guessing a stolen hash expensive.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class PinError(ValueError):
    """A PIN that cannot be set. The message says what a PIN must be."""


@dataclass
class _PinState:
    salt: str = ""
    hash: str = ""
    failures: int = 0
    locked_until: str = ""


@dataclass(frozen=True)
class PinCheck:
    """The answer to one PIN attempt.

    Attributes:
        ok: the PIN was right.
        wait: how long staff must wait before trying again (zero if they may try now).
        tries_left: wrong PINs allowed before the next wait.
    """

    ok: bool
    wait: timedelta = timedelta(0)
    tries_left: int = FREE_TRIES


class StaffPin:
    """The staff PIN of one kiosk, kept in ``<data dir>/staff-pin.json``."""

    def __init__(self, data_dir: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = data_dir / PIN_FILE
        self._clock = clock or (lambda: datetime.now(UTC))

    def _load(self) -> _PinState:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return _PinState(**{k: raw[k] for k in asdict(_PinState()) if k in raw})
        except (OSError, ValueError, TypeError):
            return _PinState()

    def _save(self, state: _PinState) -> None:
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(state), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    @property
    def is_set(self) -> bool:
        return bool(self._load().hash)

    def set(self, pin: str) -> None:
        """Set a new PIN (4 to 8 digits). Clears any lockout."""
        if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
            raise PinError("a staff PIN is 4 to 8 digits")
        if len(set(pin)) == 1:
            raise PinError("a staff PIN may not be one digit repeated; choose another")
        salt = secrets.token_bytes(16)
        self._save(_PinState(salt=salt.hex(), hash=_hash(pin, salt).hex()))

    def wait(self) -> timedelta:
        """How long until a PIN may be tried."""
        state = self._load()
        if not state.locked_until:
            return timedelta(0)
        return max(timedelta(0), datetime.fromisoformat(state.locked_until) - self._clock())

    def check(self, pin: str) -> PinCheck:
        """Try *pin*. A wrong PIN, or any PIN while locked out, is refused."""
        state = self._load()
        if not state.hash:
            return PinCheck(False, tries_left=0)
        waiting = self.wait()
        if waiting > timedelta(0):
            return PinCheck(False, waiting, 0)
        expected = bytes.fromhex(state.hash)
        if hmac.compare_digest(_hash(pin, bytes.fromhex(state.salt)), expected):
            state.failures, state.locked_until = 0, ""
            self._save(state)
            return PinCheck(True)
        state.failures += 1
        over = state.failures - FREE_TRIES
        wait = timedelta(0)
        if over >= 0:
            wait = min(LONGEST_WAIT, FIRST_WAIT * 2**over)
            state.locked_until = (self._clock() + wait).isoformat()
        self._save(state)
        return PinCheck(False, wait, max(0, FREE_TRIES - state.failures))


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)


# -- periods -----------------------------------------------------------------------------


def period(name: str, today: date) -> tuple[date, date]:
    """First and last ward date of ``today``, ``last-7-days``, ``this-month``, ``last-month``."""
    if name == "today":
        return today, today
    if name == "last-7-days":
        return today - timedelta(days=6), today
    first_of_month = today.replace(day=1)
    if name == "this-month":
        return first_of_month, today
    if name == "last-month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    raise ValueError(f"unknown period {name!r}")
