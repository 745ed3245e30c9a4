"""Survey definitions are validated on load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kiosk.resources import surveys_dir
from kiosk.survey import RLM, SurveyError, load_survey
from sync import fft


@pytest.fixture
def survey_copy(tmp_path: Path):
    """A writable copy of the shipped survey, and a function to change it."""
    folder = tmp_path / "surveys"
    folder.mkdir()
    path = folder / "fft-inpatient.json"
    shutil.copy(surveys_dir() / "fft-inpatient.json", path)

    def change(edit) -> Path:
        data = json.loads(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return folder

    return change


def test_the_shipped_survey_has_the_fft_words_exactly():
    survey = load_survey("fft-inpatient")
    assert survey.text("question", "en") == "Overall, how was your experience of our service?"
    assert [survey.answer(code, "en") for code in sorted(survey.answers)] == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]
    assert [lang.code for lang in survey.languages] == ["en", "cy", "ur"]


def test_unreviewed_translations_are_marked_draft():
    survey = load_survey("fft-inpatient")
    assert not survey.language("en").draft
    assert survey.language("cy").draft and survey.language("ur").draft
    assert survey.language("ur").rtl


def test_rtl_text_is_marked_right_to_left():
    survey = load_survey("fft-inpatient")
    assert survey.text("lead_in", "ur", ward="Ward 7").startswith(RLM)
    assert not survey.text("lead_in", "en", ward="Ward 7").startswith(RLM)


def test_offering_a_subset_of_languages(survey_copy):
    survey = load_survey("fft-inpatient", ["ur", "en"])
    assert survey.default_language == "ur"


def test_an_unknown_survey_id_lists_the_known_ones():
    with pytest.raises(SurveyError, match=r"survey 'fft-outpatient' was not found.*fft-inpatient"):
        load_survey("fft-outpatient")


def test_a_missing_string_names_the_file_and_key(survey_copy):
    folder = survey_copy(lambda d: d["text"]["send"].pop("ur"))
    with pytest.raises(SurveyError) as caught:
        load_survey("fft-inpatient", ["en", "ur"], folder)
    assert str(caught.value).startswith(f"{folder / 'fft-inpatient.json'}: text.send has no 'ur'")
    # The same file is fine for a kiosk that does not offer Urdu.
    assert load_survey("fft-inpatient", ["en", "cy"], folder).id == "fft-inpatient"


def test_all_six_codes_must_be_present(survey_copy):
    folder = survey_copy(lambda d: d["answers"].pop("6"))
    with pytest.raises(SurveyError, match="answers must have exactly the six FFT codes"):
        load_survey("fft-inpatient", None, folder)


def test_the_english_question_may_not_be_reworded(survey_copy):
    folder = survey_copy(lambda d: d["text"]["question"].update(en="How did we do?"))
    with pytest.raises(SurveyError, match=r"text\.question\.en must be exactly"):
        load_survey("fft-inpatient", None, folder)


def test_placeholders_must_match_across_languages(survey_copy):
    folder = survey_copy(lambda d: d["text"]["lead_in"].update(cy="Ar y ward..."))
    with pytest.raises(SurveyError, match=r"text.lead_in 'cy' text must use the placeholders"):
        load_survey("fft-inpatient", None, folder)


def test_an_unoffered_language_is_refused():
    with pytest.raises(SurveyError, match="has no 'fr'"):
        load_survey("fft-inpatient", ["en", "fr"])


def test_fft_codes_are_the_six_in_order():
    assert list(fft.CODES) == [1, 2, 3, 4, 5, 6]


def test_each_language_names_the_font_that_draws_it(survey_copy):
    survey = load_survey("fft-inpatient")
    assert survey.language("ur").font == "Noto Nastaliq Urdu"
    assert survey.language("cy").font == "Noto Sans"

    def drop_welsh_font(data):
        del data["languages"]["cy"]["font"]

    # An older file without fonts still loads: Latin languages take the Latin font, and
    # ``--check`` proves whether it really draws them.
    older = load_survey("fft-inpatient", directory=survey_copy(drop_welsh_font))
    assert older.language("cy").font == "Noto Sans"

    def bad_font(data):
        data["languages"]["ur"]["font"] = 7

    with pytest.raises(SurveyError, match=r"languages.ur.font must name the bundled font"):
        load_survey("fft-inpatient", directory=survey_copy(bad_font))
