"""Exports staff can take away on a USB stick: the NHS submission CSV and the raw responses.

Files are named after the ward and the month, so a folder of them sorts itself.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from datetime import date
from pathlib import Path

from kiosk.config import Location
from kiosk.store import LocalStore
from sync import fft

RAW_COLUMNS = [
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
    "sync_state",
]


class ExportError(Exception):
    """The export could not be written; the message says where and what to do."""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "ward"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def submission_csv(store: LocalStore, location: Location, year: int, month: int) -> str:
    """The ward's NHS England submission row for a month (repeat taps left out, unsuppressed:
    the submission is where NHS England applies its own rules)."""
    counts = store.counts(*month_bounds(year, month))
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
    """Every response of the period, comments included, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RAW_COLUMNS)
    rows = store.db.execute(
        "SELECT id, answered_at, local_date, rating, json_extract(answers, '$.themes'),"
        " comment, language, mode, flags, sync_state FROM responses"
        " WHERE local_date BETWEEN ? AND ? ORDER BY answered_at",
        [first.isoformat(), last.isoformat()],
    )
    for rid, at, day, rating, themes, comment, language, mode, flags, state in rows:
        writer.writerow(
            [
                rid,
                at,
                day,
                rating,
                fft.CODES[rating],
                " ".join(json.loads(themes)) if themes else "",
                comment or "",
                language,
                mode,
                " ".join(json.loads(flags)),
                state,
            ]
        )
    return out.getvalue()


def export_month(
    store: LocalStore, location: Location, year: int, month: int, folder: Path
) -> list[Path]:
    """Write both CSVs for a month into *folder*; returns the files written."""
    stem = f"{slug(location.ward_name)}-{year:04d}-{month:02d}"
    files = {
        folder / f"{stem}-fft-submission.csv": submission_csv(store, location, year, month),
        folder / f"{stem}-responses.csv": responses_csv(store, *month_bounds(year, month)),
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
