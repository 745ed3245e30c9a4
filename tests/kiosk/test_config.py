"""kiosk.toml: defaults, validation messages, unknown keys and the search order."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DEMO, ConfigError, find_config, load_config, load_config_file
from tests.helpers import WARD_TOML


def test_a_ward_config_fills_every_default(write_config):
    config = load_config_file(write_config())
    assert config.location.ward_name == "Ward 7 Acute Medicine"
    assert config.location.shown_name == "Ward 7"
    assert config.location.timezone == "Europe/London"
    assert config.survey.id == "fft-inpatient" and config.survey.languages == ("en", "cy", "ur")
    assert config.kiosk.idle_reset_seconds == 60 and config.kiosk.repeat_tap_seconds == 10
    assert config.kiosk.mode == "Other" and config.kiosk.fullscreen
    assert config.sync is None and not config.is_demo and config.warnings == ()


def test_the_design_example_config_loads(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        WARD_TOML
        + """
timezone = "Europe/London"

[survey]
id = "fft-inpatient"
languages = ["en", "cy", "ur"]
phone_link = "https://example.nhs.uk/feedback/ward7"

[kiosk]
idle_reset_seconds = 60
thanks_seconds = 6
repeat_tap_seconds = 10
fullscreen = true

[sync]
server_url = "https://feedback.example.nhs.uk"
enrollment_key = "abc"
ca_bundle = ""
batch_size = 500
""",
        encoding="utf-8",
    )
    config = load_config_file(path)
    assert config.sync is not None and config.sync.batch_size == 500
    assert config.survey.phone_link.endswith("/ward7")


def test_unknown_keys_are_warned_about_by_name(write_config):
    config = load_config_file(write_config("[kiosk]\nidle_reset_secs = 30\n[colours]\nx = 1\n"))
    text = "\n".join(config.warnings)
    assert "[kiosk] idle_reset_secs is not a known setting" in text
    assert "line 9: [kiosk] idle_reset_secs" in text
    assert "unknown section [colours]" in text


def test_wrong_types_name_the_file_line_and_key(write_config):
    path = write_config('[kiosk]\nidle_reset_seconds = "sixty"\nfullscreen = "yes"\n')
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    problems = caught.value.problems
    assert problems[0] == (
        f"{path} line 9: [kiosk] idle_reset_seconds is 'sixty'; "
        "expected a whole number of seconds from 10 to 3600"
    )
    assert "[kiosk] fullscreen is 'yes'; expected true or false" in problems[1]


def test_malformed_toml_says_so(write_config):
    with pytest.raises(ConfigError, match=r"is not valid TOML .*line 8"):
        load_config_file(write_config("[kiosk\nfullscreen = true\n"))


def test_the_wards_identity_is_required(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[location]\norg_code = "RWD"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert f"{path}: [location] ward_name is missing; set it to the ward's name" in str(
        caught.value
    )
    assert "site_code is missing" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('timezone = "Mars/Olympus"', "[location] timezone"),
        ("[survey]\nlanguages = []", "[survey] languages"),
        ('[survey]\nphone_link = "ftp://x"', "[survey] phone_link"),
        ('[kiosk]\nmode = "Kiosk"', "[kiosk] mode"),
        ('[sync]\nenrollment_key = "k"', "[sync] server_url is missing"),
        ('[sync]\nserver_url = "https://x.nhs.uk"\nbatch_size = 5000', "[sync] batch_size"),
        ('[sync]\nserver_url = "http://feedback.example.nhs.uk"', "[sync] server_url"),
    ],
)
def test_bad_values_are_refused_with_their_key(write_config, extra, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_config_file(write_config(extra))


def test_no_file_anywhere_means_the_demo_ward():
    assert load_config() is DEMO
    assert DEMO.is_demo and DEMO.sync is None


def test_search_order_explicit_then_env_then_user_then_system(tmp_path, monkeypatch):
    paths = {name: tmp_path / f"{name}.toml" for name in ("explicit", "env", "user", "system")}
    for path in paths.values():
        path.write_text(WARD_TOML, encoding="utf-8")
    monkeypatch.setattr("kiosk.config.user_config_path", lambda: paths["user"])
    monkeypatch.setattr("kiosk.config.system_config_path", lambda: paths["system"])
    monkeypatch.setenv("WARD_KIOSK_CONFIG", str(paths["env"]))

    assert find_config(paths["explicit"]) == paths["explicit"]
    assert find_config() == paths["env"]
    monkeypatch.delenv("WARD_KIOSK_CONFIG")
    assert find_config() == paths["user"]
    paths["user"].unlink()
    assert find_config() == paths["system"]


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path, monkeypatch):
    with pytest.raises(ConfigError, match="check the --config path"):
        find_config(tmp_path / "nope.toml")
    monkeypatch.setenv("WARD_KIOSK_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="WARD_KIOSK_CONFIG"):
        find_config()


def test_the_system_wide_file_is_in_programdata_on_windows(monkeypatch):
    from pathlib import PureWindowsPath

    from kiosk import config

    monkeypatch.undo()  # the real function, not the conftest's stand-in
    monkeypatch.setattr(config.sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", r"C:\ProgramData")
    assert PureWindowsPath(str(config.system_config_path())) == PureWindowsPath(
        r"C:\ProgramData\ward-kiosk\kiosk.toml"
    )
    monkeypatch.setattr(config.sys, "platform", "linux")
    assert str(config.system_config_path()) == "/etc/ward-kiosk/kiosk.toml"
