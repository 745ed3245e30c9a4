"""``ward-kiosk`` run in-process through ``kiosk.cli.main``: the version, ``--print-config``
with its secrets masked, ``--check``'s exit status, and ``set-pin``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.cli import main
from kiosk.settings import WardSettings, save_settings
from kiosk.survey_files import read_survey_file

ENROLLMENT_KEY = "ek_Ward7-4f1c9a2b7d"


@pytest.fixture(autouse=True)
def _no_log_files(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Path | None]]:
    """main() sets up logging for a whole process; in a test it would take over pytest's."""
    calls: list[tuple[str, Path | None]] = []
    monkeypatch.setattr("kiosk.logs.setup_logging", lambda *args: calls.append(args))
    return calls


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"ward-kiosk {__version__}\n"


def test_an_unknown_option_is_refused_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--chek"])
    assert exit_.value.code == 2 and "usage: ward-kiosk" in capsys.readouterr().err


def test_print_config_masks_the_enrollment_key(write_config, tmp_path, capsys):
    config = write_config(
        f'[sync]\nserver_url = "https://feedback.example.nhs.uk"\n'
        f'enrollment_key = "{ENROLLMENT_KEY}"\n'
    )
    assert main(["--print-config", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ENROLLMENT_KEY not in out
    assert f'enrollment_key = "****" (set)    # {config}' in out
    assert f'server_url = "https://feedback.example.nhs.uk"    # {config}' in out
    assert "retention_days = 400    # default" in out
    assert out.startswith(f"# config file: {config}\n")


def test_print_config_names_what_staff_changed(write_config, tmp_path, capsys):
    save_settings(tmp_path, WardSettings(idle_reset_seconds=90))
    config = write_config()
    assert main(["--print-config", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "idle_reset_seconds = 90    # ward-settings.json (changed by staff)" in out
    assert f"# staff settings: {tmp_path / 'ward-settings.json'}" in out


def test_print_config_on_a_broken_file_says_why(write_config, tmp_path, capsys):
    config = write_config("[kiosk]\nthanks_seconds = 0\n")
    assert main(["--print-config", "--config", str(config), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"ward-kiosk cannot start: {config} line 9: [kiosk] thanks_seconds is 0" in err
    assert "Run `python -m kiosk --check` to see every problem." in err


def test_check_exits_zero_on_a_good_config(qapp, write_config, data_dir, capsys):
    assert main(["--check", "--config", str(write_config()), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    # Every language the survey lists has a fonts line and a voices line; the voices are Qt's
    # mock engine here, which speaks English only.
    others = len(read_survey_file("fft-inpatient").languages) - 1
    assert [line.split()[1] for line in out.splitlines()] == (
        ["OK", "OK", "dir", "OK", *["OK"] * others, "OK", *["WARN"] * others]
    )


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("[kiosk]\nretention_days = 10\n", "[kiosk] retention_days is 10; expected"),
        ("[kiosk\n", "is not valid TOML"),
        ('[survey]\nid = "fft-nowhere"\n', "survey 'fft-nowhere'"),
    ],
    ids=["bad value", "not TOML", "unknown survey"],
)
def test_check_exits_one_and_says_what_is_wrong(qapp, write_config, data_dir, capsys, extra, says):
    config = write_config(extra)
    assert main(["--check", "--config", str(config), "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert says in out and " FAIL " in out


def test_check_exits_one_when_the_named_config_is_missing(qapp, tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert main(["--check", "--config", str(missing), "--data-dir", str(tmp_path)]) == 1
    assert f"config    FAIL {missing}: no such file; check the --config path" in (
        capsys.readouterr().out
    )


def test_check_warns_of_unknown_keys_but_passes(qapp, write_config, data_dir, capsys):
    config = write_config("[kiosk]\nidle_reset_secs = 30\n")
    assert main(["--check", "--config", str(config), "--data-dir", str(data_dir)]) == 0
    assert "WARN " in capsys.readouterr().out


def test_logging_is_set_up_as_asked(_no_log_files, tmp_path, write_config, capsys):
    config = write_config()
    args = ["--print-config", "--config", str(config), "--log-level", "DEBUG"]
    main([*args, "--log-dir", str(tmp_path / "logs")])
    assert _no_log_files == [("DEBUG", tmp_path / "logs")]


def test_set_pin_from_stdin(tmp_path, monkeypatch, capsys):
    from kiosk.staff import StaffPin

    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    assert main(["set-pin", "--pin-stdin", "--data-dir", str(tmp_path)]) == 0
    assert StaffPin(tmp_path).check("2468").ok
    assert "2468" not in capsys.readouterr().out


def test_check_says_which_voices_exist(qapp, write_config, data_dir, capsys):
    config = write_config('[accessibility]\nspeech_engine = "mock"\n')
    assert main(["--check", "--config", str(config), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "voices    OK   en: mock speaks it as en_GB" in out
    assert 'voices    WARN cy: no mock voice: "Read aloud" is hidden' in out
    assert 'voices    WARN ur: no mock voice: "Read aloud" is hidden' in out
