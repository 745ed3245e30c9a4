"""The labelled FFT comments the tagger learns from (NHS England's framework v6 file): which
rows carry text, their themes, sentiment and FFT rating, and a digest that names the data.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

TEXT = "FFT answer"
RATING = "FFT categorical answer"
SENTIMENT = "Comment sentiment"
FIRST_THEME = "Organisation & efficiency"
# Columns among the categories that flag a comment rather than say what it is about.
FLAGS = frozenset({"Not assigned", "Labelling not possible", "Safeguarding concerns?"})
NO_TEXT = frozenset({"", "did not answer"})


class DataError(Exception):
    """The labelled data cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Dataset:
    """Labelled comments with text.

    :ivar texts: the patients' words.
    :ivar ratings: each comment's FFT answer code (1-6), or ``None``.
    :ivar themes: every theme column of the file, in its order.
    :ivar labels: one row per comment, one 0/1 column per theme.
    :ivar sentiments: 1-5, or 0 where the comment was not given one.
    :ivar digest: SHA-256 of the file's bytes.
    """

    texts: list[str]
    ratings: list[int | None]
    themes: list[str]
    labels: npt.NDArray[np.int8]
    sentiments: npt.NDArray[np.int64]
    digest: str

    def subset(self, rows: npt.NDArray[np.intp]) -> Dataset:
        """The comments at *rows* only."""
        return Dataset(
            [self.texts[i] for i in rows],
            [self.ratings[i] for i in rows],
            self.themes,
            self.labels[rows],
            self.sentiments[rows],
            self.digest,
        )


def read(path: Path) -> Dataset:
    """The comments with text in the labelled CSV at *path*.

    :raises DataError: the file is missing, not UTF-8, or lacks the columns.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(
            f"{path} does not exist; pass the labelled comments CSV with --data PATH"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} cannot be read as UTF-8 text ({exc})") from None
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    header = list(rows[0]) if rows else []
    missing = [c for c in (TEXT, RATING, SENTIMENT, FIRST_THEME) if c not in header]
    if missing:
        raise DataError(f"{path} has no column {missing[0]!r}; is it the framework v6 file?")
    themes = [c for c in header[header.index(FIRST_THEME) :] if c not in FLAGS]
    kept = [r for r in rows if (r[TEXT] or "").strip().lower() not in NO_TEXT]
    return Dataset(
        texts=[r[TEXT] for r in kept],
        ratings=[_code(r[RATING], 6) for r in kept],
        themes=themes,
        labels=np.array([[bool((r[t] or "").strip()) for t in themes] for r in kept], np.int8),
        sentiments=np.array([_code(r[SENTIMENT], 5) or 0 for r in kept], np.int64),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _code(value: str | None, largest: int) -> int | None:
    value = (value or "").strip()
    if value.isdigit() and 1 <= int(value) <= largest:
        return int(value)
    return None
