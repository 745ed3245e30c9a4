"""``kiosk.diagnostics``: the ``--print-config`` listing and where each value came from, the
sync line of ``--self-test`` with sync off, and the message when the kiosk cannot start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import kiosk.diagnostics
from kiosk.config import DEMO, KEYS, load_config_file
from kiosk.diagnostics import cannot_start, check, check_sync, describe
from kiosk.resources import surveys_dir


def test_describe_lists_every_declared_key_once(write_config):
    config = load_config_file(
        write_config('[sync]\nserver_url = "https://feedback.example.nhs.uk"\n')
    )
    lines = describe(config)
    for section, keys in KEYS.items():
        assert lines.count(f"[{section}]") == 1
        for key in keys:
            assert sum(line.startswith(f"{key} = ") for line in lines) == 1, key


def test_describe_says_where_each_value_came_from(write_config):
    path = write_config('[kiosk]\nthanks_seconds = 8\n[survey]\nlanguages = ["en", "cy", "ur"]\n')
    lines = describe(load_config_file(path), {("survey", "languages")})
    assert f"thanks_seconds = 8    # {path}" in lines
    assert 'languages = ["en", "cy", "ur"]    # ward-settings.json (changed by staff)' in lines
    assert "fullscreen = true    # default" in lines
    assert "[sync]" not in lines  # sync is off: nothing to show


def test_languages_not_set_says_every_language_of_the_survey_is_offered(write_config):
    lines = describe(load_config_file(write_config()))
    assert (
        "languages = (not set)    # default: every language survey.json lists, in its order"
        in lines
    )


def test_the_demo_ward_says_it_is_built_in():
    lines = describe(DEMO)
    assert 'ward_name = "Demo ward"    # built-in demo ward' in lines
    assert 'timezone = "Europe/London"    # built-in demo ward' in lines


def test_a_config_file_changed_since_loading_shows_defaults(write_config):
    path = write_config("[kiosk]\nthanks_seconds = 8\n")
    config = load_config_file(path)
    path.write_bytes(b"\xff not toml")
    assert "thanks_seconds = 8    # default" in describe(config)


def test_self_test_with_sync_off_says_answers_stay_here(tmp_path):
    assert check_sync(DEMO, tmp_path) == [(True, "not configured: answers stay on this kiosk")]


def test_cannot_start_says_how_to_see_every_problem(capsys):
    assert cannot_start(ValueError("the data dir is full")) == 2
    assert capsys.readouterr().err == (
        "ward-kiosk cannot start: the data dir is full\n"
        "Run `python -m kiosk --check` to see every problem.\n"
    )


@pytest.fixture
def survey_check(tmp_path: Path, write_config, monkeypatch, capsys):
    """``--check``'s survey lines for a trust folder copy of the standard survey (en, cy, ur),
    offering *offered*; the fonts and voices, which need Qt, are left out."""
    folder = tmp_path / "surveys" / "fft-inpatient"
    folder.mkdir(parents=True)
    for name in ("survey.json", "en.json", "cy.json", "ur.json"):
        shutil.copy(surveys_dir() / "fft-inpatient" / name, folder / name)
    survey_json = folder / "survey.json"
    data = json.loads(survey_json.read_text(encoding="utf-8"))
    survey_json.write_text(json.dumps({**data, "languages": ["en", "cy", "ur"]}), "utf-8")
    monkeypatch.setattr(kiosk.diagnostics, "check_fonts", lambda survey, ward: [])
    monkeypatch.setattr(kiosk.diagnostics, "check_voices", lambda config, survey: [])

    def run(offered: str = "") -> tuple[int, list[str]]:
        survey = f'[survey]\ndirectory = "{folder.parent}"\n{offered}'
        status = check(write_config(survey), tmp_path / "data")
        lines = capsys.readouterr().out.splitlines()
        return status, [line for line in lines if line.startswith("survey")]

    run.folder = folder  # type: ignore[attr-defined]
    return run


def test_check_says_which_languages_are_drafts(survey_check):
    status, lines = survey_check()
    assert status == 0
    assert lines == [
        "survey    OK   fft-inpatient version 1: en, cy (draft translation), ur (draft translation)"
    ]


def test_check_fails_on_a_missing_string_in_an_offered_language(survey_check):
    urdu = survey_check.folder / "ur.json"
    data = json.loads(urdu.read_text(encoding="utf-8"))
    del data["text"]["send"]
    urdu.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    status, lines = survey_check()
    assert status == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"survey    FAIL {urdu}: text.send is missing; add it to ur.json")
    # A kiosk offering only English and Welsh runs, but --check still fails: staff may switch
    # Urdu on in Settings.
    status, lines = survey_check('languages = ["en", "cy"]\n')
    assert status == 1
    assert lines[0].startswith("survey    OK   fft-inpatient version 1: en, cy (draft")
    assert lines[1].startswith(f"survey    FAIL {urdu}: text.send is missing")


def test_check_fails_on_a_broken_version_the_kiosk_switches_to(survey_check):
    easy_read = survey_check.folder.parent / "fft-easy-read"
    shutil.copytree(surveys_dir() / "fft-easy-read", easy_read)
    (easy_read / "cy.json").write_text('{"language": "cy",', encoding="utf-8")
    status, lines = survey_check()
    assert status == 1
    assert lines[1].startswith(f"survey    FAIL {easy_read / 'cy.json'}: the file is not valid")
    assert lines[1].endswith("(the fft-easy-read version is not offered in 'cy' until it is fixed)")
