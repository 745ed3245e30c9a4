"""The public board: a reader who sees it can never work out a hidden count."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from kiosk.board import board_text
from sync import fft


def _vectors(most: int):
    """Every way up to *most* responses can fall into the six codes."""
    for total in range(most + 1):
        for cuts in itertools.combinations(range(total + 5), 5):
            bounds = (-1, *cuts, total + 5)
            yield tuple(bounds[i + 1] - bounds[i] - 1 for i in range(6))


def test_no_hidden_count_can_be_worked_out_from_the_board():
    # Group every possible month by the board it produces: a reader sees only the board, so
    # any months in one group are indistinguishable. A hidden cell is safe when, among the
    # months a reader cannot tell apart, some have nobody giving that answer and some have
    # somebody: then not even "nobody said Poor" or "everybody said Neither" can be read off.
    seen: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for vector in _vectors(9):
        counts = fft.FFTCounts.from_mapping(dict(zip(fft.CODES, vector, strict=True)))
        seen[board_text("Ward 7", date(2026, 11, 1), counts, "We did: quieter bins.")].append(
            vector
        )
    hidden_boards = 0
    for text, months in seen.items():
        shown = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
        for index, words in enumerate(fft.CODES.values()):
            if shown[words] == fft.SUPPRESSED:
                hidden_boards += 1
                values = {month[index] for month in months}
                assert 0 in values and max(values) > 0, (text, words)
            else:
                assert {month[index] for month in months} == {int(shown[words])}
    assert hidden_boards  # small months were really generated and really hidden
