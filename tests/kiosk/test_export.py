"""Staff exports: the responses CSV opens in Excel as text, never as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import Location
from kiosk.export import RAW_COLUMNS, export_month, responses_csv
from kiosk.store import LocalStore
from tests.kiosk.test_store import ORIGIN

DAY = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
WARD = Location(org_code="RWD", site_code="RWDLA", ward_name="Ward 7 Acute Medicine")

# Comment texts hold no numbers, e-mail addresses or postcodes, so redaction leaves them as
# typed and the test sees only what the export did.
HYPERLINK = '=HYPERLINK("http://evil.example/steal","Click for your results")'


@pytest.fixture
def store(tmp_path: Path):
    store = LocalStore(tmp_path / "kiosk.db")
    yield store
    store.close()


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
