"""``python -m kiosk translations``: what a translation service reads to see, per survey, each
language's status, what is missing and where its words came from; and its exit status."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.resources import surveys_dir
from kiosk.survey_files import required_keys
from kiosk.translations import _width, run, survey_report, unoffered_problems
from tests.helpers import WARD_TOML

SHIPPED = ("en", "cy", "ur")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A trust's folder holding a copy of the standard survey in English, Welsh and Urdu."""
    target = tmp_path / "surveys" / "fft-inpatient"
    target.mkdir(parents=True)
    for name in ("survey.json", *(f"{code}.json" for code in SHIPPED)):
        shutil.copy(surveys_dir() / "fft-inpatient" / name, target / name)
    _edit(target / "survey.json", lambda d: d.update(languages=list(SHIPPED)))
    return target.parent


def _edit(path: Path, edit: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _run(survey: str | None, directory: Path | None) -> tuple[int, str]:
    out = io.StringIO()
    status = run(survey, directory, out)
    return status, out.getvalue()


def _row(output: str, code: str) -> list[str]:
    """The table row of language *code*, split on runs of two or more spaces."""
    for line in output.splitlines():
        cells = [cell for cell in line.strip().split("  ") if cell.strip()]
        if cells and cells[0] == code and len(cells) >= 4:
            return [cell.strip() for cell in cells]
    raise AssertionError(f"no row for {code} in:\n{output}")


def test_a_complete_survey_lists_each_language_and_exits_0(folder):
    status, output = _run("fft-inpatient", folder)
    assert status == 0
    total = len(required_keys(survey_report("fft-inpatient", folder).survey))
    assert _row(output, "en") == ["en", "English", "reviewed", f"{total}/{total}", "none"]
    assert _row(output, "cy") == ["cy", "Cymraeg", "draft", f"{total}/{total}", "none"]
    assert _row(output, "ur")[2:] == ["draft", f"{total}/{total}", "none"]
    assert "reviewed by: NHS England's wording" in output
    assert "source: Draft Welsh translation of en.json" in output
    assert "2 are drafts, not yet reviewed by a native speaker: cy, ur" in " ".join(output.split())


def test_a_missing_string_is_named_and_exits_1_saying_what_to_do(folder):
    _edit(folder / "fft-inpatient" / "ur.json", lambda d: d["text"].pop("send"))
    _edit(folder / "fft-inpatient" / "cy.json", lambda d: d["themes"].pop("food"))
    status, output = _run("fft-inpatient", folder)
    assert status == 1
    total = len(required_keys(survey_report("fft-inpatient", folder).survey))
    assert _row(output, "ur")[2:] == ["draft", f"{total - 1}/{total}", "text.send"]
    assert _row(output, "cy")[2:] == ["draft", f"{total - 1}/{total}", "themes.food"]
    summary = " ".join(output.split("\n\n")[-1].split())
    assert "cy (cy.json), ur (ur.json)" in summary
    assert "Add each missing key to that language's file, translated from the same key" in summary
    assert "a kiosk offering that language will not start" in summary


def test_many_missing_keys_are_counted_in_the_table_and_all_named_below(folder):
    _edit(folder / "fft-inpatient" / "cy.json", lambda d: d.update(text={}))
    status, output = _run("fft-inpatient", folder)
    assert status == 1
    assert _row(output, "cy")[4].startswith("text.question, text.lead_in, text.followup_positive")
    assert _row(output, "cy")[4].endswith(" more")
    named = " ".join(output.split("  cy (cy.json)")[1].split("  ur (ur.json)")[0].split())
    assert "missing: text.question, text.lead_in," in named and "text.more_below" in named


def test_a_missing_file_and_wrong_placeholders_are_problems(folder):
    (folder / "fft-inpatient" / "ur.json").unlink()
    _edit(folder / "fft-inpatient" / "cy.json", lambda d: d["text"].update(lead_in="Ar y ward"))
    status, output = _run("fft-inpatient", folder)
    assert status == 1
    total = len(required_keys(survey_report("fft-inpatient", folder).survey))
    assert _row(output, "ur")[1:] == ["(unknown)", "draft", f"0/{total}", "the whole file"]
    assert _row(output, "cy")[3:] == [f"{total}/{total}", "1 other problem below"]
    assert "problem: text.lead_in must use the same placeholders as en.json ({ward})" in output


def test_a_language_file_not_offered_is_listed_but_does_not_fail(folder):
    _edit(folder / "fft-inpatient" / "survey.json", lambda d: d.update(languages=["en", "cy"]))
    _edit(folder / "fft-inpatient" / "ur.json", lambda d: d["text"].pop("send"))
    status, output = _run("fft-inpatient", folder)
    assert status == 0
    assert _row(output, "ur")[2] == "draft, not offered"
    assert "add 'ur' to languages in survey.json to offer it" in output


def test_a_version_says_what_it_takes_from_its_base(folder):
    easy = folder / "fft-easy-read"
    easy.mkdir()
    (easy / "survey.json").write_text(
        json.dumps(
            {
                "id": "fft-easy-read",
                "version": 1,
                "kind": "easy-read",
                "based_on": "fft-inpatient",
                "languages": ["en"],
                "themes": ["staff"],
            }
        ),
        encoding="utf-8",
    )
    (easy / "en.json").write_text(
        json.dumps({"language": "en", "status": "draft", "text": {"send": "Done"}}), "utf-8"
    )
    status, output = _run("fft-easy-read", folder)
    assert status == 0
    taken = len(required_keys(survey_report("fft-easy-read", folder).survey)) - 1
    assert f"taken from the base survey: {taken} from fft-inpatient/en.json" in output
    assert "fft-easy-read (version 1, easy-read, based on fft-inpatient)" in output
    assert "1 is a draft, not yet reviewed by a native speaker: en." in " ".join(output.split())


def test_every_survey_is_listed_without_survey(folder):
    status, output = _run(None, surveys_dir())
    assert status == 0
    for survey in ("fft-inpatient", "fft-easy-read", "fft-children"):
        assert f"{survey}: NHS Friends and Family Test" in output


def test_an_unknown_survey_is_bad_usage_listing_the_known_ones(folder, capsys):
    assert run("fft-outpatient", folder, io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "There is no survey 'fft-outpatient'" in err and "Known surveys: fft-inpatient" in err


def test_a_broken_survey_json_fails_naming_it(folder):
    (folder / "fft-inpatient" / "survey.json").write_text("{", encoding="utf-8")
    status, output = _run("fft-inpatient", folder)
    assert status == 1
    assert "survey.json: the file is not valid JSON (line 1, column 2" in output


def test_names_are_measured_as_a_terminal_shows_them():
    assert _width("中文") == 4 and _width("ਪੰਜਾਬੀ") < len("ਪੰਜਾਬੀ") and _width("Polski") == 6


def test_unoffered_languages_with_problems_are_reported_for_check(folder):
    _edit(folder / "fft-inpatient" / "ur.json", lambda d: d["text"].pop("send"))
    assert unoffered_problems("fft-inpatient", ["en", "cy", "ur"], folder) == []
    (problem,) = unoffered_problems("fft-inpatient", ["en", "cy"], folder)
    assert problem.startswith(f"{folder / 'fft-inpatient' / 'ur.json'}: text.send is missing")
    assert problem.endswith("(not offered on this kiosk, but staff may switch it on)")


def _command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WARD_KIOSK_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(cwd)
    code = (
        "import sys\n"
        "from kiosk.cli import main\n"
        f"status = main({list(args)!r})\n"
        "print('Qt loaded' if 'PySide6' in sys.modules else 'no Qt')\n"
        "sys.exit(status)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_command_uses_the_trusts_folder_and_needs_no_qt_or_display(folder, tmp_path):
    _edit(folder / "fft-inpatient" / "cy.json", lambda d: d["text"].pop("skip"))
    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML + f'[survey]\ndirectory = "{folder}"\n', encoding="utf-8")
    result = _command(
        "translations", "--survey", "fft-inpatient", "--config", str(config), cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert f"files: {folder / 'fft-inpatient'}" in result.stdout
    assert "text.skip" in result.stdout
    assert result.stdout.rstrip().endswith("no Qt")
    unknown = _command("translations", "--survey", "fft-x", "--config", str(config), cwd=tmp_path)
    assert unknown.returncode == 2 and "Known surveys: fft-inpatient" in unknown.stderr


def test_survey_without_translations_is_bad_usage(tmp_path):
    result = _command("--survey", "fft-inpatient", cwd=tmp_path)
    assert result.returncode == 2
    assert "--survey goes with translations" in result.stderr
