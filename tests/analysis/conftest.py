"""Fixtures for the comment tagger's tests: the labelled data when it is there, and the
shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("numpy", reason="the analysis extra is not installed")

from sync.analysis import dataset, tagger
from sync.analysis.train import DEFAULT_DATA


@pytest.fixture(scope="session")
def labelled() -> dataset.Dataset:
    """The labelled FFT comments the model is trained on (skipped where they are absent)."""
    if not DEFAULT_DATA.exists():
        pytest.skip(f"the labelled comments are not at {DEFAULT_DATA}")
    return dataset.read(DEFAULT_DATA)


@pytest.fixture(scope="session")
def shipped() -> tagger.Tagger:
    return tagger.load()


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A copy of the shipped model's files, free to damage."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in (tagger.JSON_NAME, tagger.ARRAYS_NAME):
        (folder / name).write_bytes((tagger.MODEL_DIR / name).read_bytes())
    return folder
