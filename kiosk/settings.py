"""What ward staff change on the kiosk itself, kept across restarts in the data dir.

``kiosk.toml`` belongs to IT and may be managed centrally, so staff changes never rewrite it.
They live in ``ward-settings.json`` beside the responses and are laid over the config at
start-up. Each value is checked exactly as the config file's would be.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, check_value
from sync.atomic import write_json

log = logging.getLogger(__name__)

SETTINGS_FILE = "ward-settings.json"


class SettingError(ValueError):
    """A value staff typed that cannot be used; the message says what is expected."""


@dataclass
class WardSettings:
    """Staff's own settings; None means "as kiosk.toml says".

    Attributes:
        actions: the "You said, we did" text for the public board.
        paused: collection is paused (e.g. after a bereavement on the bay).
    """

    display_name: str | None = None
    languages: list[str] | None = None
    idle_reset_seconds: int | None = None
    phone_link: str | None = None
    safeguarding_words: list[str] | None = None
    actions: str = ""
    paused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_WHERE = {
    "display_name": ("location", "display_name"),
    "languages": ("survey", "languages"),
    "idle_reset_seconds": ("kiosk", "idle_reset_seconds"),
    "phone_link": ("survey", "phone_link"),
    "safeguarding_words": ("staff", "safeguarding_words"),
}


def validate(name: str, value: Any) -> None:
    """Refuse *value* for setting *name* as the config file would."""
    section, key = _WHERE[name]
    problem = check_value(section, key, value)
    if problem:
        raise SettingError(f"{name.replace('_', ' ')} {problem}")


def load_settings(data_dir: Path) -> WardSettings:
    """The saved settings; a missing or damaged file means none (and is logged)."""
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return WardSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        settings = WardSettings(
            actions=str(raw.get("actions", "")), paused=bool(raw.get("paused", False))
        )
        for name in _WHERE:
            if raw.get(name) is not None:
                validate(name, raw[name])
                setattr(settings, name, raw[name])
        return settings
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.error("%s is unreadable (%s); using kiosk.toml's settings", path, exc)
        return WardSettings()


def save_settings(data_dir: Path, settings: WardSettings) -> None:
    """Write *settings* so that the file on disk is always the old one or the new one, whole.

    :raises OSError: it could not be written (a full disk); the old file is kept as it was.
    """
    data = {k: v for k, v in asdict(settings).items() if k != "extra"}
    write_json(data_dir / SETTINGS_FILE, data, indent=2)


def changed_keys(settings: WardSettings) -> set[tuple[str, str]]:
    """The (section, key) pairs that *settings* override."""
    return {_WHERE[name] for name in _WHERE if getattr(settings, name) is not None}


def apply(config: KioskConfig, settings: WardSettings) -> KioskConfig:
    """*config* with staff's settings laid over it."""
    location, survey, kiosk, staff = config.location, config.survey, config.kiosk, config.staff
    if settings.display_name is not None:
        location = replace(location, display_name=settings.display_name)
    if settings.languages is not None:
        survey = replace(survey, languages=tuple(settings.languages))
    if settings.phone_link is not None:
        survey = replace(survey, phone_link=settings.phone_link)
    if settings.idle_reset_seconds is not None:
        kiosk = replace(kiosk, idle_reset_seconds=settings.idle_reset_seconds)
    if settings.safeguarding_words is not None:
        words = tuple(w.strip().lower() for w in settings.safeguarding_words if w.strip())
        staff = replace(staff, safeguarding_words=words)
    return replace(config, location=location, survey=survey, kiosk=kiosk, staff=staff)
