"""``tag-comments IN.csv OUT.csv``: reads comments from a CSV, writes each one's themes and
sentiment to another, with a progress bar on a terminal. Input problems are one-line messages.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sync.spreadsheet import safe_cell

if TYPE_CHECKING:
    from sync.analysis.tagger import Tagger

HEADER = ("id", "themes", "sentiment")
THEME_SEPARATOR = " | "
BATCH = 200  # comments scored together: numpy's per-call cost is paid once per batch
BAD_INPUT = 2
NO_MODEL = 1


class InputError(Exception):
    """IN or OUT cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Comment:
    """One row of IN: its id, its words and, when IN has a ``rating`` column, its FFT code."""

    id: str
    text: str
    rating: int | None


def read_comments(path: Path) -> list[Comment]:
    """The rows of the CSV at *path*, which has a header row with ``id`` and ``comment``.

    A byte-order mark, extra columns and header case or spaces are tolerated; an optional
    ``rating`` column (the FFT answer, 1-6) helps the sentiment.

    :raises InputError: missing, unreadable, not UTF-8, or without those columns.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; give the path of a CSV file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give the path of a CSV file") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text (byte {exc.start + 1}); save it as 'CSV UTF-8' and "
            "run the command again"
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{path} is not a readable CSV file ({exc})") from None
    header = [name.strip().lower() for name in rows[0]] if rows else []
    missing = [name for name in ("id", "comment") if name not in header]
    if missing:
        raise InputError(
            f"{path} has no {' or '.join(repr(m) for m in missing)} column; its first row "
            "must name the columns, with at least 'id' and 'comment'"
        )
    at_id, at_text = header.index("id"), header.index("comment")
    at_rating = header.index("rating") if "rating" in header else None
    comments = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at] if at is not None and at < len(row) else ""

        rating = cell(at_rating).strip()
        code = int(rating) if rating in {"1", "2", "3", "4", "5", "6"} else None
        comments.append(Comment(cell(at_id), cell(at_text), code))
    return comments


def write_tags(path: Path, rows: list[tuple[str, str, int | None]]) -> None:
    """Write OUT whole, or leave what was there: a temporary file beside it, then a rename."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(HEADER)
            writer.writerows([safe_cell(cell) for cell in row] for row in rows)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path} cannot be written: {exc.strerror or exc}") from None


class Progress:
    """A one-line progress bar on a terminal's standard error; silent anywhere else.

    :ivar total: how many comments there are.
    :ivar stream: where the bar is drawn.
    """

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.shown = stream.isatty()
        self._last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.shown or (done < self.total and now - self._last < 0.1):
            return
        self._last = now
        filled = self.WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\rtagging [{bar}] {done}/{self.total}")
        if done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def tag_file(tagger: Tagger, source: Path, target: Path, stream: TextIO) -> int:
    """Tag every comment in *source* into *target*; returns how many rows were written.

    A blank comment gets no themes and a blank sentiment: there is nothing to judge.
    """
    comments = read_comments(source)
    progress = Progress(len(comments), stream)
    rows: list[tuple[str, str, int | None]] = []
    for start in range(0, len(comments), BATCH):
        batch = comments[start : start + BATCH]
        tags = tagger.tag_all([c.text for c in batch], [c.rating for c in batch])
        rows += [
            (c.id, THEME_SEPARATOR.join(t.themes), t.sentiment)
            for c, t in zip(batch, tags, strict=True)
        ]
        progress.update(len(rows))
    progress.update(len(comments))
    write_tags(target, rows)
    return len(rows)


def main(source: str, target: str, stderr: TextIO | None = None) -> int:
    """The command: 0 when OUT is written, 2 for bad input, 1 when the model cannot load."""
    stderr = stderr or sys.stderr
    try:
        from sync.analysis import tagger
    except ImportError as exc:
        print(
            f"tag-comments needs the analysis extra ({exc.name} is missing): "
            "pip install 'ward-kiosk[server,analysis]'",
            file=stderr,
        )
        return NO_MODEL
    try:
        model = tagger.load()
    except tagger.ModelError as exc:
        print(str(exc), file=stderr)
        return NO_MODEL
    try:
        count = tag_file(model, Path(source), Path(target), stderr)
    except InputError as exc:
        print(str(exc), file=stderr)
        return BAD_INPUT
    print(f"{count} comments tagged into {target} (model {model.version})", file=stderr)
    return 0
