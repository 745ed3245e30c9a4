"""Staff exports: the NHS submission row counts what it should, the responses CSV opens in
Excel as text (never as a formula), and a bad folder is a sentence saying what to do."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import Location
from kiosk.export import (
    RAW_COLUMNS,
    ExportError,
    export_month,
    responses_csv,
    slug,
    submission_csv,
)
from kiosk.store import LocalStore
from tests.helpers import ORIGIN

DAY = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
WARD = Location(org_code="RWD", site_code="RWDLA", ward_name="Ward 7 Acute Medicine")

# Comment texts hold no numbers, e-mail addresses or postcodes, so redaction leaves them as
# typed and the test sees only what the export did.
HYPERLINK = '=HYPERLINK("http://evil.example/steal","Click for your results")'


def commented(store: LocalStore, comment: str, minutes: int, rating: int = 1) -> str:
    rid = store.record(rating, ORIGIN, language="en", at=DAY + timedelta(minutes=minutes))
    store.add_followup(rid, ["staff"], comment)
    store.finish(rid)
    return rid


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_formula_in_a_comment_is_exported_as_text(store):
    link = commented(store, HYPERLINK, 0)
    dash = commented(store, "-Rude staff at night", 1, rating=5)
    plain = commented(store, "Kind nurses, thank you", 2)
    rows = read(responses_csv(store, *NOVEMBER))
    assert rows[0] == RAW_COLUMNS
    comments = {row[0]: row[RAW_COLUMNS.index("comment")] for row in rows[1:]}
    assert comments[link] == "'" + HYPERLINK
    assert comments[dash] == "'-Rude staff at night"
    assert comments[plain] == "Kind nurses, thank you"


@pytest.mark.parametrize("start", ["+", "@", "=", "\uff1d"])
def test_every_formula_start_is_neutralised(store, start):
    rid = commented(store, start + "SUM(A1:A9)", 0)
    (row,) = read(responses_csv(store, *NOVEMBER))[1:]
    assert row[0] == rid and row[RAW_COLUMNS.index("comment")].startswith("'" + start)


def test_the_columns_and_other_cells_are_unchanged(store):
    rid = commented(store, "Food was cold", 0, rating=4)
    store.record(2, ORIGIN, language="cy", flags=["repeat-tap"], at=DAY + timedelta(minutes=1))
    store.record(1, ORIGIN, language="en", at=DAY + timedelta(days=40))  # another month
    rows = read(responses_csv(store, *NOVEMBER))
    assert rows[0] == [
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
    assert rows[1] == [
        rid,
        "2026-11-10T12:00:00.000+00:00",
        "2026-11-10",
        "4",
        "Poor",
        "staff",
        "Food was cold",
        "en",
        "Other",
        "",
        "pending",
    ]
    assert rows[2][5:] == ["", "", "cy", "Other", "repeat-tap", "pending"]
    assert len(rows) == 3


def test_export_month_writes_safe_csv_with_a_bom_for_excel(store, tmp_path):
    commented(store, HYPERLINK, 0)
    usb = tmp_path / "usb"
    usb.mkdir()
    submission, responses = export_month(store, WARD, 2026, 11, usb)
    data = responses.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = read(data.decode("utf-8-sig"))[1:]
    assert row[RAW_COLUMNS.index("comment")] == "'" + HYPERLINK
    assert read(submission.read_text(encoding="utf-8-sig"))[1][4] == "Ward 7 Acute Medicine"


def test_responses_between_is_what_the_export_needs(store):
    rid = commented(store, "Noisy at night", 0, rating=3)
    (row,) = store.responses_between(*NOVEMBER)
    assert row == {
        "id": rid,
        "answered_at": "2026-11-10T12:00:00.000+00:00",
        "local_date": "2026-11-10",
        "rating": 3,
        "themes": ["staff"],
        "comment": "Noisy at night",
        "language": "en",
        "mode": "Other",
        "flags": [],
        "sync_state": "pending",
    }
    assert store.responses_between(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_the_submission_row_counts_the_month_without_repeat_taps(store):
    for minutes, code in enumerate([1, 1, 2, 4, 6]):
        store.record(code, ORIGIN, language="en", at=DAY + timedelta(minutes=minutes))
    store.record(5, ORIGIN, language="en", flags=["repeat-tap"], at=DAY)
    store.record(5, ORIGIN, language="en", at=DAY + timedelta(days=40))  # December
    header, row = read(submission_csv(store, WARD, 2026, 11))
    assert dict(zip(header, row, strict=True)) == {
        "Yearnumber": "2026_27",
        "Periodname": "NOVEMBER",
        "Org code": "RWD",
        "Site code": "RWDLA",
        "Ward name": "Ward 7 Acute Medicine",
        "Spec 1": "",
        "Spec 2": "",
        "1 Very Good SUM": "2",
        "2 Good SUM": "1",
        "3 Neither Good nor Poor SUM": "0",
        "4 Poor SUM": "1",
        "5 Very Poor SUM": "0",  # the repeat tap is left out
        "6 Dont Know SUM": "1",
        "Total Responses": "5",
        "Total Eligible": "",
    }


def test_an_empty_month_is_still_a_row_of_zeros(store):
    header, row = read(submission_csv(store, WARD, 2026, 2))
    counts = dict(zip(header, row, strict=True))
    assert counts["Periodname"] == "FEBRUARY" and counts["Yearnumber"] == "2025_26"
    assert counts["Total Responses"] == "0" and counts["1 Very Good SUM"] == "0"


def test_files_are_named_after_the_ward_and_month(store, tmp_path):
    files = export_month(store, WARD, 2026, 3, tmp_path)
    assert [path.name for path in files] == [
        "ward-7-acute-medicine-2026-03-fft-submission.csv",
        "ward-7-acute-medicine-2026-03-responses.csv",
    ]
    assert slug("  ") == "ward" and slug("Ward 7 (Acute) – Bay B") == "ward-7-acute-bay-b"


def test_a_missing_usb_stick_is_a_sentence_and_writes_nothing(store, tmp_path):
    gone = tmp_path / "usb-removed"
    with pytest.raises(ExportError, match="check the USB stick"):
        export_month(store, WARD, 2026, 11, gone)
    assert not gone.exists()


def test_a_read_only_folder_is_a_sentence(store, tmp_path, monkeypatch):
    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_text", refuse)
    with pytest.raises(ExportError, match="choose another folder"):
        export_month(store, WARD, 2026, 11, tmp_path)
