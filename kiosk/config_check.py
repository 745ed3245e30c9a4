"""Checking ``kiosk.toml`` against its one declaration: ``Key`` (how a setting is checked and
explained), the kinds of key, and the reader that turns each table into a dataclass or into
sentences naming the file, line and key ("kiosk.toml line 9: [kiosk] mode is 'x'; expected ...").
"""

from __future__ import annotations

import functools
import re
import reprlib
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """The configuration cannot be used. ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# A problem quotes the value it found; a huge or deeply nested one is shortened.
_shown = reprlib.Repr()
_shown.maxstring = 80
_shown.maxother = 80
_shown.maxlevel = 3


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Key:
    """One setting's declaration, apart from its type and default (which its field holds).

    Attributes:
        help: what the setting is for; a required one that is missing says "set it to <help>".
        expected: what a good value looks like, as in "is 'x'; expected <expected>".
        ok: the check itself; an exception inside it counts as a bad value.
        bounds: the least and most a number may be, or a text's shortest and longest.
        convert: from the TOML value to the stored one (a list becomes a tuple).
        secret: masked wherever the configuration is shown.
    """

    help: str
    expected: str
    ok: Callable[[Any], bool]
    bounds: tuple[int, int] | None = None
    convert: Callable[[Any], Any] = _same
    secret: bool = False

    def validate(self, value: Any) -> str | None:
        """None if *value* is good, else the end of the sentence: "is 5000; expected ..."."""
        try:
            good = self.ok(value)
        except Exception:
            good = False
        return None if good else f"is {_shown.repr(value)}; expected {self.expected}"


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def _printable(value: Any) -> bool:
    """Text with no control characters: the central server refuses NUL, and a line break
    or tab in a ward's name would break every report and CSV that shows it."""
    return is_text(value) and not any(unicodedata.category(ch) == "Cc" for ch in value)


def is_zone(value: Any) -> bool:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def whole(low: int, high: int, unit: str, help: str) -> Key:
    """A whole number from *low* to *high*; *unit* is "seconds", "days" or ""."""
    of = f" of {unit}" if unit else ""
    return Key(
        help,
        f"a whole number{of} from {low} to {high}",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
        (low, high),
    )


def number(low: float, high: float, unit: str, help: str) -> Key:
    """A number, whole or not, from *low* to *high*; *unit* is "seconds" or ""."""
    of = f" of {unit}" if unit else ""
    return Key(
        help,
        f"a number{of} from {low:g} to {high:g}",
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high,
        convert=float,
    )


def flag(help: str) -> Key:
    return Key(help, "true or false", lambda v: isinstance(v, bool))


def one_of(options: Sequence[str], help: str) -> Key:
    quoted = [f'"{option}"' for option in options]
    if len(quoted) <= 3:
        expected = ", ".join(quoted[:-1]) + " or " + quoted[-1]
    else:
        expected = "one of " + ", ".join(quoted)
    return Key(help, expected, lambda v: v in options)


def one_line(low: int, high: int, help: str) -> Key:
    """A name shown on screen and in every report: *low* to *high* characters, one line."""
    size = f"{low} to {high}" if low else f"up to {high}"
    return Key(
        help,
        f"text of {size} characters on one line, without control characters (tabs, line "
        "breaks, NUL)",
        lambda v: _printable(v) and len(v.strip()) >= low and len(v) <= high,
        (low, high),
    )


_ODS_CODE = re.compile(r"[A-Z0-9]{3,9}")


def ods_code(help: str) -> Key:
    return Key(
        help,
        "an ODS code of 3 to 9 capital letters or digits",
        lambda v: bool(_ODS_CODE.fullmatch(v)),
        (3, 9),
    )


def text(help: str, expected: str, ok: Callable[[Any], bool] = is_text) -> Key:
    return Key(help, expected, ok)


@functools.cache
def keys_of(cls: type) -> dict[str, Key]:
    """Each field's Key, read from its ``Annotated`` type; a field without one is a bug."""
    hints = get_type_hints(cls, include_extras=True)
    keys = {}
    for item in fields(cls):
        found = [meta for meta in get_args(hints[item.name])[1:] if isinstance(meta, Key)]
        if len(found) != 1:
            raise TypeError(f"{cls.__name__}.{item.name} needs exactly one Key in Annotated[]")
        keys[item.name] = found[0]
    return keys


def required_of(cls: type) -> tuple[str, ...]:
    """The fields with no default: the file must set them."""
    return tuple(item.name for item in fields(cls) if item.default is MISSING)


class Reader:
    """Reads one parsed file's tables into dataclasses, collecting every problem.

    Attributes:
        problems: sentences that stop the kiosk, each naming the file, line and key.
        warnings: sentences worth fixing that do not (unknown sections and keys).
    """

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _line_index(text)
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def where(self, section: str, key: str | None = None) -> str:
        line = self.lines.get((section, key))
        name = f"[{section}] {key}" if key else f"[{section}]"
        return f"{self.path} line {line}: {name}" if line else f"{self.path}: {name}"

    def problem(self, section: str, key: str | None, message: str) -> None:
        self.problems.append(f"{self.where(section, key)} {message}")

    def read(
        self, raw: dict[str, Any], sections: Mapping[str, type], optional: Collection[str]
    ) -> dict[str, Any]:
        """One dataclass per section (None for an optional one that is absent).

        :raises ConfigError: listing every problem found.
        """
        for name in raw:
            if name not in sections:
                self.warnings.append(
                    f"{self.path} line {self.lines.get((name, None))}: unknown section "
                    f"[{name}] is ignored; known sections are {', '.join(sections)}"
                )
        result: dict[str, Any] = {}
        for name, cls in sections.items():
            if name in optional and name not in raw:
                result[name] = None
                continue
            values = raw.get(name, {})
            if not isinstance(values, dict):
                self.problem(name, None, "must be a table, e.g. [" + name + "]")
                values = {}
            result[name] = self.section(name, cls, values)
        if self.problems:
            raise ConfigError(self.problems)
        return result

    def section(self, name: str, cls: type, values: dict[str, Any]) -> Any:
        """*values* checked key by key into *cls*; None if any was refused (all are said)."""
        keys, required = keys_of(cls), required_of(cls)
        before = len(self.problems)
        for key in required:
            if values.get(key, "") == "":
                self.problem(name, key, f"is missing; set it to {keys[key].help}")
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in keys:
                self.warnings.append(
                    f"{self.where(name, key)} is not a known setting and is ignored; "
                    f"known settings are {', '.join(keys)}"
                )
            elif value == "" and key in required:
                continue  # already reported as missing
            elif message := keys[key].validate(value):
                self.problem(name, key, message)
            else:
                kwargs[key] = keys[key].convert(value)
        return None if len(self.problems) > before else cls(**kwargs)


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
