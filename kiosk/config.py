"""Kiosk configuration: ``kiosk.toml`` found, parsed and validated into typed dataclasses.

Every key has a safe default except the ward's identity. With no file at all the kiosk runs
as a demo ward. Problems are reported as sentences naming the file, line and key.
"""

from __future__ import annotations

import os
import re
import reprlib
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from sync import fft

APP_NAME = "ward-kiosk"
CONFIG_ENV = "WARD_KIOSK_CONFIG"
CONFIG_NAME = "kiosk.toml"
# A real kiosk.toml is a few kilobytes; anything this big is the wrong file, and reading it
# whole would stall start-up.
MAX_CONFIG_BYTES = 1_000_000


class ConfigError(Exception):
    """The configuration cannot be used. ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Location:
    """Who this kiosk reports as: the FFT submission codes and the ward's clock."""

    org_code: str
    site_code: str
    ward_name: str
    display_name: str = ""
    timezone: str = "Europe/London"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.ward_name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SurveySettings:
    id: str = "fft-inpatient"
    languages: tuple[str, ...] = ("en", "cy", "ur")
    phone_link: str = ""
    lead_in: bool = True
    directory: str = ""

    @property
    def folder(self) -> Path | None:
        """A trust's own folder of survey files; None means the ones shipped with the kiosk."""
        return Path(self.directory) if self.directory else None


@dataclass(frozen=True)
class KioskSettings:
    """How the patient screens behave.

    Attributes:
        keyboard: ``qt`` for Qt Virtual Keyboard, ``system`` for the OS touch keyboard,
            ``auto`` for Qt's on Linux and the OS keyboard on Windows.
        mode: the FFT collection mode reported with each response.
    """

    idle_reset_seconds: int = 60
    thanks_seconds: int = 6
    repeat_tap_seconds: int = 10
    fullscreen: bool = True
    keyboard: str = "auto"
    mode: str = "Other"
    hide_cursor: bool = False


DEFAULT_SAFEGUARDING_WORDS = (
    "abuse",
    "abused",
    "hurt",
    "hit",
    "unsafe",
    "scared",
    "afraid",
    "suicide",
    "kill myself",
    "self-harm",
    "neglect",
)


@dataclass(frozen=True)
class StaffSettings:
    """Staff mode.

    Attributes:
        lock_seconds: staff mode locks after this long without a touch.
        safeguarding_words: comments containing any of these are pinned and highlighted.
    """

    lock_seconds: int = 120
    safeguarding_words: tuple[str, ...] = DEFAULT_SAFEGUARDING_WORDS


@dataclass(frozen=True)
class SyncSettings:
    server_url: str
    enrollment_key: str = ""
    ca_bundle: str = ""
    batch_size: int = 500


@dataclass(frozen=True)
class KioskConfig:
    """The whole effective configuration.

    Attributes:
        source: the file it came from; None for the embedded demo ward.
        warnings: things worth fixing that do not stop the kiosk (unknown keys).
    """

    location: Location
    survey: SurveySettings = field(default_factory=SurveySettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    sync: SyncSettings | None = None
    staff: StaffSettings = field(default_factory=StaffSettings)
    source: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def is_demo(self) -> bool:
        """Reporting as the built-in demo ward: not set up for a real one."""
        return self.location.org_code == DEMO_LOCATION.org_code


DEMO_LOCATION = Location(
    org_code="DEMO", site_code="DEMO1", ward_name="Demo ward", display_name="Demo ward"
)
DEMO = KioskConfig(location=DEMO_LOCATION)


def system_config_path() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(base) / APP_NAME / CONFIG_NAME
    return Path("/etc") / APP_NAME / CONFIG_NAME


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_NAME


def find_config(explicit: Path | None = None) -> Path | None:
    """The config file to use: ``--config``, ``$WARD_KIOSK_CONFIG``, the user's, the system's.

    An explicit path or environment variable must exist; the two standard places are optional.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError([f"{explicit}: {_not_a_file(explicit)}; check the --config path"])
        return explicit
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(
                [f"{path}: {_not_a_file(path)}; check ${CONFIG_ENV} or unset it"]
            )
        return path
    for candidate in (user_config_path(), system_config_path()):
        if candidate.is_file():
            return candidate
    return None


def _not_a_file(path: Path) -> str:
    try:
        exists = path.exists()
    except OSError:  # a symlink loop, a name too long
        exists = True
    if not exists:
        return "no such file"
    return "is not a plain file (a folder, a device or a broken link?)"


def load_config(explicit: Path | None = None) -> KioskConfig:
    """Find and load the configuration; the demo ward when there is no file."""
    path = find_config(explicit)
    return DEMO if path is None else load_config_file(path)


def load_config_file(path: Path) -> KioskConfig:
    """Parse and validate one ``kiosk.toml``.

    :raises ConfigError: listing every problem, each naming the file, line and key.
    """
    text = _read_config_text(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: is not valid TOML ({exc}); fix the line it names"]) from exc
    except (RecursionError, MemoryError) as exc:
        # tomllib parses nested arrays and inline tables recursively: a few hundred levels
        # exhaust Python's stack. No kiosk setting nests more than two levels.
        raise ConfigError(
            [
                f"{path}: is nested too deeply to be a kiosk.toml ({type(exc).__name__} "
                "while reading its arrays and inline tables); check it is the right file, "
                "or start again from the example in the README"
            ]
        ) from exc
    return _Parser(path, text).parse(raw)


def _read_config_text(path: Path) -> str:
    """The file's text, with the BOM that Windows Notepad and PowerShell 5 write removed.

    :raises ConfigError: the file cannot be read, is far too big, or is not UTF-8 text.
    """
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            [f"{path}: cannot be read ({exc}); check the file and its permissions"]
        ) from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            [
                f"{path}: is larger than {MAX_CONFIG_BYTES:,} bytes, far too big to be a "
                "kiosk.toml; check the --config path points at the right file"
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                f"{path}: is not UTF-8 text (byte {data[exc.start]:#04x} at position "
                f"{exc.start}); save it as UTF-8 in a text editor"
            ]
        ) from exc


_SECTIONS: dict[str, type] = {
    "location": Location,
    "survey": SurveySettings,
    "kiosk": KioskSettings,
    "sync": SyncSettings,
    "staff": StaffSettings,
}

_ODS_CODE = re.compile(r"[A-Z0-9]{3,9}")
# TLS always, except to a server on this very device (the demo, or a local relay).
_HTTPS = re.compile(r"https://[^\s/]+(/\S*)?")
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/?")


class _Parser:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _line_index(text)
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def where(self, section: str, key: str | None = None) -> str:
        line = self.line_of(section, key)
        name = f"[{section}] {key}" if key else f"[{section}]"
        return f"{self.path} line {line}: {name}" if line else f"{self.path}: {name}"

    def line_of(self, section: str, key: str | None) -> int | None:
        return self.lines.get((section, key))

    def problem(self, section: str, key: str | None, message: str) -> None:
        self.problems.append(f"{self.where(section, key)} {message}")

    def parse(self, raw: dict[str, Any]) -> KioskConfig:
        for name in raw:
            if name not in _SECTIONS:
                self.warnings.append(
                    f"{self.path} line {self.line_of(name, None)}: unknown section [{name}] "
                    f"is ignored; known sections are {', '.join(_SECTIONS)}"
                )
        sections: dict[str, dict[str, Any]] = {}
        for name in _SECTIONS:
            value = raw.get(name, {})
            if not isinstance(value, dict):
                self.problem(name, None, "must be a table, e.g. [" + name + "]")
                value = {}
            sections[name] = value

        location = self.location(sections["location"])
        survey = self.section("survey", SurveySettings, sections["survey"], _SURVEY_CHECKS)
        kiosk = self.section("kiosk", KioskSettings, sections["kiosk"], _KIOSK_CHECKS)
        staff = self.section("staff", StaffSettings, sections["staff"], _STAFF_CHECKS)
        sync = None
        if "sync" in raw:
            if not sections["sync"].get("server_url"):
                self.problem(
                    "sync",
                    "server_url",
                    "is missing; set it to the central server's https:// "
                    "address, or remove the [sync] section to keep sync off",
                )
            else:
                sync = self.section("sync", SyncSettings, sections["sync"], _SYNC_CHECKS)
        if self.problems:
            raise ConfigError(self.problems)
        assert location is not None and survey is not None and kiosk is not None
        assert staff is not None
        return KioskConfig(location, survey, kiosk, sync, staff, self.path, tuple(self.warnings))

    def location(self, values: dict[str, Any]) -> Location | None:
        required = {
            "org_code": 'the trust\'s ODS code, e.g. "RWD"',
            "site_code": 'the site\'s ODS code, e.g. "RWDLA"',
            "ward_name": "the ward's name as reported to NHS England",
        }
        for key, meaning in required.items():
            if key not in values:
                self.problems.append(
                    f"{self.path}: [location] {key} is missing; set it to {meaning}"
                )
        if any(key not in values for key in required):
            return None
        location: Location | None = self.section("location", Location, values, _LOCATION_CHECKS)
        return location

    def section(
        self, name: str, cls: type[Any], values: dict[str, Any], checks: Mapping[str, _Check]
    ) -> Any:
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        before = len(self.problems)
        for key, value in values.items():
            if key not in known:
                self.warnings.append(
                    f"{self.where(name, key)} is not a known setting and is ignored; "
                    f"known settings are {', '.join(known)}"
                )
                continue
            check = checks.get(key)
            if check is None:
                continue
            message = check.validate(value)
            if message:
                self.problem(name, key, message)
            else:
                kwargs[key] = check.convert(value)
        if len(self.problems) > before:
            return None
        return cls(**kwargs)


_HEADER = re.compile(r"\[\s*([\w.\-]+)\s*\]\s*(#.*)?")
_KEY = re.compile(r"([\w\-]+)\s*=")


def _line_index(text: str) -> dict[tuple[str, str | None], int]:
    """Where each ``[section]`` and ``key =`` first appears: (section, key or None) to line.

    Built once, so that a file with thousands of problems is not scanned once per problem.
    """
    index: dict[tuple[str, str | None], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _HEADER.fullmatch(stripped)
        if header:
            current = header.group(1)
            index.setdefault((current, None), number)
            continue
        key = _KEY.match(stripped)
        if key:
            index.setdefault((current, key.group(1)), number)
    return index


# A problem quotes the value it found; a huge or deeply nested one is shortened.
_shown = reprlib.Repr()
_shown.maxstring = 80
_shown.maxother = 80
_shown.maxlevel = 3


@dataclass(frozen=True)
class _Check:
    """How one key is validated: a predicate, the sentence to show, and a conversion."""

    ok: Callable[[Any], bool]
    expected: str
    convert: Callable[[Any], Any] = lambda value: value

    def validate(self, value: Any) -> str | None:
        try:
            good = self.ok(value)
        except Exception:
            good = False
        return None if good else f"is {_shown.repr(value)}; expected {self.expected}"


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _printable(value: Any) -> bool:
    """Text with no control characters: the central server refuses NUL, and a line break
    or tab in a ward's name would break every report and CSV that shows it."""
    return _text(value) and not any(unicodedata.category(ch) == "Cc" for ch in value)


def _whole(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _zone(value: Any) -> bool:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


_LOCATION_CHECKS = {
    "org_code": _Check(
        lambda v: bool(_ODS_CODE.fullmatch(v)), "an ODS code of 3 to 9 capital letters or digits"
    ),
    "site_code": _Check(
        lambda v: bool(_ODS_CODE.fullmatch(v)), "an ODS code of 3 to 9 capital letters or digits"
    ),
    "ward_name": _Check(
        lambda v: _printable(v) and 0 < len(v.strip()) <= 100,
        "text of 1 to 100 characters on one line, without control characters (tabs, line "
        "breaks, NUL)",
    ),
    "display_name": _Check(
        lambda v: _printable(v) and len(v) <= 60,
        "text of up to 60 characters on one line, without control characters (tabs, line "
        "breaks, NUL)",
    ),
    "timezone": _Check(_zone, 'an IANA time zone name such as "Europe/London"'),
}
_SURVEY_CHECKS = {
    "id": _Check(_text, 'a survey name from resources/surveys, e.g. "fft-inpatient"'),
    "languages": _Check(
        lambda v: isinstance(v, list) and bool(v) and all(map(_text, v)) and len(set(v)) == len(v),
        'a list of language codes without repeats, e.g. ["en", "cy", "ur"]',
        tuple,
    ),
    "phone_link": _Check(
        lambda v: _text(v) and (v == "" or re.fullmatch(r"https?://\S+", v) is not None),
        'an https:// address, or "" for no QR code',
    ),
    "lead_in": _Check(lambda v: isinstance(v, bool), "true or false"),
    "directory": _Check(
        lambda v: _text(v) and (v == "" or Path(v).is_dir()),
        'the path of an existing folder of survey .json files, or "" for the shipped ones',
    ),
}
_KIOSK_CHECKS = {
    "idle_reset_seconds": _Check(_whole(10, 3600), "a whole number of seconds from 10 to 3600"),
    "thanks_seconds": _Check(_whole(2, 60), "a whole number of seconds from 2 to 60"),
    "repeat_tap_seconds": _Check(_whole(0, 600), "a whole number of seconds from 0 to 600"),
    "fullscreen": _Check(lambda v: isinstance(v, bool), "true or false"),
    "hide_cursor": _Check(lambda v: isinstance(v, bool), "true or false"),
    "keyboard": _Check(lambda v: v in ("auto", "qt", "system"), '"auto", "qt" or "system"'),
    "mode": _Check(lambda v: v in fft.MODES, "one of " + ", ".join(f'"{m}"' for m in fft.MODES)),
}
_STAFF_CHECKS = {
    "lock_seconds": _Check(_whole(30, 1800), "a whole number of seconds from 30 to 1800"),
    "safeguarding_words": _Check(
        lambda v: isinstance(v, list) and all(_text(x) and x.strip() for x in v),
        'a list of words, e.g. ["abuse", "unsafe"]',
        lambda v: tuple(x.strip().lower() for x in v),
    ),
}

CHECKS = {
    "location": _LOCATION_CHECKS,
    "survey": _SURVEY_CHECKS,
    "kiosk": _KIOSK_CHECKS,
    "staff": _STAFF_CHECKS,
}


def check_value(section: str, key: str, value: Any) -> str | None:
    """The same check the config file gets, for a setting changed on screen: None if good,
    else what was expected."""
    return CHECKS[section][key].validate(value)


_SYNC_CHECKS = {
    "server_url": _Check(
        lambda v: _text(v) and (_HTTPS.fullmatch(v) or _LOOPBACK.fullmatch(v)) is not None,
        'the server\'s https:// address, e.g. "https://feedback.example.nhs.uk" (plain '
        'http:// only for a server on this device, e.g. "http://127.0.0.1:8080")',
    ),
    "enrollment_key": _Check(_text, "the enrollment key text IT was given"),
    "ca_bundle": _Check(
        lambda v: _text(v) and (v == "" or Path(v).is_file()),
        'the path of an existing CA bundle file, or ""',
    ),
    "batch_size": _Check(_whole(1, 1000), "a whole number from 1 to 1000"),
}


SECRET_KEYS = {("sync", "enrollment_key")}


def describe(config: KioskConfig, overridden: set[tuple[str, str]] | None = None) -> list[str]:
    """Every effective setting, where it came from, and secrets masked: for ``--print-config``.

    :param overridden: (section, key) pairs that staff changed in ``ward-settings.json``.
    """
    raw: dict[str, Any] = {}
    if config.source is not None:
        try:
            raw = tomllib.loads(_read_config_text(config.source))
        except (ConfigError, tomllib.TOMLDecodeError, RecursionError, MemoryError):
            raw = {}  # changed or gone since it was loaded: sources then show as "default"
    lines = []
    sections: dict[str, Any] = {
        "location": config.location,
        "survey": config.survey,
        "kiosk": config.kiosk,
        "staff": config.staff,
    }
    if config.sync is not None:
        sections["sync"] = config.sync
    for name, values in sections.items():
        lines.append(f"[{name}]")
        for item in fields(values):
            value = getattr(values, item.name)
            if (name, item.name) in SECRET_KEYS and value:
                shown = '"****" (set)'
            elif isinstance(value, tuple):
                shown = "[" + ", ".join(f'"{v}"' for v in value) + "]"
            elif isinstance(value, str):
                shown = f'"{value}"'
            else:
                shown = str(value).lower() if isinstance(value, bool) else str(value)
            if overridden and (name, item.name) in overridden:
                source = "ward-settings.json (changed by staff)"
            elif item.name in raw.get(name, {}):
                source = str(config.source)
            elif config.source is None and name == "location":
                source = "built-in demo ward"
            else:
                source = "default"
            lines.append(f"{item.name} = {shown}    # {source}")
        lines.append("")
    return lines
