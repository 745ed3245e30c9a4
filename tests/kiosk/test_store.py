"""LocalStore: durability, migrations, the sync outbox, retention, figures and recovery."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlite_utils

from kiosk import outbox
from kiosk.outbox import UNFINISHED_GRACE
from kiosk.schema import migrations
from kiosk.store import LocalStore, StoreError, open_store

# Other test files still import ORIGIN from here; it lives in tests/helpers.py.
from tests.helpers import ORIGIN, pending_batch


def test_a_recorded_rating_is_visible_from_a_fresh_connection(store, tmp_path):
    response_id = store.record(2, ORIGIN, language="en")
    fresh = sqlite3.connect(tmp_path / "kiosk.db")
    assert fresh.execute("SELECT rating FROM responses WHERE id = ?", [response_id]).fetchall() == [
        (2,)
    ]
    fresh.close()


def test_the_store_is_wal_with_full_sync(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_record_keeps_utc_time_and_the_wards_local_date(store):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    row = store.get(store.record(1, ORIGIN, language="cy", at=at))
    assert row is not None
    assert row["answered_at"] == "2026-06-30T23:30:00.000+00:00"
    assert row["local_date"] == "2026-07-01"
    assert row["language"] == "cy" and row["mode"] == "Other"
    assert len(row["id"]) == 36 and row["sync_state"] == "pending"


def test_record_refuses_a_code_outside_the_six(store):
    with pytest.raises(ValueError):
        store.record(7, ORIGIN, language="en")


def test_followup_is_redacted_and_on_the_same_row(store):
    response_id = store.record(4, ORIGIN, language="en")
    store.add_followup(response_id, ["food", "staff"], "  my email is a.b@nhs.net  ")
    row = store.get(response_id)
    assert row is not None
    assert row["answers"] == {"themes": ["food", "staff"]}
    assert row["comment"] == "my email is [email removed]"


def test_migrations_run_from_an_empty_file(store):
    applied = [m.name for m in migrations.applied(store.db)]
    assert applied == [m.name for m in migrations.pending(sqlite_utils.Database(memory=True))]


@pytest.mark.parametrize("stop_before", [m.name for m in migrations._migrations])
def test_migrations_run_from_each_earlier_schema(tmp_path, stop_before):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before=stop_before)
    if old["responses"].exists():
        old.execute(
            "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date, rating,"
            " language, mode, org_code, site_code, ward_name)"
            " VALUES ('old-1', 'fft-inpatient', 1, '2026-01-01T10:00:00.000+00:00', '2026-01-01',"
            " 2, 'en', 'Other', 'RWD', 'RWDLA', 'Ward 7')"
        )
        old.conn.commit()
    old.close()

    store = LocalStore(path)
    assert migrations.pending(store.db) == []
    if stop_before != migrations._migrations[0].name:
        assert store.get("old-1") is not None
    store.record(1, ORIGIN, language="en")
    assert store.integrity() == "ok"
    store.close()


def test_pending_batch_is_oldest_first_and_waits_for_the_respondent(store):
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ids = [
        store.record(2, ORIGIN, language="en", at=start + timedelta(minutes=i)) for i in range(5)
    ]
    for response_id in ids[:4]:
        store.finish(response_id)
    now = start + timedelta(minutes=10)
    assert [row["id"] for row in pending_batch(store, 3, now=now)] == ids[:3]
    assert [row["id"] for row in pending_batch(store, 10, now=now)] == ids[:4]
    # Someone who never pressed Send or Skip is not left out for ever.
    later = start + UNFINISHED_GRACE + timedelta(minutes=5)
    assert [row["id"] for row in pending_batch(store, 10, now=later)] == ids


def test_pending_json_is_the_rows_as_json_objects(store):
    rid = store.record(4, ORIGIN, language="ur", at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    store.add_followup(rid, ["food"], 'Cold "tea"\nاردو')
    store.finish(rid)
    ((got_id, text),) = store.pending_json(5, ["id", "rating", "answers", "comment", "flags"])
    assert got_id == rid
    assert json.loads(text) == {
        "id": rid,
        "rating": 4,
        "answers": {"themes": ["food"]},
        "comment": 'Cold "tea"\nاردو',
        "flags": [],
    }
    with pytest.raises(ValueError):
        store.pending_json(5, ["id", "password"])


def test_results_mark_sent_and_rejected_and_neither_is_resent(store):
    ids = [store.record(1, ORIGIN, language="en") for _ in range(3)]
    for response_id in ids:
        store.finish(response_id)
    store.apply_results(sent=[ids[0]], rejected={ids[1]: "conflict"})
    assert [row["id"] for row in pending_batch(store, 10)] == [ids[2]]
    assert store.sync_counts() == {"pending": 1, "sent": 1, "rejected": 1}
    rejected = store.get(ids[1])
    assert rejected is not None and rejected["sync_error"] == "conflict"


def test_counts_leave_flagged_responses_out_and_count_them_apart(store):
    day = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    for rating in (1, 1, 2, 3, 4, 5, 6):
        store.record(rating, ORIGIN, language="en", at=day)
    store.record(1, ORIGIN, language="en", flags=["repeat-tap"], at=day)
    store.record(5, ORIGIN, language="en", at=day + timedelta(days=40))  # another month
    counts = store.counts(date(2026, 11, 1), date(2026, 11, 30))
    assert dict(counts.by_code) == {1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
    assert counts.total == 7 and counts.excluded == 1
    assert counts.percent_positive == pytest.approx(300 / 7)
    assert counts.percent_negative == pytest.approx(200 / 7)


NOW = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)


def aged(store: LocalStore, state: str, days: int) -> str:
    """A finished response that reached *state* (``sent`` or ``rejected``) *days* before NOW;
    ``pending`` ones were answered *days* ago and never sent."""
    then = NOW - timedelta(days=days)
    rid = store.record(1, ORIGIN, language="en", at=then)
    store.add_followup(rid, ["staff"], "Kind nurses on nights")
    store.finish(rid, at=then)
    if state == "sent":
        store.apply_results(sent=[rid], at=then)
    elif state == "rejected":
        store.apply_results(sent=[], rejected={rid: "conflict"}, at=then)
    return rid


def test_purge_deletes_only_sent_rows_older_than_the_cut_off(store):
    old_sent = aged(store, "sent", 401)
    young_sent = aged(store, "sent", 399)
    assert store.purge(retention_days=400, now=NOW) == 1
    assert store.get(old_sent) is None and store.get(young_sent) is not None
    assert store.purge(retention_days=400, now=NOW) == 0  # nothing left to do
    assert store.integrity() == "ok"


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_purge_never_deletes_unsent_rows_whatever_their_age(store, state):
    kept = [aged(store, state, days) for days in (1, 401, 5000)]
    assert store.purge(retention_days=400, now=NOW) == 0
    assert store.purge(retention_days=0, now=NOW + timedelta(days=10_000)) == 0
    assert all(store.get(rid) is not None for rid in kept)
    assert store.sync_counts()[state] == 3


def test_purge_goes_in_small_transactions_and_counts_them_all(store, monkeypatch):
    monkeypatch.setattr(outbox, "PURGE_CHUNK", 3)
    gone = [aged(store, "sent", 500) for _ in range(7)]
    kept = aged(store, "pending", 500)
    assert store.purge(retention_days=400, now=NOW) == 7
    assert all(store.get(rid) is None for rid in gone) and store.get(kept) is not None


def test_purged_comments_do_not_linger_in_the_file(store, tmp_path):
    old = aged(store, "sent", 401)
    store.add_followup(old, [], "Cold marmalade toast every morning")
    store.purge(retention_days=400, now=NOW)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"marmalade" not in (tmp_path / "kiosk.db").read_bytes()


def test_purge_refuses_a_negative_period(store):
    with pytest.raises(ValueError):
        store.purge(retention_days=-1)


def test_a_damaged_file_is_moved_aside_and_collection_goes_on(tmp_path):
    path = tmp_path / "kiosk.db"
    path.write_bytes(b"this is not a database" * 100)
    store, aside = open_store(path, now=datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    assert aside == tmp_path / "kiosk.db.damaged-20261126T093000Z"
    assert aside.read_bytes().startswith(b"this is not a database")
    store.record(3, ORIGIN, language="en")
    assert store.sync_counts()["pending"] == 1
    store.close()


def test_a_full_disk_is_a_clear_error_and_keeps_earlier_rows(store):
    kept = store.record(1, ORIGIN, language="en")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(1000):
            store.record(1, ORIGIN, language="en", flags=["x" * 500])
    assert store.get(kept) is not None


def test_followup_drops_what_the_server_cannot_store(store):
    # NUL makes PostgreSQL fail the whole batch; a lone surrogate cannot be sent as UTF-8.
    rid = store.record(4, ORIGIN, language="en")
    store.add_followup(rid, [], "Cold\x00 tea\r\nloud \x1bbeeping\ud800\x07 at night\tall night\r")
    assert store.get(rid)["comment"] == "Cold tea\nloud beeping at night\tall night"
    only_controls = store.record(4, ORIGIN, language="en")
    store.add_followup(only_controls, [], "\x00\x01\x02")
    assert store.get(only_controls)["comment"] is None
    store.finish(rid)
    ((_, text),) = store.pending_json(5, ["comment"])
    assert text.encode("utf-8") and "\\u0000" not in text


def ready(store: LocalStore, n: int, start: datetime) -> list[str]:
    ids = [
        store.record(1, ORIGIN, language="en", at=start + timedelta(minutes=i)) for i in range(n)
    ]
    for response_id in ids:
        store.finish(response_id)
    return ids


def test_deferred_rows_go_after_fresh_ones_and_on_their_own(store):
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ids = ready(store, 5, start)
    store.defer([ids[0], ids[2]], "the central server failed on it while others went through")
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == [ids[1], ids[3], ids[4]]
    assert [rid for rid, _ in store.pending_json(2, ["id"])] == [ids[1], ids[3]]
    row = store.get(ids[0])
    assert row["sync_state"] == "pending" and row["sync_attempts"] == 1
    assert row["sync_error"] == "the central server failed on it while others went through"
    store.apply_results([ids[1], ids[3], ids[4]])
    # Only deferred rows are left: one per batch, oldest first, each until it is sent.
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == [ids[0]]
    assert [rid for rid, _ in store.pending_json(10, ["id"], skip=[ids[0]])] == [ids[2]]
    store.defer([ids[0]], "again")
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == [ids[2]]
    later = ready(store, 2, start + timedelta(hours=1))
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == later
    store.apply_results([ids[0]])
    assert store.get(ids[0])["sync_state"] == "sent" and store.get(ids[0])["sync_error"] is None
    store.defer([ids[0]], "sent rows are never deferred")
    assert store.get(ids[0])["sync_attempts"] == 2


def test_the_outbox_is_read_in_index_order_without_a_sort(store):
    plan = " ".join(
        str(row[-1])
        for row in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM responses"
            " WHERE sync_state = 'pending' AND (finished_at IS NOT NULL OR answered_at < ?)"
            " ORDER BY sync_attempts, answered_at, rowid LIMIT ?",
            ["2026", 5],
        )
    )
    assert "responses_outbox_in_turn" in plan and "TEMP B-TREE" not in plan


def test_the_deferral_migration_on_an_existing_kiosk_database(tmp_path):
    # A kiosk.db from before 0004, with a backlog: one comment saved with a NUL in it.
    path = tmp_path / "kiosk.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="0004_sync_attempts")
    assert "sync_attempts" not in old["responses"].columns_dict
    for n, (comment, state) in enumerate(
        [
            ("Kind\x00 staff", "pending"),
            ("Noisy\x00", "sent"),
            (None, "pending"),
            ("\x00", "pending"),
        ]
    ):
        old.execute(
            "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date,"
            " rating, language, mode, org_code, site_code, ward_name, comment, sync_state,"
            " finished_at) VALUES (?, 'fft-inpatient', 1, ?, '2026-01-01', 2, 'en', 'Other',"
            " 'RWD', 'RWDLA', 'Ward 7', ?, ?, ?)",
            [f"old-{n}", f"2026-01-01T10:0{n}:00.000+00:00", comment, state, "2026-01-01"],
        )
    old.conn.commit()
    old.close()

    store = LocalStore(path)
    assert migrations.pending(store.db) == []
    assert store.get("old-0")["comment"] == "Kind staff"  # pending: cleaned before it is sent
    assert store.get("old-1")["comment"] == "Noisy\x00"  # already sent: left as it was
    assert store.get("old-3")["comment"] is None
    assert {row["sync_attempts"] for row in store.db.query("SELECT * FROM responses")} == {0}
    indexes = {index.name for index in store.db["responses"].indexes}
    assert "responses_outbox_in_turn" in indexes and "responses_outbox" not in indexes
    # The existing backlog goes oldest first; a deferred row goes behind new responses.
    store.defer(["old-0"], "failed")
    new = ready(store, 1, datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == ["old-2", "old-3", *new]
    store.apply_results(["old-2", "old-3", *new])
    assert [rid for rid, _ in store.pending_json(10, ["id"])] == ["old-0"]
    assert store.integrity() == "ok"
    store.close()


def test_a_redacted_comment_at_the_limit_is_still_one_the_server_takes(store):
    from sync.client import WIRE_FIELDS
    from sync.protocol import COMMENT_LIMIT as SERVER_LIMIT
    from sync.protocol import Response

    rid = store.record(2, ORIGIN, language="en")
    # 1000 characters typed, ending in a phone number: the marker is longer than the number.
    store.add_followup(rid, [], "a" * 987 + " 07700 900123")
    store.finish(rid)
    comment = store.get(rid)["comment"]
    assert len(comment) <= SERVER_LIMIT and "07700" not in comment and "900123" not in comment
    ((_, wire),) = store.pending_json(1, WIRE_FIELDS)
    assert Response.model_validate_json(wire).comment == comment


def test_the_limit_migration_cuts_long_unsent_comments(tmp_path):
    path = tmp_path / "kiosk.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="0005_comment_limit")
    for n, state in enumerate(["pending", "sent"]):
        old.execute(
            "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date,"
            " rating, language, mode, org_code, site_code, ward_name, comment, sync_state)"
            " VALUES (?, 'fft-inpatient', 1, '2026-01-01T10:00:00.000+00:00', '2026-01-01', 2,"
            " 'en', 'Other', 'RWD', 'RWDLA', 'Ward 7', ?, ?)",
            [f"old-{n}", "é" * 1004, state],
        )
    old.conn.commit()
    old.close()
    store = LocalStore(path)
    assert store.get("old-0")["comment"] == "é" * 1000
    assert store.get("old-1")["comment"] == "é" * 1004  # already on the server: left alone
    store.close()
