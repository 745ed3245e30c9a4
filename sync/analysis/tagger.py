"""The shipped comment tagger: loads the model (JSON and ``.npz``, never a pickle) and gives
each comment its themes and a sentiment from 1 (very positive) to 5 (very negative).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sync.analysis.features import Rows, Vectorizer
from sync.analysis.pairs import quadratic

MODEL_DIR = Path(__file__).resolve().parent / "model"
# 2 added the themes' optional second-order part (``theme_projection``, ``theme_forms``);
# a format 1 model is format 2 without it, and still loads.
FORMAT = "ward-kiosk comment tagger 2"
_READABLE = ("ward-kiosk comment tagger 1", FORMAT)
JSON_NAME = "tagger.json"
ARRAYS_NAME = "tagger.npz"
SENTIMENTS = (1, 2, 3, 4, 5)
RATING_CODES = (1, 2, 3, 4, 5, 6)  # the FFT answers, "Very good" to "Don't know"
# The arrays a model must have, beside one ``<analyzer>_idf`` per vectorizer.
_ARRAYS = (
    "theme_coef",
    "theme_intercept",
    "theme_threshold",
    "sentiment_coef",
    "sentiment_intercept",
)


class ModelError(Exception):
    """The model files are missing or damaged; the message says which file and what to do."""


@dataclass(frozen=True)
class Tags:
    """What the tagger says of one comment.

    :ivar themes: framework category names, in the framework's order; empty for a blank comment.
    :ivar sentiment: 1 (very positive) to 5 (very negative), or ``None`` for a blank comment.
    """

    themes: tuple[str, ...]
    sentiment: int | None


@dataclass(frozen=True)
class Tagger:
    """A loaded model.

    :ivar version: the model's version (training date and a hash of its data).
    :ivar themes: every theme the model can give, in the framework's order.
    :ivar vectorizers: the TF-IDF parts of the features, side by side.
    :ivar rating_offset: the first of the FFT rating's one-hot columns, or ``None`` when the
        model has no rating feature.
    :ivar rating_weight: the value of a rating's column when it is given.
    :ivar coef: weights per feature (rows), the themes' columns, then the five sentiments',
        then the LSA projection's columns (none when the model has no second-order part).
    :ivar intercept: the same columns' intercepts.
    :ivar theme_threshold: a theme applies when its score is at least this.
    :ivar theme_forms: the themes' second-order part, one square form per theme on the
        comment's LSA coordinates (the last columns of *coef*); empty when the model has none.
    """

    version: str
    themes: tuple[str, ...]
    vectorizers: tuple[Vectorizer, ...]
    rating_offset: int | None
    rating_weight: float
    coef: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float64]
    theme_threshold: npt.NDArray[np.float64]
    metadata: dict[str, Any]
    theme_forms: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 0, 0), np.float32)
    )

    def features(self, texts: Sequence[str], ratings: Sequence[int | None]) -> list[Rows]:
        """The non-zero features of *texts*: every vectorizer's, then the FFT rating's; in
        each part the entries are in comment order."""
        parts = [vectorizer.transform(texts) for vectorizer in self.vectorizers]
        if self.rating_offset is not None:
            rated = [(i, RATING_CODES.index(r)) for i, r in enumerate(ratings) if r in RATING_CODES]
            rows = np.array([i for i, _ in rated], dtype=np.intp)
            columns = np.array([code for _, code in rated], dtype=np.intp) + self.rating_offset
            parts.append(Rows(rows, columns, np.full(len(rated), self.rating_weight)))
        return parts

    def scores(
        self, texts: Sequence[str], ratings: Sequence[int | None]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The scores of *texts*: one row per comment, per theme and per sentiment."""
        total = np.zeros((len(texts), self.coef.shape[1]))
        # A sparse-times-dense product in numpy alone: gather the weights of each entry,
        # scale them, and add up each comment's run of entries.
        for part in self.features(texts, ratings):
            if not len(part.rows):
                continue
            starts = np.flatnonzero(np.r_[True, part.rows[1:] != part.rows[:-1]])
            weighted = self.coef[part.columns] * part.values[:, None]
            total[part.rows[starts]] += np.add.reduceat(weighted, starts, axis=0)
        total += self.intercept
        width = len(self.themes)
        themes = total[:, :width]
        if len(self.theme_forms):
            themes += quadratic(total[:, width + len(SENTIMENTS) :], self.theme_forms)
        return themes, total[:, width : width + len(SENTIMENTS)]

    def tag_all(
        self, texts: Sequence[str], ratings: Sequence[int | None] | None = None
    ) -> list[Tags]:
        """Themes and sentiment of each comment; *ratings* are their FFT answer codes (1-6)
        where known. A blank comment gets no themes and no sentiment."""
        ratings = ratings if ratings is not None else [None] * len(texts)
        themes, sentiment = self.scores(texts, ratings)
        chosen = themes >= self.theme_threshold
        best = np.argmax(sentiment, axis=1)
        return [
            Tags(tuple(self.themes[j] for j in np.flatnonzero(chosen[i])), SENTIMENTS[best[i]])
            if text.strip()
            else Tags((), None)
            for i, text in enumerate(texts)
        ]

    def tag(self, text: str, rating: int | None = None) -> Tags:
        """:meth:`tag_all` for one comment."""
        return self.tag_all([text], [rating])[0]


def load(directory: Path | None = None) -> Tagger:
    """The model in *directory*, by default the one shipped in the package.

    :raises ModelError: a file is missing, unreadable or does not fit the other.
    """
    directory = directory or MODEL_DIR
    meta_path, arrays_path = directory / JSON_NAME, directory / ARRAYS_NAME
    retrain = "rebuild it with `python -m sync.analysis.train`, or reinstall ward-kiosk"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"the comment tagger's model {meta_path} is missing; {retrain}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"the comment tagger's model {meta_path} is damaged ({exc}); {retrain}"
        ) from None
    try:
        # allow_pickle=False: a model file is data, and must never run code when loaded.
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise ModelError(
            f"the comment tagger's model {arrays_path} is missing; {retrain}"
        ) from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(
            f"the comment tagger's model {arrays_path} is damaged ({exc}); {retrain}"
        ) from None
    try:
        return _tagger(meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(
            f"the comment tagger's model in {directory} does not fit together ({exc!r}); {retrain}"
        ) from None


def _tagger(meta: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> Tagger:
    if meta.get("format") not in _READABLE:
        raise ValueError(f"format is {meta.get('format')!r}, not {FORMAT!r}")
    if arrays_digest(arrays) != meta["arrays_sha256"]:
        raise ValueError("the arrays are not the ones the JSON was written with")
    vectorizers = []
    offset = 0
    for part in meta["vectorizers"]:
        terms = part["vocabulary"]
        idf = arrays[f"{part['analyzer']}_idf"].astype(np.float64)
        if len(idf) != len(terms):
            raise ValueError(f"{part['analyzer']}: {len(terms)} terms but {len(idf)} weights")
        vocabulary = {term: i for i, term in enumerate(terms)}
        low, high = part["ngram_range"]
        vectorizers.append(Vectorizer(part["analyzer"], (low, high), vocabulary, idf, offset))
        offset += len(terms)
    rating = meta.get("rating")
    rating_offset = offset if rating else None
    width = offset + (len(RATING_CODES) if rating else 0)
    themes = tuple(meta["themes"])
    theme_coef, sentiment_coef = arrays["theme_coef"], arrays["sentiment_coef"]
    shapes = {
        "theme_coef": (width, len(themes)),
        "theme_intercept": (len(themes),),
        "theme_threshold": (len(themes),),
        "sentiment_coef": (width, len(SENTIMENTS)),
        "sentiment_intercept": (len(SENTIMENTS),),
    }
    projection = arrays.get("theme_projection", np.zeros((width, 0), np.float32))
    dims = projection.shape[1] if projection.ndim == 2 else 0
    forms = arrays.get("theme_forms", np.zeros((0, 0, 0), np.float32))
    if "theme_projection" in arrays or "theme_forms" in arrays:
        shapes |= {"theme_projection": (width, dims), "theme_forms": (len(themes), dims, dims)}
    for name, shape in shapes.items():
        if arrays[name].shape != shape:
            raise ValueError(f"{name} has shape {arrays[name].shape}, not {shape}")
    return Tagger(
        version=str(meta["version"]),
        themes=themes,
        vectorizers=tuple(vectorizers),
        rating_offset=rating_offset,
        rating_weight=float(rating["weight"]) if rating else 0.0,
        coef=np.hstack([theme_coef, sentiment_coef, projection]).astype(np.float32),
        intercept=np.concatenate(
            [arrays["theme_intercept"], arrays["sentiment_intercept"], np.zeros(dims)]
        ),
        theme_threshold=arrays["theme_threshold"].astype(np.float64),
        metadata=meta,
        theme_forms=forms.astype(np.float32),
    )


def arrays_digest(arrays: dict[str, npt.NDArray[Any]]) -> str:
    """A SHA-256 of the arrays' names, shapes, types and bytes, so the JSON and the ``.npz``
    are known to belong together."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
