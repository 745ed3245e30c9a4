"""Fitting the tagger with scikit-learn (the ``analysis-train`` extra), and writing what it
learnt as the JSON and ``.npz`` files that :mod:`sync.analysis.tagger` loads with numpy alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

from sync.analysis import tagger
from sync.analysis.dataset import Dataset

Matrix = Any  # a scipy sparse matrix (scipy ships no types)


@dataclass(frozen=True)
class Settings:
    """The choices cross-validation settled on (see the README for the figures).

    :ivar min_examples: a theme needs this many labelled comments to be learnt at all.
    :ivar theme_alpha: the ridge penalty of the themes' linear model (one per theme, fitted
        together).
    :ivar sentiment_c: inverse regularisation of the five-class logistic regression.
    :ivar rating_weight: the value of the FFT rating's one-hot column.
    :ivar rating_dropout: the share of training comments shown without their rating, so the
        model also works when a comment arrives without one.
    :ivar inner_folds: folds used to pick the themes' thresholds from out-of-fold scores.
    :ivar own_threshold_from: a theme with at least this many labelled comments gets a
        threshold of its own; the rarer ones share one (theirs would fit noise).
    :ivar theme_lr_weight: the share of each theme's score that comes from a logistic
        regression (its decision score times ``theme_lr_scale``, plus 0.5), the rest from the
        ridge; both are linear in the same features, so their average is one linear model.
    :ivar theme_lr_c: inverse regularisation of the themes' logistic regressions.
    :ivar sentiment_ridge_weight: how much a ridge regression of the sentiment on 1..5 adds to
        the logistic regression's class scores, as ``-w (k - r)^2`` for class k and ridge score
        r; up to a term equal for all classes that is linear in r, so still one linear model.
    """

    min_examples: int = 10
    theme_alpha: float = 1.0
    sentiment_c: float = 1.0
    rating_weight: float = 0.5
    rating_dropout: float = 0.2
    inner_folds: int = 3
    own_threshold_from: int = 200
    theme_lr_weight: float = 0.3
    theme_lr_scale: float = 0.05
    theme_lr_c: float = 10.0
    sentiment_ridge_weight: float = 0.1


@dataclass
class Linear:
    """A linear model as the shipped tagger runs it: scores are ``x @ coef_.T + intercept_``.

    :ivar classes_: for a classifier, the class of each score column (the best one wins).
    """

    coef_: npt.NDArray[np.float64]
    intercept_: npt.NDArray[np.float64]
    classes_: npt.NDArray[np.int64] | None = None

    def scores(self, x: Matrix) -> npt.NDArray[np.float64]:
        return np.asarray(x @ self.coef_.T) + self.intercept_

    def predict(self, x: Matrix) -> npt.NDArray[Any]:
        scores = self.scores(x)
        if self.classes_ is None:
            return scores
        best: npt.NDArray[Any] = self.classes_[np.argmax(scores, axis=1)]
        return best


@dataclass
class Fitted:
    """A fitted tagger: vectorizers in scikit-learn's terms, models as plain coefficients."""

    settings: Settings
    vectorizers: list[tuple[str, TfidfVectorizer]]
    themes: list[str]
    theme_model: Linear
    thresholds: npt.NDArray[np.float64]
    sentiment_model: Linear

    def matrix(self, texts: list[str], ratings: list[int | None]) -> Matrix:
        return _stack(self.vectorizers, texts, ratings, self.settings.rating_weight, fit=False)

    def predict(
        self, texts: list[str], ratings: list[int | None], all_themes: list[str]
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
        """0/1 per comment and theme of *all_themes*, and the sentiment, as the shipped model
        would give them."""
        x = self.matrix(texts, ratings)
        labels = np.zeros((len(texts), len(all_themes)), np.int8)
        chosen = self.theme_model.predict(x) >= self.thresholds
        labels[:, [all_themes.index(theme) for theme in self.themes]] = chosen
        return labels, self.sentiment_model.predict(x)


def _vectorizers() -> list[tuple[str, TfidfVectorizer]]:
    return [
        ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        (
            "char_wb",
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        ),
    ]


def _stack(
    vectorizers: list[tuple[str, TfidfVectorizer]],
    texts: list[str],
    ratings: list[int | None],
    weight: float,
    fit: bool,
) -> Matrix:
    parts = [v.fit_transform(texts) if fit else v.transform(texts) for _, v in vectorizers]
    onehot = np.zeros((len(texts), len(tagger.RATING_CODES)))
    for row, rating in enumerate(ratings):
        if rating in tagger.RATING_CODES:
            onehot[row, tagger.RATING_CODES.index(rating)] = weight
    return sparse.hstack([*parts, sparse.csr_matrix(onehot)]).tocsr()


def _theme_model(x: Matrix, y: npt.NDArray[np.float64], settings: Settings) -> Linear:
    # One ridge regression per theme, solved together (lsqr is deterministic and quick on
    # sparse TF-IDF), averaged with a logistic regression per theme: the blend beat either
    # alone on cross-validation (README).
    ridge = Ridge(alpha=settings.theme_alpha, solver="lsqr").fit(x, y)
    share, scale = settings.theme_lr_weight, settings.theme_lr_scale
    coef, intercept = (1 - share) * ridge.coef_, (1 - share) * ridge.intercept_
    if share:
        models = [
            LogisticRegression(C=settings.theme_lr_c, solver="liblinear", random_state=0).fit(
                x, y[:, k]
            )
            for k in range(y.shape[1])
        ]
        coef = coef + share * scale * np.vstack([m.coef_[0] for m in models])
        intercept = intercept + share * (scale * np.array([m.intercept_[0] for m in models]) + 0.5)
    return Linear(np.asarray(coef), np.asarray(intercept, dtype=np.float64))


def _sentiment_model(x: Matrix, y: npt.NDArray[np.int64], settings: Settings) -> Linear:
    lr = LogisticRegression(C=settings.sentiment_c, max_iter=2000).fit(x, y)
    coef, intercept = lr.coef_.astype(np.float64), lr.intercept_.astype(np.float64)
    weight = settings.sentiment_ridge_weight
    if weight:
        # Class k's score gains -w (k - r)^2 = w (2 k r - k^2) - w r^2; the last term is the
        # same for every class, so it can be left out and the model stays linear.
        ridge = Ridge(alpha=1.0, solver="lsqr").fit(x, y.astype(np.float64))
        k = lr.classes_.astype(np.float64)[:, None]
        coef = coef + weight * 2 * k * ridge.coef_[None, :]
        intercept = intercept + weight * (2 * k[:, 0] * float(ridge.intercept_) - k[:, 0] ** 2)
    return Linear(coef, intercept, lr.classes_.astype(np.int64))


def _threshold(y: npt.NDArray[Any], scores: npt.NDArray[np.float64]) -> float:
    """The score cut that gives the best (micro-)F1 on out-of-fold scores."""
    best, best_f1 = 0.5, -1.0
    for cut in np.linspace(-0.5, 1.5, 201):
        chosen = scores >= cut
        hits = int(np.sum(chosen & (y == 1)))
        f1 = 2 * hits / (int(chosen.sum()) + int(y.sum()) or 1)
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


def fit(data: Dataset, seed: int, settings: Settings | None = None) -> Fitted:
    """Fit the tagger on *data*; the same data and *seed* always give the same model."""
    settings = settings or Settings()
    rng = np.random.default_rng(seed)
    ratings = [
        None if rng.random() < settings.rating_dropout else rating for rating in data.ratings
    ]
    vectorizers = _vectorizers()
    x = _stack(vectorizers, data.texts, ratings, settings.rating_weight, fit=True)
    learnt = [
        j for j in range(len(data.themes)) if data.labels[:, j].sum() >= settings.min_examples
    ]
    y = data.labels[:, learnt].astype(np.float64)
    out_of_fold = np.zeros(y.shape)
    folds = KFold(settings.inner_folds, shuffle=True, random_state=seed)
    for train, test in folds.split(x):
        out_of_fold[test] = _theme_model(x[train], y[train], settings).predict(x[test])
    thresholds = np.full(len(learnt), _threshold(y, out_of_fold))
    for k in np.flatnonzero(y.sum(0) >= settings.own_threshold_from):
        thresholds[k] = _threshold(y[:, k], out_of_fold[:, k])
    judged = data.sentiments > 0
    return Fitted(
        settings,
        vectorizers,
        [data.themes[j] for j in learnt],
        _theme_model(x, y, settings),
        thresholds,
        _sentiment_model(x[judged], data.sentiments[judged], settings),
    )


@dataclass
class Baseline:
    """Plain TF-IDF and a linear SVC per theme (and one for sentiment), untuned."""

    vectorizer: TfidfVectorizer
    theme_models: dict[int, LinearSVC]
    sentiment_model: LinearSVC

    @classmethod
    def fit(cls, data: Dataset, seed: int) -> Baseline:
        vectorizer = TfidfVectorizer()
        x = vectorizer.fit_transform(data.texts)
        themes = {
            j: LinearSVC(random_state=seed).fit(x, data.labels[:, j])
            for j in range(len(data.themes))
            if 0 < data.labels[:, j].sum() < len(data.texts)
        }
        judged = data.sentiments > 0
        sentiment = LinearSVC(random_state=seed).fit(x[judged], data.sentiments[judged])
        return cls(vectorizer, themes, sentiment)

    def predict(
        self, texts: list[str], n_themes: int
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
        x = self.vectorizer.transform(texts)
        labels = np.zeros((len(texts), n_themes), np.int8)
        for j, model in self.theme_models.items():
            labels[:, j] = model.predict(x)
        return labels, self.sentiment_model.predict(x)


def export(fitted: Fitted, directory: Path, metadata: dict[str, Any]) -> None:
    """Write *fitted* as ``tagger.json`` and ``tagger.npz`` in *directory*."""
    classes = fitted.sentiment_model.classes_
    sentiment_classes = [int(c) for c in classes] if classes is not None else []
    if sentiment_classes != list(tagger.SENTIMENTS):
        raise ValueError(f"the data has sentiments {sentiment_classes}, not 1 to 5")
    arrays: dict[str, npt.NDArray[Any]] = {
        f"{name}_idf": v.idf_.astype(np.float64) for name, v in fitted.vectorizers
    }
    arrays |= {
        # float32 halves the file; the scores move by about 1e-7, far below any threshold gap.
        "theme_coef": fitted.theme_model.coef_.T.astype(np.float32),
        "theme_intercept": fitted.theme_model.intercept_.astype(np.float64),
        "theme_threshold": fitted.thresholds.astype(np.float64),
        "sentiment_coef": fitted.sentiment_model.coef_.T.astype(np.float32),
        "sentiment_intercept": fitted.sentiment_model.intercept_.astype(np.float64),
    }
    vectorizers = []
    for name, v in fitted.vectorizers:
        terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
        vectorizers.append(
            {"analyzer": name, "ngram_range": list(v.ngram_range), "vocabulary": terms}
        )
    meta = {
        "format": tagger.FORMAT,
        **metadata,
        "themes": fitted.themes,
        "rating": {"weight": fitted.settings.rating_weight, "codes": list(tagger.RATING_CODES)},
        "vectorizers": vectorizers,
        "arrays_sha256": tagger.arrays_digest(arrays),
    }
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / tagger.ARRAYS_NAME, **arrays)  # type: ignore[arg-type]
    text = json.dumps(meta, ensure_ascii=False, indent=1)
    (directory / tagger.JSON_NAME).write_text(text + "\n", encoding="utf-8")
