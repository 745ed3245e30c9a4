"""Staff access: the PIN (a salted scrypt hash in the data dir) and the lockout.

There is no default PIN, and the PIN fails closed. The PIN file is in one of three states:
not set (no file), set, or damaged (there, but it cannot be read or parsed). Only a set PIN
lets anyone in; not set and damaged both keep staff mode locked until IT runs
``ward-kiosk set-pin``, because a file that cannot be read must never look like a kiosk that
has no PIN yet.

After five wrong PINs, staff wait 30 s, doubling with each further wrong PIN up to 15 minutes.
The wait is kept on disk, so restarting the kiosk does not lift it; when the disk will not take
it (full, read-only), it is kept in memory instead, so a full disk does not lift it either.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path

from sync.atomic import write_json

log = logging.getLogger(__name__)

PIN_FILE = "staff-pin.json"
# What IT types to set (or reset) the PIN; the pad and the log name it.
SET_PIN_COMMAND = "ward-kiosk set-pin"
FREE_TRIES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# 30 s * 2**5 is already past the longest wait; capping the exponent keeps the arithmetic from
# overflowing timedelta however many wrong PINs pile up (it did at about 47).
MOST_DOUBLINGS = 10
# scrypt cost: about 50 ms here, slow enough to make guessing a stolen hash expensive.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
HASH_BYTES = 32


class PinError(ValueError):
    """A PIN that cannot be set. The message says what a PIN must be, or what to do."""


class PinFile(Enum):
    """What the PIN file on disk amounts to."""

    UNSET = "unset"  # no file: nobody has set a PIN
    SET = "set"  # a readable salt and hash
    DAMAGED = "damaged"  # a file that cannot be read or parsed: locked, never "unset"


@dataclass
class _PinState:
    """The file's JSON, field for field."""

    salt: str = ""
    hash: str = ""
    failures: int = 0
    locked_until: str = ""


@dataclass(frozen=True)
class _Reading:
    """One read of the PIN file.

    Attributes:
        file: which of the three states it is in.
        raw: the bytes read, to tell later whether anyone has written the file since.
        lock_damaged: why the lockout fields cannot be trusted ("" when they can).
    """

    file: PinFile
    raw: bytes = b""
    salt: bytes = b""
    hash: bytes = b""
    failures: int = 0
    locked_until: datetime | None = None
    lock_damaged: str = ""


@dataclass(frozen=True)
class _Lockout:
    failures: int
    locked_until: datetime | None


@dataclass(frozen=True)
class _Unsaved:
    """A lockout the disk would not take, and the file content it was meant to replace."""

    raw: bytes
    lockout: _Lockout


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
    """The staff PIN of one kiosk, kept in ``<data dir>/staff-pin.json``.

    The lockout a failed write could not save is kept on this object. It stands for as long as
    the file is still the one it was meant to replace; any other write (``set-pin``, or a later
    save that works) makes the file authoritative again.
    """

    def __init__(self, data_dir: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = data_dir / PIN_FILE
        self._clock = clock or (lambda: datetime.now(UTC))
        self._unsaved: _Unsaved | None = None
        self._reported = ""  # the last damage logged, so a ticking pad does not flood the log

    # -- reading -----------------------------------------------------------------------------

    @property
    def state(self) -> PinFile:
        """Whether a PIN is set, not set, or the file is damaged."""
        return self._read().file

    @property
    def is_set(self) -> bool:
        """A usable PIN is set (a damaged file is not set, and not "unset" either)."""
        return self.state is PinFile.SET

    def _read(self) -> _Reading:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._reported = ""
            return _Reading(PinFile.UNSET)
        except OSError as exc:  # permission denied, a folder in its place, an I/O error...
            return self._damaged(b"", f"it cannot be read: {exc.strerror or exc}")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return self._damaged(raw, "it is not complete, valid JSON")
        if not isinstance(data, dict):
            return self._damaged(raw, f"it holds a JSON {type(data).__name__}, not an object")
        try:
            salt, pin_hash = bytes.fromhex(data["salt"]), bytes.fromhex(data["hash"])
        except (KeyError, TypeError, ValueError):
            return self._damaged(raw, "its salt or hash is missing or not hexadecimal")
        if not salt or len(pin_hash) != HASH_BYTES:
            return self._damaged(raw, "its salt or hash has the wrong length")
        self._reported = ""
        failures, locked_until, problems = data.get("failures"), data.get("locked_until"), []
        # bool is an int to Python, but never a count that this code wrote.
        if type(failures) is not int or failures < 0:
            problems.append(f"the failure count is not a count: {type(failures).__name__}")
            failures = 0
        until = None
        if locked_until:
            try:
                until = datetime.fromisoformat(locked_until)
            except (TypeError, ValueError):
                problems.append("the lock time cannot be read")
            else:
                if until.utcoffset() is None:
                    problems.append("the lock time has no time zone")
                    until = None
        elif locked_until != "":
            problems.append("the lock time is missing or not text")
        return _Reading(PinFile.SET, raw, salt, pin_hash, failures, until, "; ".join(problems))

    def _damaged(self, raw: bytes, why: str) -> _Reading:
        if why != self._reported:
            log.error(
                "the staff PIN file %s is damaged (%s); staff mode stays locked until IT "
                "sets the PIN again with `%s`",
                self.path,
                why,
                SET_PIN_COMMAND,
            )
            self._reported = why
        return _Reading(PinFile.DAMAGED, raw)

    def _lockout(self, reading: _Reading, now: datetime) -> _Lockout:
        """The lockout in force: the unsaved one while the file is unchanged, else the file's."""
        if self._unsaved is not None and self._unsaved.raw == reading.raw:
            return self._unsaved.lockout
        self._unsaved = None
        damage = reading.lock_damaged
        if not damage and reading.locked_until and reading.locked_until - now > LONGEST_WAIT:
            damage = "the lock time is further off than the longest wait (was the clock changed?)"
        if not damage:
            return _Lockout(reading.failures, reading.locked_until)
        # Fail closed: a lockout that cannot be trusted is the longest one, saved (or kept in
        # memory) so that it runs out once rather than starting again at every look.
        lockout = _Lockout(max(reading.failures, FREE_TRIES), now + LONGEST_WAIT)
        failed = self._keep(reading, lockout)
        log.error(
            "the lockout in %s cannot be trusted (%s); staff wait the longest wait, %s%s",
            self.path,
            damage,
            LONGEST_WAIT,
            f" (kept in memory: {failed})" if failed else "",
        )
        return lockout

    # -- writing -----------------------------------------------------------------------------

    def _keep(self, reading: _Reading, lockout: _Lockout) -> OSError | None:
        """Save *lockout* with the PIN of *reading*; if the disk refuses, hold it in memory.

        Returns the error that kept it off the disk, or None when it was saved.
        """
        until = lockout.locked_until.isoformat() if lockout.locked_until else ""
        state = _PinState(reading.salt.hex(), reading.hash.hex(), lockout.failures, until)
        try:
            self._save(state)
        except OSError as exc:
            self._unsaved = _Unsaved(reading.raw, lockout)
            return exc
        self._unsaved = None
        return None

    def _save(self, state: _PinState) -> None:
        """Replace the file atomically, mode 0600. On failure the old file stands, no tmp left."""
        write_json(self.path, asdict(state))

    def set(self, pin: str) -> None:
        """Set a new PIN (4 to 8 digits), replacing a damaged file and clearing any lockout.

        :raises PinError: the PIN is not allowed, or it could not be saved (what to do is in
            the message).
        """
        if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
            raise PinError("a staff PIN is 4 to 8 digits")
        if len(set(pin)) == 1:
            raise PinError("a staff PIN may not be one digit repeated; choose another")
        salt = secrets.token_bytes(16)
        try:
            self._save(_PinState(salt=salt.hex(), hash=_hash(pin, salt).hex()))
        except OSError as exc:
            raise PinError(_cannot_save(exc, self.path.parent)) from exc
        self._unsaved = None
        self._reported = ""

    # -- checking ----------------------------------------------------------------------------

    def wait(self) -> timedelta:
        """How long until a PIN may be tried (zero when no PIN is set: check() refuses anyway)."""
        reading = self._read()
        if reading.file is not PinFile.SET:
            return timedelta(0)
        now = self._clock()
        until = self._lockout(reading, now).locked_until
        return max(timedelta(0), until - now) if until else timedelta(0)

    def check(self, pin: str) -> PinCheck:
        """Try *pin*. A wrong PIN, any PIN while locked out, and any PIN without a usable PIN
        file are refused. Never raises for a disk that will not be written."""
        reading = self._read()
        if reading.file is not PinFile.SET:
            return PinCheck(False, tries_left=0)
        now = self._clock()
        lockout = self._lockout(reading, now)
        if lockout.locked_until and lockout.locked_until > now:
            return PinCheck(False, lockout.locked_until - now, 0)
        if hmac.compare_digest(_hash(pin, reading.salt), reading.hash):
            failed = None
            if lockout.failures or lockout.locked_until:
                failed = self._keep(reading, _Lockout(0, None))
            if failed:
                # Let staff in regardless: a full disk is when they most need to export and
                # free space. The count is reset in memory.
                log.warning(
                    "the right staff PIN was used, but the reset count is unsaved: %s", failed
                )
            return PinCheck(True)
        failures = lockout.failures + 1
        over = failures - FREE_TRIES
        wait, until = timedelta(0), None
        if over >= 0:
            wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(over, MOST_DOUBLINGS))
            until = now + wait
        failed = self._keep(reading, _Lockout(failures, until))
        if failed:
            log.error(
                "could not save a wrong staff PIN to %s (%s); it is counted in memory instead",
                self.path,
                failed,
            )
        return PinCheck(False, wait, max(0, FREE_TRIES - failures))


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, dklen=HASH_BYTES, maxmem=64 * 1024 * 1024, **SCRYPT
    )


def _cannot_save(exc: OSError, folder: Path) -> str:
    """What went wrong saving a PIN, and what to do about it."""
    why = f"could not save the PIN ({exc.strerror or exc})"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"{why}; free some space and try again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{why}; run set-pin as the kiosk's user, or give that user write access to {folder}"
    return f"{why}; check the data folder {folder} and try again"

