"""The numpy TF-IDF transform gives scikit-learn's numbers, on the real comments and on text
that stresses the tokenisers."""

from __future__ import annotations

import numpy as np
import pytest

from sync.analysis.features import Vectorizer, char_wb_ngrams, word_ngrams

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
sparse = pytest.importorskip("scipy.sparse")

AWKWARD = [
    "",
    "   ",
    "a I x",
    "ab",
    "  Tabs\tand  spaces\n\nand\r\nlines  ",
    "Ünïcode café — naïve façade, ΕΛΛΗΝΙΚΑ and اردو",
    "Waited 6 hours!!! in A&E... 10/10 would NOT recommend",
    "don't can't won't it's",
    "x" * 300,
]


@pytest.mark.parametrize(
    ("analyzer", "ngram_range"), [("word", (1, 2)), ("char_wb", (2, 5)), ("word", (1, 1))]
)
def test_transform_equals_sklearn(labelled, analyzer, ngram_range):
    fitted = sklearn_text.TfidfVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, min_df=2, sublinear_tf=True
    ).fit(labelled.texts)
    ours = Vectorizer(analyzer, ngram_range, fitted.vocabulary_, fitted.idf_)
    texts = labelled.texts + AWKWARD
    found = ours.transform(texts)
    mine = sparse.csr_matrix(
        (found.values, (found.rows, found.columns)), shape=(len(texts), len(fitted.idf_))
    )
    difference = abs(mine - fitted.transform(texts))
    assert difference.nnz == 0 or difference.max() <= 1e-9
    assert mine.nnz == fitted.transform(texts).nnz


def test_tokens_equal_sklearn_analyzers():
    word = sklearn_text.TfidfVectorizer(ngram_range=(1, 3)).build_analyzer()
    char = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for text in AWKWARD:
        assert word_ngrams(text, 1, 3) == word(text)
        assert char_wb_ngrams(text, 2, 5) == char(text)


def test_a_comment_with_no_known_terms_has_no_features():
    ours = Vectorizer("word", (1, 1), {"nurse": 0, "kind": 1}, np.array([1.5, 2.0]))
    found = ours.transform(["zzz qqq", "kind nurse", ""])
    assert list(found.rows) == [1, 1]
    assert np.all(np.isfinite(found.values))
    assert np.isclose(np.sum(found.values**2), 1.0)
