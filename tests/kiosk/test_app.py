"""The kiosk as IT starts it: ``--check`` on good and bad input, the last good config, the
on-screen keyboard choice, ``set-pin``, and the ``kiosk.app`` names outside suites import."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.resources import surveys_dir
from kiosk.survey_files import read_survey_file
from kiosk.ui.launch import input_method
from tests.helpers import WARD_TOML


def run_check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "WARD_KIOSK_CONFIG"}
    base.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(Path(args[-1]).parent))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--check", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
    )


def test_check_passes_on_a_good_config(tmp_path):
    config = tmp_path / "kiosk.toml"
    # Qt's mock engine, whose voices speak English only: a language without a voice is a
    # warning ("Read aloud" is hidden), never a failure.
    speech = '[accessibility]\nspeech_engine = "mock"\n'
    config.write_text(WARD_TOML + speech, encoding="utf-8")
    result = run_check("--config", str(config), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # kiosk.toml sets no languages: every one the survey lists, each with its font and voice.
    others = len(read_survey_file("fft-inpatient").languages) - 1
    assert [line.split()[0:2] for line in lines] == [
        ["config", "OK"],
        ["survey", "OK"],
        ["data", "dir"],
        ["fonts", "OK"],
        *[["fonts", "OK"]] * others,
        ["voices", "OK"],
        *[["voices", "WARN"]] * others,
    ]
    assert "Ward 7 Acute Medicine (RWD / RWDLA)" in lines[0]
    assert "ur (draft translation)" in lines[1]
    assert "integrity ok" in lines[2]


def _survey_without_urdu_send(tmp_path: Path) -> Path:
    folder = tmp_path / "surveys"
    shutil.copytree(surveys_dir() / "fft-inpatient", folder / "fft-inpatient")
    urdu = folder / "fft-inpatient" / "ur.json"
    data = json.loads(urdu.read_text(encoding="utf-8"))
    del data["text"]["send"]
    urdu.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


BAD_INPUTS = {
    "malformed TOML": ("[location\norg_code = 'RWD'\n", "is not valid TOML"),
    "wrong types": (
        WARD_TOML + "[kiosk]\nrepeat_tap_seconds = true\n",
        "[kiosk] repeat_tap_seconds",
    ),
    "unknown survey": (WARD_TOML + '[survey]\nid = "fft-maternity"\n', "survey 'fft-maternity'"),
    "missing string": (
        WARD_TOML + '[survey]\ndirectory = "{surveys}"\n',
        "ur.json: text.send is missing",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_check_names_the_problem_and_exits_non_zero(tmp_path, case):
    text, expected = BAD_INPUTS[case]
    if "{surveys}" in text:
        text = text.replace("{surveys}", str(_survey_without_urdu_send(tmp_path)))
    config = tmp_path / "kiosk.toml"
    config.write_text(text, encoding="utf-8")
    result = run_check("--config", str(config), "--data-dir", str(tmp_path / "data"))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert "Traceback" not in output
    failing = [line for line in result.stdout.splitlines() if " FAIL " in line]
    assert failing and all(str(tmp_path) in line or "survey '" in line for line in failing)


def test_check_refuses_an_unwritable_data_dir(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML + '[accessibility]\nspeech_engine = "mock"\n', encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_check("--config", str(config), "--data-dir", str(blocker / "data"))
    assert result.returncode != 0
    assert f"data dir  FAIL data dir {blocker / 'data'} is not writable" in result.stdout
    assert "--data-dir" in result.stdout and "Traceback" not in result.stderr


def test_the_kiosk_refuses_to_start_on_a_broken_config_with_a_clear_message(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("[location\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "ward-kiosk cannot start" in result.stderr and "Traceback" not in result.stderr


def test_a_broken_config_falls_back_to_the_last_one_that_worked(qtbot, tmp_path):
    from kiosk.app import create_kiosk
    from kiosk.config import LAST_GOOD_CONFIG

    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML, encoding="utf-8")
    window = create_kiosk(config, tmp_path / "data")
    qtbot.addWidget(window)
    window.store.close()
    assert (tmp_path / "data" / LAST_GOOD_CONFIG).read_text(encoding="utf-8") == WARD_TOML


@pytest.mark.parametrize(
    ("setting", "platform", "expected"),
    [
        ("auto", "linux", "qtvirtualkeyboard"),
        ("auto", "win32", None),
        ("qt", "win32", "qtvirtualkeyboard"),
        ("system", "linux", None),
    ],
)
def test_on_screen_keyboard_choice(setting, platform, expected):
    assert input_method(setting, platform) == expected


def test_qt_virtual_keyboard_plugin_is_installed():
    import PySide6

    plugins = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforminputcontexts"
    assert any(
        p.name.startswith("libqtvirtualkeyboardplugin") or "qtvirtualkeyboard" in p.name
        for p in plugins.iterdir()
    ), "PySide6-Addons with Qt Virtual Keyboard is missing"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt install xvfb)")
def test_virtual_keyboard_appears_for_the_comment_box_on_a_real_display(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML, encoding="utf-8")
    script = Path(__file__).with_name("keyboard_probe.py")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_IM_MODULE")}
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            sys.executable,
            str(script),
            str(config),
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keyboard visible" in result.stdout


def test_set_pin_stores_a_pin_that_then_works(tmp_path):
    from kiosk.staff import StaffPin

    def set_pin(typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "set-pin", "--data-dir", str(tmp_path)],
            input=typed,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert set_pin("4821\n4822\n").returncode == 1 and not StaffPin(tmp_path).is_set
    assert "4 to 8 digits" in set_pin("12\n12\n").stderr
    result = set_pin("4821\n4821\n")
    assert result.returncode == 0, result.stderr
    assert StaffPin(tmp_path).check("4821").ok
    assert "4821" not in result.stdout


def set_pin_stdin(data_dir: Path, typed: str) -> subprocess.CompletedProcess[str]:
    """``ward-kiosk set-pin --pin-stdin``, as an IT script rolling out tablets runs it."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "set-pin", "--pin-stdin", "--data-dir", str(data_dir)],
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_set_pin_from_stdin_stores_only_a_hash(tmp_path):
    from kiosk.staff import PIN_FILE, StaffPin

    # `echo 2468 | ...` on Windows sends "2468 \r\n": the blanks are not part of the PIN.
    result = set_pin_stdin(tmp_path, "2468 \r\n")
    assert result.returncode == 0, result.stderr
    assert "2468" not in (tmp_path / PIN_FILE).read_text(encoding="utf-8")
    assert "2468" not in result.stdout + result.stderr
    assert StaffPin(tmp_path).check("2468").ok


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12\n", "The PIN was not set: a staff PIN is 4 to 8 digits."),
        ("7777\n", "may not be one digit repeated"),
        ("", "No PIN was given on standard input"),
        ("\n", "echo 2468 | ward-kiosk set-pin --pin-stdin"),
    ],
)
def test_set_pin_from_stdin_refuses_a_bad_pin(tmp_path, typed, says):
    from kiosk.staff import StaffPin

    result = set_pin_stdin(tmp_path, typed)
    assert result.returncode == 1 and says in result.stderr
    assert not StaffPin(tmp_path).is_set


def test_set_pin_replaces_a_damaged_pin_file(tmp_path):
    from kiosk.staff import PIN_FILE, PinFile, StaffPin

    (tmp_path / PIN_FILE).write_text('{"salt": "00ff", "ha', encoding="utf-8")
    assert StaffPin(tmp_path).state is PinFile.DAMAGED
    result = set_pin_stdin(tmp_path, "2468\n")
    assert result.returncode == 0, result.stderr
    assert "damaged staff PIN file" in result.stdout
    assert StaffPin(tmp_path).check("2468").ok


def test_set_pin_on_a_full_disk_says_what_to_do(tmp_path, monkeypatch, capsys):
    import errno
    import io

    from kiosk.cli import set_pin
    from kiosk.staff import StaffPin

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    assert set_pin(tmp_path, from_stdin=True) == 1
    assert capsys.readouterr().err == (
        "The PIN was not set: could not save the PIN (No space left on device); free some "
        "space and try again.\n"
    )
    assert not StaffPin(tmp_path).is_set and list(tmp_path.iterdir()) == []


def test_pin_stdin_is_only_for_set_pin(capsys):
    from kiosk.cli import parse_args

    with pytest.raises(SystemExit) as exit_:
        parse_args(["--pin-stdin"])
    assert exit_.value.code == 2 and "--pin-stdin goes with set-pin" in capsys.readouterr().err


def test_kiosk_app_still_offers_create_kiosk_and_main():
    # The test seam in DESIGN.md: outside suites import create_kiosk from kiosk.app.
    import inspect

    import kiosk.app
    import kiosk.cli
    import kiosk.ui.launch

    assert kiosk.app.main is kiosk.cli.main
    for create_kiosk in (kiosk.app.create_kiosk, kiosk.ui.launch.create_kiosk):
        parameters = inspect.signature(create_kiosk).parameters
        assert [(p.name, p.default) for p in parameters.values()] == [
            ("config_path", None),
            ("data_dir", None),
        ]


def test_importing_kiosk_app_loads_no_qt():
    # --check, --print-config and set-pin run on machines where Qt cannot load.
    code = "import sys, kiosk.app; print(sorted(m for m in sys.modules if 'PySide6' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_the_console_script_runs_the_command_line():
    from importlib.metadata import entry_points

    import kiosk.cli

    (script,) = entry_points(group="console_scripts", name="ward-kiosk")
    assert script.load() is kiosk.cli.main
