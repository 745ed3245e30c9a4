"""Which versions a kiosk switches between (``kiosk.versions``), without Qt: easy read for
anyone, the standard question for a grown-up on a children's ward, each only in the languages it
has complete, and never English in place of a missing translation."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from kiosk.resources import surveys_dir
from kiosk.survey import load_survey
from kiosk.versions import load_versions

THREE = ["en", "cy", "ur"]


def test_a_standard_ward_offers_easy_read_and_no_grown_ups_switch():
    versions = load_versions(load_survey("fft-inpatient", THREE), THREE, None)
    assert versions.easy_read is not None and versions.easy_read.id == "fft-easy-read"
    assert all(versions.offers_easy_read(code) for code in THREE)
    assert not versions.offers_grown_ups("en")
    assert versions.easy_read_choice(True).id == "fft-easy-read"
    assert versions.easy_read_choice(False).id == "fft-inpatient"


def test_a_childrens_ward_offers_both_and_comes_back_to_the_childrens():
    versions = load_versions(load_survey("fft-children", THREE), THREE, None)
    assert versions.offers_grown_ups("cy") and versions.offers_easy_read("cy")
    assert versions.grown_ups_choice(True).id == "fft-inpatient"
    assert versions.grown_ups_choice(False).id == "fft-children"
    assert versions.easy_read_choice(False).id == "fft-children"


def test_an_easy_read_ward_switches_off_to_the_standard_question():
    versions = load_versions(load_survey("fft-easy-read", THREE), THREE, None)
    assert versions.offers_easy_read("ur")
    assert versions.easy_read_choice(False).id == "fft-inpatient"
    assert versions.easy_read_choice(True).id == "fft-easy-read"


def test_a_version_is_offered_only_in_the_languages_it_has_complete(tmp_path: Path, caplog):
    # A trust's own folder: easy read without its Welsh file, and its Urdu file missing the
    # question. Welsh and Urdu patients get no "Easy read", never English instead.
    folder = tmp_path / "surveys"
    shutil.copytree(surveys_dir(), folder)
    (folder / "fft-easy-read" / "cy.json").unlink()
    urdu = folder / "fft-easy-read" / "ur.json"
    words = json.loads(urdu.read_text(encoding="utf-8"))
    words["answers"].pop("3")  # and the standard Urdu file has this answer, in other words
    del words["text"]["question"]
    words["text"]["lead_in"] = "{ward}"
    urdu.write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    caplog.set_level(logging.WARNING, "kiosk.versions")

    versions = load_versions(load_survey("fft-inpatient", THREE, folder), THREE, folder)
    assert versions.easy_read is not None
    assert [language.code for language in versions.easy_read.languages] == ["en", "ur"]
    assert versions.offers_easy_read("en") and not versions.offers_easy_read("cy")
    # The Urdu question is the standard survey's Urdu one, as based_on says: not missing.
    assert versions.easy_read.text("question", "ur").endswith(
        load_survey("fft-inpatient", THREE).text("question", "ur").lstrip("\u200f")
    )
    assert "fft-easy-read" in caplog.text and "'cy'" in caplog.text


def test_no_version_at_all_is_offered_where_none_is_found(tmp_path: Path, caplog):
    folder = tmp_path / "surveys"
    shutil.copytree(surveys_dir() / "fft-inpatient", folder / "fft-inpatient")
    caplog.set_level(logging.WARNING, "kiosk.versions")
    standard = load_survey("fft-inpatient", ["en"], folder)
    # Not in the trust's folder: the shipped easy-read version, in the language asked for.
    versions = load_versions(standard, ["en"], folder)
    assert versions.easy_read is not None and versions.offers_easy_read("en")
    nowhere = load_versions(standard, ["xx"], folder)
    assert nowhere.easy_read is None and not nowhere.offers_easy_read("xx")
    assert "fft-easy-read is not offered" in caplog.text
