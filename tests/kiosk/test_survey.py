"""Survey files are validated on load: one folder per survey, one file per language, and a
language with anything missing is refused, never filled in from another language."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.resources import surveys_dir
from kiosk.survey import RLM, SurveyError, available_surveys, complete_languages, load_survey
from sync import fft

Edit = Callable[[dict[str, Any]], object]
SHIPPED = ("en", "cy", "ur")


class Surveys:
    """A writable folder of surveys: a copy of the shipped standard survey, and ways to change
    its files as a translator (or a slip of the keyboard) would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        target = folder / "fft-inpatient"
        target.mkdir(parents=True)
        # Only the languages these tests are about: new files appear as they are translated.
        for name in ("survey.json", *(f"{code}.json" for code in SHIPPED)):
            shutil.copy(surveys_dir() / "fft-inpatient" / name, target / name)
        self.edit_survey("fft-inpatient", lambda d: d.update(languages=list(SHIPPED)))

    def path(self, survey: str, name: str) -> Path:
        return self.folder / survey / name

    def edit(self, code: str, edit: Edit, survey: str = "fft-inpatient") -> Path:
        return self._edit(self.path(survey, f"{code}.json"), edit)

    def edit_survey(self, survey: str, edit: Edit) -> Path:
        return self._edit(self.path(survey, "survey.json"), edit)

    def _edit(self, path: Path, edit: Edit) -> Path:
        data = json.loads(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return self.folder

    def add(self, survey: str, name: str, data: dict[str, Any]) -> Path:
        path = self.path(survey, name)
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return path


@pytest.fixture
def surveys(tmp_path: Path) -> Surveys:
    return Surveys(tmp_path / "surveys")


def _message(survey_id: str, languages: list[str] | None, folder: Path) -> str:
    with pytest.raises(SurveyError) as caught:
        load_survey(survey_id, languages, folder)
    return str(caught.value)


def test_the_shipped_survey_has_the_fft_words_exactly():
    survey = load_survey("fft-inpatient", SHIPPED)
    assert survey.text("question", "en") == "Overall, how was your experience of our service?"
    assert [survey.answer(code, "en") for code in sorted(survey.answers)] == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]
    assert survey.kind == "standard" and survey.folder == surveys_dir() / "fft-inpatient"


def test_the_shipped_survey_is_a_folder_with_a_file_per_language():
    folder = surveys_dir() / "fft-inpatient"
    assert not (surveys_dir() / "fft-inpatient.json").exists()
    listed = json.loads((folder / "survey.json").read_text(encoding="utf-8"))["languages"]
    assert listed == [
        *("en", "cy", "pl", "ro", "pa", "ur", "pt", "es"),
        *("ar", "bn", "gu", "zh-Hans", "lt", "ta", "tr", "so"),
    ]
    # Only English is reviewed; every file says where its words came from.
    for code in listed:
        data = json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))
        assert data["language"] == code and data["source"].strip()
        assert data["status"] == ("reviewed" if code == "en" else "draft")
    assert "fft-inpatient" in available_surveys()


def test_unreviewed_translations_are_marked_draft():
    survey = load_survey("fft-inpatient", SHIPPED)
    assert not survey.language("en").draft
    assert survey.language("cy").draft and survey.language("ur").draft
    assert survey.language("ur").rtl
    assert survey.language("cy").path == surveys_dir() / "fft-inpatient" / "cy.json"
    assert "Welsh" in survey.language("cy").source


def test_rtl_text_is_marked_right_to_left():
    survey = load_survey("fft-inpatient", SHIPPED)
    assert survey.text("lead_in", "ur", ward="Ward 7").startswith(RLM)
    assert not survey.text("lead_in", "en", ward="Ward 7").startswith(RLM)


def test_offering_a_subset_of_languages_in_the_kiosks_order():
    survey = load_survey("fft-inpatient", ["ur", "en"])
    assert survey.default_language == "ur"
    assert [lang.code for lang in survey.languages] == ["ur", "en"]


def test_languages_not_set_offers_every_language_in_survey_json_order(surveys):
    folder = surveys.edit_survey("fft-inpatient", lambda d: d.update(languages=["cy", "en", "ur"]))
    for unset in (None, ()):
        survey = load_survey("fft-inpatient", unset, folder)
        assert [lang.code for lang in survey.languages] == ["cy", "en", "ur"]
        assert survey.default_language == "cy"


def test_an_unknown_survey_id_lists_the_known_ones():
    with pytest.raises(SurveyError, match=r"survey 'fft-outpatient' was not found.*fft-inpatient"):
        load_survey("fft-outpatient")


def test_the_old_one_file_layout_says_how_to_convert(tmp_path):
    (tmp_path / "fft-maternity.json").write_text("{}", encoding="utf-8")
    message = _message("fft-maternity", None, tmp_path)
    assert "old one-file layout" in message and "fft-maternity/survey.json" in message


def test_a_missing_string_names_the_file_and_key(surveys):
    folder = surveys.edit("ur", lambda d: d["text"].pop("send"))
    message = _message("fft-inpatient", ["en", "ur"], folder)
    assert message.startswith(f"{folder / 'fft-inpatient' / 'ur.json'}: text.send is missing; ")
    assert "translated from the same key in en.json" in message
    # The same files are fine for a kiosk that does not offer Urdu.
    assert load_survey("fft-inpatient", ["en", "cy"], folder).id == "fft-inpatient"


def test_a_missing_language_is_never_filled_in_with_english(surveys):
    folder = surveys.edit("cy", lambda d: d["themes"].pop("food"))
    with pytest.raises(SurveyError, match=r"cy\.json: themes\.food is missing"):
        load_survey("fft-inpatient", None, folder)


def test_more_than_one_problem_says_how_to_see_them_all(surveys):
    folder = surveys.edit("cy", lambda d: [d["text"].pop(k) for k in ("send", "skip", "paused")])
    message = _message("fft-inpatient", None, folder)
    assert "cy.json: text.send is missing" in message
    assert "and 2 more problems in cy.json" in message
    assert "python -m kiosk translations --survey fft-inpatient" in message


def test_a_language_file_that_is_not_there_says_what_to_do(surveys):
    surveys.path("fft-inpatient", "ur.json").unlink()
    message = _message("fft-inpatient", None, surveys.folder)
    assert message.startswith(f"{surveys.path('fft-inpatient', 'ur.json')}: the file is missing")
    assert "add ur.json" in message and "take 'ur' out of languages in survey.json" in message


def test_bad_json_names_the_file_and_where(surveys):
    path = surveys.path("fft-inpatient", "cy.json")
    path.write_text('{"language": "cy",\n "name": "Cymraeg"\n "status": "draft"}', "utf-8")
    message = _message("fft-inpatient", ["en", "cy"], surveys.folder)
    assert message.startswith(f"{path}: the file is not valid JSON (line 3, column 2")


def test_a_bad_survey_json_names_its_key(surveys):
    folder = surveys.edit_survey("fft-inpatient", lambda d: d.update(version="one"))
    message = _message("fft-inpatient", None, folder)
    assert message.startswith(f"{folder / 'fft-inpatient' / 'survey.json'}: version must be")


def test_file_names_must_match_what_the_files_say(surveys):
    folder = surveys.edit("cy", lambda d: d.update(language="ur"))
    assert 'cy.json: language must be "cy"' in _message("fft-inpatient", None, folder)
    folder = surveys.edit_survey("fft-inpatient", lambda d: d.update(id="fft-other"))
    assert "survey.json: id must be 'fft-inpatient'" in _message("fft-inpatient", None, folder)


def test_all_six_codes_must_be_present(surveys):
    folder = surveys.edit("en", lambda d: d["answers"].pop("6"))
    with pytest.raises(SurveyError, match=r"en\.json: answers\.6 is missing"):
        load_survey("fft-inpatient", None, folder)
    folder = surveys.edit("en", lambda d: d["answers"].update({"6": "Don't know", "7": "Maybe"}))
    with pytest.raises(SurveyError, match=r"en\.json: answers\.7 is not an FFT answer"):
        load_survey("fft-inpatient", None, folder)


def test_every_theme_of_the_survey_needs_its_words(surveys):
    folder = surveys.edit_survey("fft-inpatient", lambda d: d["themes"].append("parking"))
    with pytest.raises(SurveyError, match=r"en\.json: themes\.parking is missing"):
        load_survey("fft-inpatient", None, folder)


def test_the_english_question_may_not_be_reworded(surveys):
    folder = surveys.edit("en", lambda d: d["text"].update(question="How did we do?"))
    with pytest.raises(SurveyError, match=r"en\.json: text\.question must be exactly"):
        load_survey("fft-inpatient", None, folder)
    folder = surveys.edit("en", lambda d: d["text"].update(question=fft.QUESTION))
    folder = surveys.edit("en", lambda d: d["answers"].update({"3": "OK"}))
    with pytest.raises(SurveyError, match=r"en\.json: answers\.3 must be exactly \"Neither"):
        load_survey("fft-inpatient", None, folder)


def test_placeholders_must_match_english(surveys):
    folder = surveys.edit("cy", lambda d: d["text"].update(lead_in="Ar y ward..."))
    message = _message("fft-inpatient", None, folder)
    assert "cy.json: text.lead_in must use the same placeholders as en.json ({ward})" in message
    folder = surveys.edit("cy", lambda d: d["text"].update(lead_in="Ar {ward} {ward}"))
    assert load_survey("fft-inpatient", None, folder).text("lead_in", "cy", ward="W7") == "Ar W7 W7"
    folder = surveys.edit("ur", lambda d: d["text"].update(characters="{count} / {maximum}"))
    assert "ur.json: text.characters must use the same" in _message("fft-inpatient", None, folder)


def test_an_unoffered_language_is_refused():
    with pytest.raises(SurveyError, match="languages has no 'fr'"):
        load_survey("fft-inpatient", ["en", "fr"])


def test_fft_codes_are_the_six_in_order():
    assert list(fft.CODES) == [1, 2, 3, 4, 5, 6]


def test_each_language_names_the_font_that_draws_it(surveys):
    survey = load_survey("fft-inpatient", SHIPPED)
    assert survey.language("ur").font == "Noto Nastaliq Urdu"
    assert survey.language("cy").font == "Noto Sans"
    # A file without a font takes the Latin one; ``--check`` proves whether it draws it.
    folder = surveys.edit("cy", lambda d: d.pop("font"))
    assert load_survey("fft-inpatient", None, folder).language("cy").font == "Noto Sans"
    folder = surveys.edit("ur", lambda d: d.update(font=7))
    with pytest.raises(SurveyError, match=r"ur\.json: font must name the bundled font"):
        load_survey("fft-inpatient", None, folder)


def _easy_read(surveys: Surveys, languages: list[str]) -> None:
    surveys.add(
        "fft-easy-read",
        "survey.json",
        {
            "id": "fft-easy-read",
            "version": 1,
            "title": "Easy read",
            "kind": "easy-read",
            "based_on": "fft-inpatient",
            "languages": languages,
            "themes": ["staff", "food"],
        },
    )
    for code in languages:
        surveys.add("fft-easy-read", f"{code}.json", {"language": code, "status": "draft"})


def test_a_version_takes_missing_strings_from_the_same_language_of_its_base(surveys):
    _easy_read(surveys, ["en", "cy"])
    surveys.edit("en", lambda d: d.update(answers={"1": "Great"}), survey="fft-easy-read")
    surveys.edit("cy", lambda d: d.update(answers={"1": "Gwych"}), survey="fft-easy-read")
    survey = load_survey("fft-easy-read", None, surveys.folder)
    assert survey.kind == "easy-read" and survey.based_on == "fft-inpatient"
    # Its own words where it has them: an easy-read English may reword the answers.
    assert survey.answer(1, "en") == "Great" and survey.answer(1, "cy") == "Gwych"
    # The rest from the base survey's file of the same language.
    assert survey.answer(2, "cy") == "Da" and survey.text("send", "cy") == "Anfon"
    assert survey.language("cy").name == "Cymraeg"
    assert [theme.id for theme in survey.themes] == ["staff", "food"]


def test_a_version_never_takes_a_string_from_another_language(surveys):
    _easy_read(surveys, ["en", "cy"])
    folder = surveys.edit("cy", lambda d: d["text"].pop("send"))  # the base's Welsh lacks it
    with pytest.raises(SurveyError, match=r"fft-easy-read/cy\.json: text\.send is missing"):
        load_survey("fft-easy-read", None, folder)
    # English has it in both surveys, and is still offered on its own.
    assert load_survey("fft-easy-read", ["en"], folder).text("send", "en") == "Send"


def test_a_reviewed_version_built_on_draft_words_is_still_a_draft(surveys):
    _easy_read(surveys, ["en", "cy"])
    surveys.edit("cy", lambda d: d.update(status="reviewed"), survey="fft-easy-read")
    surveys.edit("en", lambda d: d.update(status="reviewed"), survey="fft-easy-read")
    survey = load_survey("fft-easy-read", None, surveys.folder)
    assert survey.language("cy").draft  # its Welsh mostly comes from the draft cy.json
    assert not survey.language("en").draft


def test_a_trusts_version_may_build_on_the_shipped_survey(tmp_path):
    folder = tmp_path / "trust"
    (folder / "fft-day-unit").mkdir(parents=True)
    (folder / "fft-day-unit" / "survey.json").write_text(
        json.dumps(
            {"id": "fft-day-unit", "version": 1, "based_on": "fft-inpatient", "languages": ["en"]}
        ),
        encoding="utf-8",
    )
    (folder / "fft-day-unit" / "en.json").write_text(
        json.dumps({"language": "en", "status": "reviewed", "text": {"lead_in": "On {ward}:"}}),
        encoding="utf-8",
    )
    survey = load_survey("fft-day-unit", None, folder)
    assert survey.text("lead_in", "en", ward="Day unit") == "On Day unit:"
    assert survey.answer(1, "en") == "Very good" and survey.themes == ()


def test_based_on_must_name_a_survey_that_exists(surveys):
    _easy_read(surveys, ["en"])
    folder = surveys.edit_survey("fft-easy-read", lambda d: d.update(based_on="fft-none"))
    message = _message("fft-easy-read", None, folder)
    assert "survey.json: based_on names 'fft-none', which was not found" in message


def test_staff_may_switch_on_only_complete_languages(surveys):
    folder = surveys.edit("cy", lambda d: d["text"].pop("send"))
    codes = [language.code for language in complete_languages("fft-inpatient", folder)]
    assert codes == ["en", "ur"]  # Welsh would be refused at the next start
