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
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from sync.analysis import pairs, tagger
from sync.analysis.dataset import Dataset

Matrix = Any  # a scipy sparse matrix (scipy ships no types)


@dataclass(frozen=True)
class Settings:
    """The choices cross-validation settled on (see the README for the figures).

    :ivar min_examples: a theme needs this many labelled comments to be learnt at all.
    :ivar theme_alpha: the ridge penalty of the themes' linear model (one per theme, fitted
        together).
    :ivar sentiment_cs: inverse regularisation of each five-class logistic regression in the
        sentiment's first stage (a weaker and a stronger one disagree usefully).
    :ivar sentiment_nb_alpha: smoothing of the sentiment's multinomial naive Bayes.
    :ivar rating_weight: the value of the FFT rating's one-hot column.
    :ivar rating_dropout: the share of training comments shown without their rating, so the
        model also works when a comment arrives without one.
    :ivar inner_folds: folds used to pick the themes' thresholds from out-of-fold scores.
    :ivar own_threshold_from: a theme with at least this many labelled comments gets a
        threshold of its own; the rarer ones share one (theirs would fit noise).
    :ivar theme_nb_weight: the share of each theme's score that comes from a ridge regression
        on NB-scaled features (see :func:`_nb_ridge`), the rest from the plain ridge; both are
        linear in the same features, so their average is one linear model.
    :ivar sentiment_stack_c: inverse regularisation of the sentiment's second stage, a
        five-class logistic regression on the first stage's out-of-fold scores (five-class
        logistic regressions, a ridge regression on 1..5 and a multinomial naive Bayes) and the
        FFT rating; it is linear in linear scores, so the shipped sentiment model is still one
        linear model.
    :ivar sentiment_stack_folds: folds that give the first stage's out-of-fold scores.
    :ivar theme_lsa_dims: the themes' plain ridge also sees pairs of topics: it is a kernel
        ridge regression whose kernel adds, to the features' dot product, the square of the
        comments' dot product in this many latent dimensions (LSA: the top singular vectors of
        the training comments' features). 0 leaves it a linear ridge.
    :ivar theme_pair_weight: the squared term's weight in that kernel.
    """

    min_examples: int = 10
    theme_alpha: float = 1.0
    sentiment_cs: tuple[float, ...] = (1.0, 4.0)
    sentiment_nb_alpha: float = 0.1
    rating_weight: float = 0.5
    rating_dropout: float = 0.2
    inner_folds: int = 3
    own_threshold_from: int = 200
    theme_nb_weight: float = 0.3
    sentiment_stack_c: float = 1.0
    sentiment_stack_folds: int = 5
    theme_lsa_dims: int = 100
    theme_pair_weight: float = 0.5


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
    theme_pairs: pairs.Pairs | None = None

    def matrix(self, texts: list[str], ratings: list[int | None]) -> Matrix:
        return _stack(self.vectorizers, texts, ratings, self.settings.rating_weight, fit=False)

    def predict(
        self, texts: list[str], ratings: list[int | None], all_themes: list[str]
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
        """0/1 per comment and theme of *all_themes*, and the sentiment, as the shipped model
        would give them."""
        x = self.matrix(texts, ratings)
        labels = np.zeros((len(texts), len(all_themes)), np.int8)
        scores = self.theme_model.scores(x)
        if self.theme_pairs is not None:
            scores += self.theme_pairs.scores(x)
        chosen = scores >= self.thresholds
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


def _nb_ridge(
    x: Matrix, y: npt.NDArray[np.float64], alpha: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per theme, a ridge regression on features scaled by how much more often they occur in
    the theme's comments than in the others (NB-SVM's log-count ratio, as a magnitude), with
    the scaling folded back into the weights so that it applies to the plain features."""
    present = (x > 0).astype(np.float64)
    inside = np.asarray((present.T @ y).T) + 1.0  # one row per theme, add-one smoothed
    outside = np.asarray(present.sum(0)).ravel()[None, :] - inside + 2.0
    ratios = np.abs(
        np.log(inside / inside.sum(1, keepdims=True))
        - np.log(outside / outside.sum(1, keepdims=True))
    )
    coef, intercept = np.zeros((y.shape[1], x.shape[1])), np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        model = Ridge(alpha=alpha, solver="lsqr").fit(x.multiply(ratios[k]).tocsr(), y[:, k])
        coef[k], intercept[k] = model.coef_ * ratios[k], float(model.intercept_)
    return coef, intercept


def _theme_model(
    x: Matrix,
    y: npt.NDArray[np.float64],
    settings: Settings,
    z: npt.NDArray[np.float64] | None = None,
) -> tuple[Linear, npt.NDArray[np.float64] | None]:
    """The themes' linear part, and the quadratic forms on *z* (the comments' LSA coordinates)
    when there are any."""
    # One ridge regression per theme, solved together, averaged with the NB-scaled ridge of
    # each theme: the blend beat either alone on cross-validation (README). With LSA
    # coordinates the plain ridge is a kernel ridge that also weighs pairs of topics.
    forms = None
    if z is None:
        ridge = Ridge(alpha=settings.theme_alpha, solver="lsqr").fit(x, y)
        coef, intercept = ridge.coef_, ridge.intercept_
    else:
        dual, intercept = pairs.kernel_ridge(
            x, z, y, settings.theme_alpha, settings.theme_pair_weight
        )
        coef, forms = np.asarray(x.T @ dual).T, pairs.forms(dual, z, settings.theme_pair_weight)
    if settings.theme_nb_weight:
        nb_coef, nb_intercept = _nb_ridge(x, y, settings.theme_alpha)
        nb = settings.theme_nb_weight
        coef, intercept = (1 - nb) * coef + nb * nb_coef, (1 - nb) * intercept + nb * nb_intercept
        forms = None if forms is None else (1 - nb) * forms
    return Linear(np.asarray(coef), np.asarray(intercept, dtype=np.float64)), forms


def _theme_scores(
    model: tuple[Linear, npt.NDArray[np.float64] | None],
    x: Matrix,
    z: npt.NDArray[np.float64] | None,
) -> npt.NDArray[np.float64]:
    linear, forms = model
    scores = linear.scores(x)
    if forms is not None and z is not None:
        scores += pairs.quadratic(z, forms)
    return scores


def _sentiment_first_stage(
    x: Matrix, y: npt.NDArray[np.int64], settings: Settings
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Weights and intercepts of the first stage, one row per score: each logistic
    regression's five class scores, the ridge regression's one, then the naive Bayes' five."""
    coefs, intercepts = [], []
    for c in settings.sentiment_cs:
        lr = LogisticRegression(C=c, max_iter=2000).fit(x, y)
        coefs.append(lr.coef_)
        intercepts.append(lr.intercept_)
    ridge = Ridge(alpha=1.0, solver="lsqr").fit(x, y.astype(np.float64))
    coefs.append(ridge.coef_[None, :])
    intercepts.append(np.array([float(ridge.intercept_)]))
    nb = MultinomialNB(alpha=settings.sentiment_nb_alpha).fit(x, y)
    # Its joint log-likelihoods less their mean over the classes: the same as its centred log
    # probabilities (the normaliser cancels), and linear in the features.
    coefs.append(nb.feature_log_prob_ - nb.feature_log_prob_.mean(0))
    intercepts.append(nb.class_log_prior_ - nb.class_log_prior_.mean())
    return np.vstack(coefs), np.concatenate(intercepts)


def rating_onehot(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """One column for "no rating", then one per FFT answer code."""
    return np.eye(len(tagger.RATING_CODES) + 1)[codes]


def _sentiment_model(
    x: Matrix,
    y: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    settings: Settings,
    seed: int,
) -> Linear:
    # Stacking: a second logistic regression learns how far to trust each first-stage score,
    # and how the rating moves the classes, from scores of comments the first stage did not
    # see. Every stage is linear, so the composition is folded into one linear model.
    classes = len(tagger.SENTIMENTS)
    first = np.zeros((len(y), classes * len(settings.sentiment_cs) + 1 + classes))
    folds = KFold(settings.sentiment_stack_folds, shuffle=True, random_state=seed)
    for train, test in folds.split(x):
        coef, intercept = _sentiment_first_stage(x[train], y[train], settings)
        first[test] = np.asarray(x[test] @ coef.T) + intercept
    second = LogisticRegression(C=settings.sentiment_stack_c, max_iter=3000).fit(
        np.hstack([first, rating_onehot(codes)]), y
    )
    coef, intercept = _sentiment_first_stage(x, y, settings)
    return fold_stages(second, coef, intercept, settings.rating_weight)


def fold_stages(
    second: LogisticRegression,
    coef: npt.NDArray[np.float64],
    intercept: npt.NDArray[np.float64],
    rating_weight: float,
) -> Linear:
    """One linear model that scores features ``x`` (the FFT rating's one-hot columns last) as
    *second* scores the first stage's scores ``x @ coef.T + intercept`` beside the rating's
    one-hot code (:func:`rating_onehot`)."""
    width = len(intercept)
    on_scores, on_rating = second.coef_[:, :width], second.coef_[:, width:]
    folded = on_scores @ coef
    # The rating's one-hot columns of x carry rating_weight where the second stage saw 1.
    # "No rating" is every column at 0, so its weight goes to the intercept.
    no_rating = on_rating[:, 0]
    folded[:, -len(tagger.RATING_CODES) :] += (
        on_rating[:, 1:] - no_rating[:, None]
    ) / rating_weight
    return Linear(
        folded,
        on_scores @ intercept + second.intercept_ + no_rating,
        second.classes_.astype(np.int64),
    )


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
    # The LSA is fitted once on every training comment (it sees no labels); the thresholds'
    # inner folds share it, as the shipped model will.
    projection = None
    if settings.theme_lsa_dims:
        # Rounded as it is shipped, so that the scores here are the shipped model's.
        projection = pairs.lsa(x, settings.theme_lsa_dims).astype(np.float32)
    z = None if projection is None else np.asarray(x @ projection, dtype=np.float64)
    out_of_fold = np.zeros(y.shape)
    folds = KFold(settings.inner_folds, shuffle=True, random_state=seed)
    for train, test in folds.split(x):
        part = None if z is None else z[train]
        model = _theme_model(x[train], y[train], settings, part)
        out_of_fold[test] = _theme_scores(model, x[test], None if z is None else z[test])
    thresholds = np.full(len(learnt), _threshold(y, out_of_fold))
    for k in np.flatnonzero(y.sum(0) >= settings.own_threshold_from):
        thresholds[k] = _threshold(y[:, k], out_of_fold[:, k])
    judged = data.sentiments > 0
    codes = np.array([tagger.RATING_CODES.index(r) + 1 if r else 0 for r in ratings], np.int64)
    linear, forms = _theme_model(x, y, settings, z)
    return Fitted(
        settings,
        vectorizers,
        [data.themes[j] for j in learnt],
        linear,
        thresholds,
        _sentiment_model(x[judged], data.sentiments[judged], codes[judged], settings, seed),
        None
        if projection is None or forms is None
        else pairs.Pairs(projection, forms.astype(np.float32)),
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
    if fitted.theme_pairs is not None:
        arrays["theme_projection"] = fitted.theme_pairs.projection.astype(np.float32)
        arrays["theme_forms"] = fitted.theme_pairs.forms.astype(np.float32)
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
