"""Kiosk configuration: every setting declared once, where ``kiosk.toml`` and the data folder
are, and the file loaded into typed dataclasses. A field reads ``name: Annotated[type, Key] =
default``; ``kiosk.config_check`` derives the checks and their sentences from that.
"""

# No ``from __future__ import annotations`` here: the Keys in the fields' annotations must be
# built when each class is, so that their checks see this module's names.
import os
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import platformdirs

from kiosk.config_check import ConfigError as ConfigError
from kiosk.config_check import (
    Key,
    Reader,
    flag,
    is_text,
    is_zone,
    keys_of,
    number,
    ods_code,
    one_line,
    one_of,
    required_of,
    text,
    whole,
)
from sync import fft, safeguarding

APP_NAME = "ward-kiosk"
CONFIG_ENV = "WARD_KIOSK_CONFIG"
CONFIG_NAME = "kiosk.toml"
LAST_GOOD_CONFIG = "last-good-kiosk.toml"
# A real kiosk.toml is a few kilobytes; anything this big is the wrong file, and reading it
# whole would stall start-up.
MAX_CONFIG_BYTES = 1_000_000
# TLS always, except to a server on this very device (the demo, or a local relay).
_HTTPS = re.compile(r"https://[^\s/]+(/\S*)?")
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/?")


@dataclass(frozen=True)
class Location:
    """Who this kiosk reports as: the FFT submission codes and the ward's clock."""

    org_code: Annotated[str, ods_code('the trust\'s ODS code, e.g. "RWD"')]
    site_code: Annotated[str, ods_code('the site\'s ODS code, e.g. "RWDLA"')]
    ward_name: Annotated[str, one_line(1, 100, "the ward's name as reported to NHS England")]
    display_name: Annotated[str, one_line(0, 60, 'the name on screen; "" shows ward_name')] = ""
    timezone: Annotated[
        str,
        text(
            "the ward's clock, which decides the month each answer counts in",
            'an IANA time zone name such as "Europe/London"',
            is_zone,
        ),
    ] = "Europe/London"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.ward_name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SurveySettings:
    """Which survey is asked, in which languages, and where its files are."""

    id: Annotated[
        str, text("the survey asked", 'a survey name from resources/surveys, e.g. "fft-inpatient"')
    ] = "fft-inpatient"
    # None (not set): every language the survey's survey.json lists, in its order, so a
    # language added to the survey is offered without touching every kiosk.toml.
    languages: Annotated[
        tuple[str, ...] | None,
        Key(
            "the languages offered, in switcher order; the first is the kiosk's default. Not "
            "set: every language the survey's survey.json lists, in its order",
            'a list of language codes without repeats, e.g. ["en", "cy", "ur"]',
            lambda v: (
                v is None
                or (
                    isinstance(v, list)
                    and bool(v)
                    and all(map(is_text, v))
                    and len(set(v)) == len(v)
                )
            ),
            convert=lambda v: None if v is None else tuple(v),
        ),
    ] = None
    phone_link: Annotated[
        str,
        text(
            "the ward's online form, shown as a QR code on the thank-you screen",
            'an https:// address, or "" for no QR code',
            lambda v: is_text(v) and (v == "" or re.fullmatch(r"https?://\S+", v) is not None),
        ),
    ] = ""
    lead_in: Annotated[bool, flag('"Thinking about your stay on ..." above the question')] = True
    directory: Annotated[
        str,
        text(
            "a folder of the trust's own survey files",
            "the path of an existing folder of survey folders (each a survey.json and one "
            '<language>.json per language), or "" for the shipped ones',
            lambda v: is_text(v) and (v == "" or Path(v).is_dir()),
        ),
    ] = ""

    @property
    def folder(self) -> Path | None:
        """A trust's own folder of survey files; None means the ones shipped with the kiosk."""
        return Path(self.directory) if self.directory else None


@dataclass(frozen=True)
class KioskSettings:
    """How the patient screens behave, and how long answers stay on the device."""

    idle_reset_seconds: Annotated[
        int, whole(10, 3600, "seconds", "any other screen returns to the question after this")
    ] = 60
    thanks_seconds: Annotated[int, whole(2, 60, "seconds", "the thank-you screen's countdown")] = 6
    repeat_tap_seconds: Annotated[
        int, whole(0, 600, "seconds", "a tap this soon after someone finished is a repeat-tap")
    ] = 10
    fullscreen: Annotated[bool, flag("the kiosk covers the whole screen")] = True
    keyboard: Annotated[
        str,
        one_of(
            ("auto", "qt", "system"),
            "the on-screen keyboard: Qt's, the system's, or auto (Qt's on Linux, the system's "
            "on Windows)",
        ),
    ] = "auto"
    mode: Annotated[str, one_of(fft.MODES, "the FFT collection mode reported to NHS England")] = (
        "Other"
    )
    hide_cursor: Annotated[bool, flag("the mouse pointer is hidden (touch screens)")] = False
    retention_days: Annotated[
        int,
        whole(
            30,
            3650,
            "days",
            "how long responses the central server has acknowledged are kept on the kiosk",
        ),
    ] = 400


DEFAULT_SAFEGUARDING_WORDS = safeguarding.DEFAULT_WORDS


@dataclass(frozen=True)
class StaffSettings:
    """Staff mode: when it locks, and which comments it pins for safeguarding."""

    lock_seconds: Annotated[
        int, whole(30, 1800, "seconds", "staff mode locks after this long without a touch")
    ] = 120
    safeguarding_words: Annotated[
        tuple[str, ...],
        Key(
            "comments containing any of these are pinned and highlighted",
            'a list of words, e.g. ["abuse", "unsafe"]',
            lambda v: isinstance(v, list) and all(is_text(x) and x.strip() for x in v),
            convert=lambda v: tuple(x.strip().lower() for x in v),
        ),
    ] = DEFAULT_SAFEGUARDING_WORDS


@dataclass(frozen=True)
class AccessibilitySettings:
    """Ways in for people who cannot tap or read the screen: one-switch scanning, and the voice
    that reads it aloud (keyboard access is always on)."""

    switch_scanning: Annotated[
        bool,
        flag(
            "a highlight steps through the controls on a timer and one key (a switch) "
            "chooses the highlighted one"
        ),
    ] = False
    scan_seconds: Annotated[
        float, number(0.5, 10, "seconds", "how long the switch's highlight rests on each control")
    ] = 1.5
    scan_key: Annotated[
        str,
        one_of(
            ("space", "return"),
            'the key the switch sends: "space", or "return" (Return or Enter)',
        ),
    ] = "space"
    speech_engine: Annotated[
        str,
        one_of(
            ("auto", "speechd", "sapi", "winrt", "mock"),
            'the engine "Read aloud" speaks through: "auto" (the system\'s own), or one by name',
        ),
    ] = "auto"
    speech_rate: Annotated[
        float, number(-1, 1, "", "how fast the voice reads: -1 slowest, 0 normal, 1 fastest")
    ] = 0.0
    speech_volume: Annotated[float, number(0, 1, "", "how loud the voice is, 0 to 1")] = 0.8


@dataclass(frozen=True)
class SyncSettings:
    """Where answers are sent. The whole [sync] section is optional: without it, sync is off."""

    server_url: Annotated[
        str,
        text(
            "the central server's https:// address, or remove the [sync] section to keep "
            "sync off",
            'the server\'s https:// address, e.g. "https://feedback.example.nhs.uk" (plain '
            'http:// only for a server on this device, e.g. "http://127.0.0.1:8080")',
            lambda v: is_text(v) and (_HTTPS.fullmatch(v) or _LOOPBACK.fullmatch(v)) is not None,
        ),
    ]
    enrollment_key: Annotated[
        str,
        Key(
            "the key IT was given, exchanged for a device token on first contact",
            "the enrollment key text IT was given",
            is_text,
            secret=True,
        ),
    ] = ""
    ca_bundle: Annotated[
        str,
        text(
            "the trust's own CA bundle, for a server whose certificate the trust issued",
            'the path of an existing CA bundle file, or ""',
            lambda v: is_text(v) and (v == "" or Path(v).is_file()),
        ),
    ] = ""
    batch_size: Annotated[int, whole(1, 1000, "", "the most responses sent in one request")] = 500


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
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
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

SECTIONS: dict[str, type] = {
    "location": Location,
    "survey": SurveySettings,
    "kiosk": KioskSettings,
    "sync": SyncSettings,
    "staff": StaffSettings,
    "accessibility": AccessibilitySettings,
}
# Derived from the fields above, once, at import: a field without a Key fails here.
KEYS: dict[str, dict[str, Key]] = {name: keys_of(cls) for name, cls in SECTIONS.items()}
REQUIRED: dict[str, tuple[str, ...]] = {name: required_of(cls) for name, cls in SECTIONS.items()}


def check_value(section: str, key: str, value: Any) -> str | None:
    """The same check the config file gets, for a setting changed on screen: None if good,
    else what was expected."""
    return KEYS[section][key].validate(value)


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
    text = read_config_text(path)
    raw = parse_toml(path, text)
    reader = Reader(path, text)
    sections = reader.read(raw, SECTIONS, optional={"sync"})
    return KioskConfig(
        location=sections["location"],
        survey=sections["survey"],
        kiosk=sections["kiosk"],
        sync=sections["sync"],
        staff=sections["staff"],
        accessibility=sections["accessibility"],
        source=path,
        warnings=tuple(reader.warnings),
    )


def parse_toml(path: Path, text: str) -> dict[str, Any]:
    """*text* as TOML tables. :raises ConfigError: it is not TOML, or is nested absurdly."""
    try:
        return tomllib.loads(text)
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


def read_config_text(path: Path) -> str:
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


class DataDirError(Exception):
    """The data directory cannot be created or written."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def prepare_data_dir(data_dir: Path | None) -> Path:
    """Create the data directory (``--data-dir``, or the platform's) and prove it writable.

    :raises DataDirError: with what to do about it.
    """
    path = data_dir or default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise DataDirError(
            f"data dir {path} is not writable ({exc.strerror or exc}); give the kiosk's user "
            "write access, or choose another folder with --data-dir"
        ) from exc
    return path
