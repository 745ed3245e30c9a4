"""What staff change on the kiosk (``ward-settings.json``): kept across restarts, checked as
kiosk.toml is, laid over it, and never lost to a damaged file or a full disk. No Qt here."""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path

import pytest

import sync.atomic
from kiosk.config import DEMO, load_config_file
from kiosk.settings import (
    SETTINGS_FILE,
    SettingError,
    WardSettings,
    apply,
    changed_keys,
    load_settings,
    save_settings,
    validate,
)


def test_no_file_means_no_changes(tmp_path: Path):
    assert load_settings(tmp_path) == WardSettings()
    assert changed_keys(load_settings(tmp_path)) == set()


def test_saved_settings_come_back_after_a_restart(tmp_path: Path):
    saved = WardSettings(
        display_name="Ward 7 (Day unit)",
        languages=["en", "ur"],
        idle_reset_seconds=90,
        phone_link="https://example.nhs.uk/w7",
        safeguarding_words=["hurt"],
        actions="You said the bay was noisy at night: we now dim the lights at 10pm.",
        paused=True,
    )
    save_settings(tmp_path, saved)
    assert load_settings(tmp_path) == saved
    assert not (tmp_path / SETTINGS_FILE).with_suffix(".tmp").exists()


@pytest.mark.parametrize(
    "content",
    [
        '{"display_name": "Ward',  # cut off mid-write by a power cut
        "[1, 2, 3]",
        "null",
        "\x00\x00\x00",
        '{"idle_reset_seconds": 5}',
        '{"languages": "en"}',
        '{"display_name": "Ward\\n7"}',
    ],
    ids=["truncated", "a list", "null", "binary", "too short", "not a list", "line break"],
)
def test_a_damaged_or_refused_file_means_kiosk_toml_settings(tmp_path: Path, caplog, content):
    (tmp_path / SETTINGS_FILE).write_text(content, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="kiosk.settings"):
        assert load_settings(tmp_path) == WardSettings()
    assert f"{tmp_path / SETTINGS_FILE} is unreadable" in caplog.text
    assert "using kiosk.toml's settings" in caplog.text


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "idle_reset_seconds",
            5,
            "idle reset seconds is 5; expected a whole number of seconds from 10 to 3600",
        ),
        ("idle_reset_seconds", True, "idle reset seconds is True; expected a whole number"),
        (
            "languages",
            ["en", "en"],
            "languages is ['en', 'en']; expected a list of language codes without repeats",
        ),
        ("phone_link", "www.nhs.uk", "phone link is 'www.nhs.uk'; expected an https:// address"),
        ("display_name", "x" * 61, "display name is 'xxxx"),
        ("safeguarding_words", ["hurt", " "], "safeguarding words is ['hurt', ' ']"),
    ],
)
def test_a_bad_value_is_refused_with_what_was_expected(name, value, message):
    with pytest.raises(SettingError) as caught:
        validate(name, value)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("idle_reset_seconds", 10),
        ("idle_reset_seconds", 3600),
        ("languages", ["cy"]),
        ("phone_link", ""),
        ("display_name", "Ward 7"),
        ("safeguarding_words", []),
    ],
)
def test_a_good_value_is_accepted(name, value):
    validate(name, value)


def test_staff_settings_are_laid_over_kiosk_toml(write_config):
    config = load_config_file(write_config('[survey]\nlanguages = ["en", "cy"]\n'))
    changes = WardSettings(
        display_name="Day unit", idle_reset_seconds=120, safeguarding_words=[" Hurt ", "", "HIT"]
    )
    changed = apply(config, changes)
    assert changed.location.shown_name == "Day unit"
    assert changed.location.ward_name == "Ward 7 Acute Medicine"  # what NHS England sees
    assert changed.kiosk.idle_reset_seconds == 120
    assert changed.staff.safeguarding_words == ("hurt", "hit")
    assert changed.survey.languages == ("en", "cy")  # not changed by staff: kiosk.toml's
    assert config.location.shown_name == "Ward 7"  # the loaded config itself is untouched
    assert changed_keys(changes) == {
        ("location", "display_name"),
        ("kiosk", "idle_reset_seconds"),
        ("staff", "safeguarding_words"),
    }


def test_no_staff_changes_leave_the_config_as_it_was():
    assert apply(DEMO, WardSettings()) == DEMO


def test_a_full_disk_keeps_the_settings_that_were_saved(tmp_path: Path, monkeypatch):
    before = WardSettings(languages=["en", "cy"], paused=True)
    save_settings(tmp_path, before)

    def disk_full(fd: int) -> None:  # the new file's blocks could not all be written
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sync.atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        save_settings(tmp_path, WardSettings(languages=["en"]))
    monkeypatch.undo()
    assert load_settings(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [SETTINGS_FILE]


def test_the_file_is_plain_json_that_it_can_read(tmp_path: Path):
    # IT may read or remove it by hand; it holds only what staff chose.
    save_settings(tmp_path, WardSettings(actions="Quieter nights", idle_reset_seconds=45))
    raw = json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert raw["actions"] == "Quieter nights" and raw["idle_reset_seconds"] == 45
    assert "extra" not in raw
