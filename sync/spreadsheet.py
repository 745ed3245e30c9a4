"""CSV that is safe to open in a spreadsheet: every file either end writes goes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break is a formula to
Excel and LibreOffice, and a comment such as ``=HYPERLINK(...)`` would run on the reader's
machine (OWASP, "CSV Injection"). Such a cell gets a leading apostrophe, which spreadsheets
show as text; the columns and every other cell are left exactly as they were.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

#: A response's columns in every responses CSV: the kiosk's USB export (which adds its own sync
#: state) and the web app's ward download, so a trust's spreadsheets read both alike.
RESPONSE_COLUMNS = [
    "id",
    "answered_at",
    "local_date",
    "rating",
    "answer",
    "themes",
    "comment",
    "language",
    "mode",
    "flags",
]


# The ASCII triggers, their full-width and small forms and the minus sign (spreadsheets in
# some locales fold those to ASCII), and the control characters that start a new cell or a
# formula in some readers.
_FORMULA_STARTS = frozenset("=+-@\t\r\n\0＝＋－＠﹦﹢﹣﹫−")


def _first_seen(text: str) -> str:
    """The first character a spreadsheet may read a formula from: spaces of any kind and
    invisible format characters (zero-width, byte-order and direction marks) are skipped, as
    some readers skip them before they look."""
    for char in text:
        if char in _FORMULA_STARTS:
            return char
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return char
    return ""


def safe_cell(value: object) -> str:
    """*value* as cell text that no spreadsheet will run as a formula.

    Numbers are written as they are: only text can carry a formula, and a count of ``-1``
    never comes from this project.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if _first_seen(text) in _FORMULA_STARTS:
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (CRLF line ends, as RFC 4180 and Excel expect) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
