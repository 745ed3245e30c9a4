"""kiosk.toml: the one declaration of its keys, defaults, validation messages, unknown keys
and the search order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import (
    DEMO,
    KEYS,
    REQUIRED,
    SECTIONS,
    ConfigError,
    KioskConfig,
    check_value,
    find_config,
    load_config,
    load_config_file,
)
from kiosk.config_check import flag, keys_of
from kiosk.diagnostics import describe
from tests.helpers import WARD_TOML


def test_a_ward_config_fills_every_default(write_config):
    config = load_config_file(write_config())
    assert config.location.ward_name == "Ward 7 Acute Medicine"
    assert config.location.shown_name == "Ward 7"
    assert config.location.timezone == "Europe/London"
    # Languages not set: the kiosk offers every language the survey lists, in its order.
    assert config.survey.id == "fft-inpatient" and config.survey.languages is None
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


# -- hostile and accidental input: always a ConfigError, never a traceback ----------------


def test_a_file_saved_with_a_bom_loads_and_describes(tmp_path):
    # Windows Notepad ("UTF-8 with BOM") and PowerShell 5 (Out-File -Encoding utf8) write one.
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xef\xbb\xbf" + WARD_TOML.lstrip().encode("utf-8"))
    config = load_config_file(path)
    assert config.location.ward_name == "Ward 7 Acute Medicine"
    assert f'ward_name = "Ward 7 Acute Medicine"    # {path}' in describe(config)


@pytest.mark.parametrize(
    "nested",
    [
        "a = " + "[" * 2000 + "]" * 2000,
        "a = " + "{b = " * 2000 + "1" + "}" * 2000,
    ],
    ids=["arrays", "inline tables"],
)
def test_a_deeply_nested_file_is_a_clear_error(write_config, nested):
    path = write_config(nested)
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: is nested too deeply to be a kiosk.toml (")
    assert "check it is the right file" in problem


def run_check(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WARD_KIOSK_CONFIG"}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config.parent))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--check",
            "--config",
            str(config),
            "--data-dir",
            str(config.parent / "data"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_check_reports_a_deeply_nested_file_without_a_traceback(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("a = " + "[" * 2000 + "]" * 2000, encoding="utf-8")
    result = run_check(path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output and "RecursionError:" not in output
    assert f"FAIL {path}: is nested too deeply to be a kiosk.toml" in result.stdout


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\x00" * 64, "is not valid TOML"),
        (WARD_TOML.encode() + b'\n[kiosk]\nmode = "Oth\x00er"\n', "is not valid TOML"),
        (WARD_TOML.encode() + b"\n# caf\xe9\n", "is not UTF-8 text (byte 0xe9 at position"),
        (b"\xff\xfe" + WARD_TOML.encode("utf-16-le"), "is not UTF-8 text"),
        (os.urandom(4096), ""),
        (b"x = 1\n" * 200_000, "far too big to be a kiosk.toml"),
    ],
    ids=["NULs", "NUL in a value", "Latin-1", "UTF-16", "random bytes", "huge"],
)
def test_binary_and_misencoded_files_are_config_errors(tmp_path, data, fragment):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert str(caught.value).startswith(f"{path}: ") and fragment in str(caught.value)


def test_a_folder_given_as_the_config_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config_file(tmp_path)


@pytest.mark.parametrize("key", ["ward_name", "display_name", "org_code", "site_code"])
@pytest.mark.parametrize("control", ["\\u0000", "\\t", "\\n", "\\u001b", "\\u007f", "\\u0085"])
def test_control_characters_in_the_wards_identity_are_refused(tmp_path, key, control):
    values = {
        "org_code": "RWD",
        "site_code": "RWDLA",
        "ward_name": "Ward 7 Acute Medicine",
        "display_name": "Ward 7",
    }
    values[key] = values[key][:3] + control + values[key][3:]
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "[location]\n" + "".join(f'{k} = "{v}"\n' for k, v in values.items()), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path} line ") and f"[location] {key} is " in problem
    if key in ("ward_name", "display_name"):
        assert problem.endswith("without control characters (tabs, line breaks, NUL)")


def test_a_huge_or_deep_wrong_value_is_quoted_briefly(write_config):
    path = write_config("[kiosk]\nmode = " + "[" * 50 + '"x"' + "]" * 50 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    (problem,) = caught.value.problems
    assert "[kiosk] mode is [[[[...]]]]; expected one of" in problem


def test_thousands_of_unknown_keys_are_reported_quickly(write_config):
    path = write_config("[kiosk]\n" + "".join(f"k{i} = {i}\n" for i in range(20_000)))
    start = time.perf_counter()
    config = load_config_file(path)
    assert time.perf_counter() - start < 5  # once a line scan per key: minutes
    assert (
        len(config.warnings) == 20_000
        and "line 9: [kiosk] k0 is not a known" in (config.warnings[0])
    )


# Fragments a hand-edited or attacked kiosk.toml might be made of: every section and key the
# kiosk knows, some it does not, and values of every TOML type, good and bad.
_KEYS = [key for keys in KEYS.values() for key in keys] + ["x", "ward name"]
_SECTION_NAMES = [*KEYS, "colours", "location.extra"]


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML basic-string escapes; control characters come out escaped.
    return json.dumps(text, ensure_ascii=False)


def _toml_float(number: float) -> str:
    if number != number:
        return "nan"
    return {float("inf"): "inf", float("-inf"): "-inf"}.get(number, repr(number))


_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats().map(_toml_float),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30).map(_toml_string),
    st.sampled_from(
        [
            "1979-05-27",
            "07:32:00",
            "1979-05-27T07:32:00Z",
            '"Europe/London"',
            '"RWD"',
            '"https://x.nhs.uk"',
            '"http://127.0.0.1:8080"',
            '""',
        ]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(_KEYS).map(_toml_string), inner, max_size=3).map(
            lambda table: "{" + ", ".join(f"{k} = {v}" for k, v in table.items()) + "}"
        ),
    ),
    max_leaves=12,
)
_lines = st.one_of(
    st.tuples(st.sampled_from(_KEYS).map(_toml_string), _values).map(lambda kv: " = ".join(kv)),
    st.sampled_from(_SECTION_NAMES).map(lambda name: f"[{name}]"),
    st.sampled_from(_SECTION_NAMES).map(lambda name: f"[[{name}]]"),
    st.text(max_size=40),
    st.integers(1, 3000).map(lambda depth: "deep = " + "[" * depth + "]" * depth),
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.lists(_lines, max_size=25).map(
            lambda lines: ("\n".join(lines)).encode("utf-8", "surrogatepass")
        ),
    ),
    with_ward=st.booleans(),
)
def test_any_input_gives_a_config_or_a_config_error(tmp_path, data, with_ward):
    path = tmp_path / "fuzz.toml"
    path.write_bytes((WARD_TOML.encode() + b"\n" if with_ward else b"") + data)
    try:
        config = load_config_file(path)
    except ConfigError as exc:
        assert exc.problems and all(problem.startswith(str(path)) for problem in exc.problems)
    else:
        assert isinstance(config, KioskConfig)
        assert describe(config)


# -- the one declaration: every key's type, bounds, default and sentence ------------------


def _declared() -> list[tuple[str, str]]:
    return [(section, key) for section, keys in KEYS.items() for key in keys]


def _default(section: str, key: str) -> object:
    (item,) = [f for f in fields(SECTIONS[section]) if f.name == key]
    return item.default


def test_only_the_wards_identity_and_the_server_have_no_default():
    assert REQUIRED == {
        "location": ("org_code", "site_code", "ward_name"),
        "survey": (),
        "kiosk": (),
        "sync": ("server_url",),
        "staff": (),
        "accessibility": (),
    }


@pytest.mark.parametrize(("section", "key"), _declared())
def test_every_key_says_what_it_is_for_and_what_it_expects(section, key):
    declared = KEYS[section][key]
    assert declared.help and declared.expected
    if key in REQUIRED[section]:
        return
    default = _default(section, key)
    # The default passes the key's own check, in the form TOML would give it.
    as_toml = list(default) if isinstance(default, tuple) else default
    assert declared.validate(as_toml) is None
    assert declared.convert(as_toml) == default


@pytest.mark.parametrize(
    ("section", "key"),
    [(s, k) for s, k in _declared() if isinstance(_default(s, k), int)],
)
def test_every_number_has_bounds_that_it_keeps_and_says(section, key):
    declared = KEYS[section][key]
    if isinstance(_default(section, key), bool):
        assert declared.expected == "true or false"
        return
    assert declared.bounds is not None
    low, high = declared.bounds
    assert low <= _default(section, key) <= high
    assert f"from {low} to {high}" in declared.expected
    assert declared.validate(low) is None and declared.validate(high) is None
    assert declared.validate(low - 1) and declared.validate(high + 1)


def _wrong_type(section: str, key: str) -> object:
    default = _default(section, key)
    if isinstance(default, bool):
        return "yes"
    if isinstance(default, int | float):
        return "sixty"
    if isinstance(default, tuple):
        return "en"  # one text, not a list
    return 7  # every text key wants text


def _toml(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)


_IDENTITY = {"org_code": "RWD", "site_code": "RWDLA", "ward_name": "Ward 7 Acute Medicine"}


@pytest.mark.parametrize(("section", "key"), _declared())
def test_a_bad_value_for_any_key_names_the_file_line_key_and_expectation(tmp_path, section, key):
    tables: dict[str, dict[str, object]] = {"location": dict(_IDENTITY)}
    if section == "sync":
        tables["sync"] = {"server_url": "https://feedback.example.nhs.uk"}
    bad = _wrong_type(section, key)
    tables.setdefault(section, {})[key] = bad
    lines = []
    for name, values in tables.items():
        lines += [f"[{name}]", *(f"{k} = {_toml(v)}" for k, v in values.items()), ""]
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    line = lines.index(f"{key} = {_toml(bad)}") + 1

    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert caught.value.problems == [
        f"{path} line {line}: [{section}] {key} is {bad!r}; "
        f"expected {KEYS[section][key].expected}"
    ]


def test_retention_is_400_days_unless_set_from_30_to_3650(write_config):
    assert load_config_file(write_config()).kiosk.retention_days == 400
    shortest = load_config_file(write_config("[kiosk]\nretention_days = 30\n"))
    assert shortest.kiosk.retention_days == 30
    path = write_config("[kiosk]\nretention_days = 29\n")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert caught.value.problems == [
        f"{path} line 9: [kiosk] retention_days is 29; "
        "expected a whole number of days from 30 to 3650"
    ]


def test_an_empty_required_value_is_missing_and_says_what_to_set(write_config):
    path = write_config('[sync]\nserver_url = ""\n')
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert caught.value.problems == [
        f"{path} line 9: [sync] server_url is missing; set it to the central server's https:// "
        "address, or remove the [sync] section to keep sync off"
    ]


def test_a_field_declared_without_a_key_is_a_bug_found_at_import():
    @dataclass(frozen=True)
    class Forgotten:
        shown: Annotated[bool, flag("shown")] = True
        colour: str = "blue"

    with pytest.raises(TypeError, match=r"Forgotten.colour needs exactly one Key"):
        keys_of(Forgotten)


def test_staff_screens_get_the_same_check_as_the_file():
    assert check_value("kiosk", "idle_reset_seconds", 60) is None
    assert check_value("kiosk", "idle_reset_seconds", 5) == (
        "is 5; expected a whole number of seconds from 10 to 3600"
    )


def test_switch_scanning_is_off_by_default_and_set_in_its_own_section(write_config):
    config = load_config_file(write_config())
    assert not config.accessibility.switch_scanning
    assert config.accessibility.scan_seconds == 1.5
    assert config.accessibility.scan_key == "space"
    path = write_config(
        '[accessibility]\nswitch_scanning = true\nscan_seconds = 2\nscan_key = "return"\n'
    )
    access = load_config_file(path).accessibility
    assert access.switch_scanning and access.scan_seconds == 2.0 and access.scan_key == "return"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("scan_seconds = 0.4", "is 0.4; expected a number of seconds from 0.5 to 10"),
        ("scan_seconds = 10.5", "is 10.5; expected a number of seconds from 0.5 to 10"),
        ('scan_key = "tab"', """is 'tab'; expected "space" or "return" """.strip()),
    ],
)
def test_scanning_settings_out_of_bounds_say_what_is_allowed(write_config, setting, expected):
    path = write_config(f"[accessibility]\n{setting}\n")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    key = setting.split()[0]
    assert caught.value.problems == [f"{path} line 9: [accessibility] {key} {expected}"]
