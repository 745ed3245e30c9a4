"""The shipped model: it loads without pickle, refuses damaged files with a clear error, and
tags comments the way a ward manager would."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sync.analysis import tagger

STAFF = "Staff manner & personal attributes"
WAITING = "Timeliness of care"


def test_shipped_model_is_small_versioned_and_carries_the_data_notice(shipped):
    files = [tagger.MODEL_DIR / n for n in (tagger.JSON_NAME, tagger.ARRAYS_NAME)]
    assert sum(f.stat().st_size for f in files) <= 20 * 1024 * 1024
    assert shipped.version
    assert "NHS England" in shipped.metadata["notice"]
    notice = (tagger.MODEL_DIR / "LICENSE-data").read_text(encoding="utf-8")
    assert "Copyright (c) 2021 NHS England" in notice
    flags = {"Not assigned", "Labelling not possible", "Safeguarding concerns?"}
    assert not flags & set(shipped.themes)


def test_kind_nurses_are_staff_manner_and_positive(shipped):
    tags = shipped.tag("The nurses were lovely and kind")
    assert STAFF in tags.themes
    assert tags.sentiment in (1, 2)


def test_a_long_wait_in_pain_is_timeliness_and_negative(shipped):
    tags = shipped.tag("Waited 6 hours in pain")
    assert WAITING in tags.themes
    assert tags.sentiment in (4, 5)


def test_the_rating_moves_the_sentiment_but_is_optional(shipped):
    text = "The food was cold"
    assert shipped.tag(text, 5).sentiment >= shipped.tag(text, 1).sentiment
    assert shipped.tag(text).sentiment in tagger.SENTIMENTS


def test_a_blank_comment_has_no_tags(shipped):
    assert shipped.tag("  \n") == tagger.Tags((), None)


def test_a_missing_model_is_a_model_error_naming_the_file(model_copy):
    (model_copy / tagger.ARRAYS_NAME).unlink()
    with pytest.raises(tagger.ModelError, match=r"tagger\.npz is missing.*sync\.analysis\.train"):
        tagger.load(model_copy)
    with pytest.raises(tagger.ModelError, match=r"tagger\.json is missing"):
        tagger.load(model_copy.parent / "nowhere")


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / tagger.ARRAYS_NAME).write_bytes(b"PK\x03\x04 cut short"),
        lambda folder: (folder / tagger.JSON_NAME).write_text("{not json", encoding="utf-8"),
        lambda folder: (folder / tagger.JSON_NAME).write_bytes(b"\xff\xfe\x00"),
    ],
    ids=["truncated arrays", "broken json", "not utf-8"],
)
def test_a_damaged_file_is_a_model_error(model_copy, damage):
    damage(model_copy)
    with pytest.raises(tagger.ModelError, match="damaged"):
        tagger.load(model_copy)


def test_arrays_from_another_model_are_refused(model_copy):
    path = model_copy / tagger.ARRAYS_NAME
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["theme_threshold"] = arrays["theme_threshold"] + 1.0
    np.savez_compressed(path, **arrays)
    with pytest.raises(tagger.ModelError, match="not the ones the JSON was written with"):
        tagger.load(model_copy)


def test_a_pickled_array_is_never_loaded(model_copy):
    path = model_copy / tagger.ARRAYS_NAME
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["theme_threshold"] = np.array([object()] * len(arrays["theme_threshold"]))
    np.savez(path, **arrays)  # an object array can only be stored as a pickle
    with pytest.raises(tagger.ModelError, match="damaged"):
        tagger.load(model_copy)


def test_a_model_of_another_format_is_refused(model_copy):
    path = model_copy / tagger.JSON_NAME
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["format"] = "something else 9"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(tagger.ModelError, match="does not fit together"):
        tagger.load(model_copy)


def _rewrite(folder, arrays, **meta_changes):
    """Store *arrays* as the model's, with a JSON that vouches for them."""
    np.savez_compressed(folder / tagger.ARRAYS_NAME, **arrays)
    path = folder / tagger.JSON_NAME
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta |= {"arrays_sha256": tagger.arrays_digest(arrays), **meta_changes}
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_a_model_of_the_first_format_still_loads_and_tags(model_copy, shipped):
    with np.load(model_copy / tagger.ARRAYS_NAME) as npz:
        arrays = {n: npz[n] for n in npz.files if n not in ("theme_projection", "theme_forms")}
    _rewrite(model_copy, arrays, format="ward-kiosk comment tagger 1")
    old = tagger.load(model_copy)
    assert old.themes == shipped.themes
    assert old.tag("Waited 6 hours in pain").sentiment in (4, 5)
    assert old.tag("  ") == tagger.Tags((), None)


def test_a_second_order_part_without_its_forms_is_refused(model_copy):
    with np.load(model_copy / tagger.ARRAYS_NAME) as npz:
        arrays = {n: npz[n] for n in npz.files if n != "theme_forms"}
    if "theme_projection" not in arrays:
        pytest.skip("the shipped model has no second-order part")
    _rewrite(model_copy, arrays)
    with pytest.raises(tagger.ModelError, match="does not fit together"):
        tagger.load(model_copy)
