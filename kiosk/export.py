"""Exports staff can take away on a USB stick: the NHS submission CSV and the raw responses.

Files are named after the ward and the month, so a folder of them sorts itself.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from kiosk.config import Location
from kiosk.store import LocalStore
from sync import fft
from sync.spreadsheet import RESPONSE_COLUMNS, csv_text

RAW_COLUMNS = [*RESPONSE_COLUMNS, "sync_state"]


class ExportError(Exception):
    """The export could not be written; the message says where and what to do."""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "ward"


def submission_csv(store: LocalStore, location: Location, year: int, month: int) -> str:
    """The ward's NHS England submission row for a month (repeat taps left out, unsuppressed:
    the submission is where NHS England applies its own rules)."""
    counts = store.counts(*fft.month_bounds(year, month))
    row = fft.submission_row(
        year,
        month,
        location.org_code,
        location.site_code,
        location.ward_name,
        dict(counts.by_code),
        counts.total,
    )
    return fft.submission_csv([row])


def responses_csv(store: LocalStore, first: date, last: date) -> str:
    """Every response of the period, comments included, one row each.

    Comments are patients' own words and open in Excel: a cell that would run as a formula
    (``=HYPERLINK(...)``) is written as text (see ``sync.spreadsheet``).
    """
    rows = (
        [
            row["id"],
            row["answered_at"],
            row["local_date"],
            row["rating"],
            fft.CODES[row["rating"]],
            " ".join(row["themes"]),
            row["comment"] or "",
            row["language"],
            row["mode"],
            " ".join(row["flags"]),
            row["sync_state"],
        ]
        for row in store.responses_between(first, last)
    )
    return csv_text(RAW_COLUMNS, rows)


def export_month(
    store: LocalStore, location: Location, year: int, month: int, folder: Path
) -> list[Path]:
    """Write both CSVs for a month into *folder*; returns the files written."""
    stem = f"{slug(location.ward_name)}-{year:04d}-{month:02d}"
    files = {
        folder / f"{stem}-fft-submission.csv": submission_csv(store, location, year, month),
        folder / f"{stem}-responses.csv": responses_csv(store, *fft.month_bounds(year, month)),
    }
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder that can be reached; check the USB stick")
    try:
        for path, text in files.items():
            path.write_text(text, encoding="utf-8-sig")  # Excel opens UTF-8 with a BOM
    except OSError as exc:
        raise ExportError(
            f"cannot write to {folder} ({exc.strerror or exc}); choose another folder or "
            "check the USB stick is not read-only"
        ) from exc
    return list(files)
