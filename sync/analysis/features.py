"""TF-IDF features of a comment, with numpy alone: the same tokens, counts and weights as
scikit-learn's ``TfidfVectorizer`` (word n-grams and ``char_wb`` n-grams, lowercased,
``sublinear_tf``, l2 norm), so a model trained there scores the same here without it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# scikit-learn's defaults, copied so that tokens here are its tokens exactly.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Word n-grams of *text* as ``TfidfVectorizer(analyzer="word")`` makes them."""
    tokens = _TOKEN.findall(text.lower())
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside words, padded with a space, as ``analyzer="char_wb"``."""
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            # A word shorter than n is counted once, whole, and ends the word (as sklearn does).
            if size <= n:
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(size - n + 1)]
    return grams


_ANALYZERS = {"word": word_ngrams, "char_wb": char_wb_ngrams}


@dataclass(frozen=True)
class Vectorizer:
    """One fitted TF-IDF vectorizer.

    :ivar analyzer: ``"word"`` or ``"char_wb"``.
    :ivar ngram_range: the shortest and longest n-gram.
    :ivar vocabulary: each term's column.
    :ivar idf: each column's inverse document frequency.
    :ivar offset: where this vectorizer's columns start in the model's feature space.
    """

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    offset: int = 0

    def transform(self, texts: Sequence[str]) -> Rows:
        """The non-zero entries of *texts*, with columns offset into the model's features."""
        vocabulary = self.vocabulary
        analyze = _ANALYZERS[self.analyzer]
        low, high = self.ngram_range
        lengths: list[int] = []
        columns: list[int] = []
        tfs: list[int] = []
        for text in texts:
            # map() and Counter run in C: the bulk of tagging time is this line.
            counts = Counter(map(vocabulary.get, analyze(text, low, high)))
            counts.pop(None, None)
            lengths.append(len(counts))
            columns += counts.keys()  # type: ignore[arg-type]  # None was popped
            tfs += counts.values()
        rows = np.repeat(np.arange(len(texts)), lengths)
        cols = np.array(columns, dtype=np.intp)
        weights = (np.log(np.array(tfs, dtype=np.float64)) + 1.0) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(texts)))
        weights /= norms[rows]
        return Rows(rows, cols + self.offset, weights)

    def dense(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """The full matrix for *texts*, this vectorizer's columns only (for checking)."""
        out = np.zeros((len(texts), len(self.idf)))
        found = self.transform(texts)
        out[found.rows, found.columns - self.offset] = found.values
        return out


@dataclass(frozen=True)
class Rows:
    """Non-zero entries of a feature matrix, as three parallel arrays (coordinate form)."""

    rows: npt.NDArray[np.intp]
    columns: npt.NDArray[np.intp]
    values: npt.NDArray[np.float64]
