"""Training is reproducible, and the shipped format (JSON + .npz, run with numpy) gives the
same tags as the scikit-learn model it was written from. Trained on a slice of the data to
stay quick."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="training needs the analysis-train extra")

from sklearn.linear_model import LogisticRegression

from sync.analysis import fitting, tagger, train

SEED = 13


@pytest.fixture(scope="module")
def small(labelled):
    rows = np.random.default_rng(0).permutation(len(labelled.texts))
    return labelled.subset(rows[:500]), labelled.subset(rows[500:700])


@pytest.fixture(scope="module")
def fitted(small):
    return fitting.fit(small[0], SEED)


def test_training_twice_with_the_seed_gives_the_same_tags(small, fitted):
    part, held = small
    first = fitted.predict(held.texts, held.ratings, part.themes)
    second = fitting.fit(part, SEED).predict(held.texts, held.ratings, part.themes)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert first[0].any(), "a model that tags nothing proves nothing"


def test_the_exported_model_tags_as_the_fitted_one(small, fitted, tmp_path):
    _, held = small
    fitting.export(fitted, tmp_path, {"version": "test", "notice": train.ATTRIBUTION})
    loaded = tagger.load(tmp_path)
    labels, sentiments = fitted.predict(held.texts, held.ratings, list(loaded.themes))
    for i, (text, rating) in enumerate(zip(held.texts, held.ratings, strict=True)):
        tags = loaded.tag(text, rating)
        expected = tuple(t for j, t in enumerate(loaded.themes) if labels[i, j])
        assert (tags.themes, tags.sentiment) == (expected, sentiments[i]), text


def test_cross_validation_reports_model_and_baseline(small):
    part, _ = small
    model, baseline = train.cross_validate(part, folds=2, seed=SEED, say=lambda line: None)
    lines = train.report(part, model, baseline)
    assert lines[1].startswith("themes micro-F1")
    assert 0.3 < model.micro_f1 <= 1 and 0.3 < baseline.micro_f1 <= 1
    assert lines[3] == "ten most common themes (F1):"
    assert len(lines) == 4 + 10


def test_train_says_where_the_data_should_be(tmp_path, capsys):
    assert train.main(["--data", str(tmp_path / "absent.csv"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "absent.csv does not exist" in err and "--data" in err


def test_the_folded_sentiment_model_scores_as_its_two_stages():
    rng = np.random.default_rng(SEED)
    n, words = 300, 40
    codes = rng.integers(0, len(tagger.RATING_CODES) + 1, n)  # 0: no rating
    weight = 0.5
    onehot = fitting.rating_onehot(codes)
    x = np.hstack([rng.random((n, words)), weight * onehot[:, 1:]])
    y = rng.integers(1, 6, n)
    coef, intercept = rng.normal(size=(6, x.shape[1])), rng.normal(size=6)
    z = np.hstack([x @ coef.T + intercept, onehot])
    second = LogisticRegression(max_iter=3000).fit(z, y)
    folded = fitting.fold_stages(second, coef, intercept, weight)
    np.testing.assert_allclose(folded.scores(x), second.decision_function(z), atol=1e-9)
    np.testing.assert_array_equal(folded.predict(x), second.predict(z))
