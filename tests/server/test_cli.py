"""The admin command line, and the schema it migrates on start (SQLite file)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import sqlalchemy as sa

from sync.server import cli, devices, figures, schema
from sync.server.ingest import add_counts


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "server.db")


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse refusing
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_keys_create_prints_the_key_once_and_it_enrols(capsys, database):
    code, out, err = run(
        capsys,
        "keys",
        "create",
        "--db",
        database,
        "--org",
        "RWD",
        "--site",
        "RWDLA",
        "--ward",
        "Ward 7",
        "--uses",
        "1",
    )
    key = out.strip()
    assert code == 0 and len(key) >= 43 and "shown once" in err
    engine = schema.open_database(schema.database_url(database))
    token, place = devices.enroll(engine, key, str(uuid.uuid4()), "tablet", "0.1.0")
    assert place == devices.Place("RWD", "RWDLA", "Ward 7") and token
    code, out, _ = run(capsys, "keys", "list", "--db", database)
    assert "RWD/RWDLA  Ward 7  uses left: 0" in out and key not in out


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["keys", "create", "--site", "RWDLA", "--ward", "W"], "--org"),
        (["keys", "create", "--org", "rwd", "--site", "RWDLA", "--ward", "W"], "ODS code"),
        (
            ["keys", "create", "--org", "RWD", "--site", "RWDLA", "--ward", "W", "--uses", "0"],
            "whole number",
        ),
        (["keys", "create", "--org", "RWD", "--site", "RWDLA", "--ward", "W\x007"], "printable"),
        (["keys", "create", "--org", "RWD", "--site", "RWDLA", "--ward", "W" * 101], "100"),
        (["keys", "create", "--org", "RWD", "--site", "RWDLA", "--ward", "Caf\udce9"], "UTF-8"),
        (["keys", "revoke", "99999999999999999999"], "whole number"),
        (
            [
                "keys",
                "create",
                "--org",
                "RWD",
                "--site",
                "RWDLA",
                "--ward",
                "W",
                "--expires",
                "2147483647",
            ],
            "from 1 to 3650",
        ),
        (["keys", "revoke", "-1"], "whole number"),
        (["devices", "revoke", "\udcff"], "UTF-8"),
        (["devices", "revoke", "not-a-device"], "devices list"),
        (["report", "--level", "ward"], "--period"),
        (["report", "--period=٢٠٢٦-١١"], "YYYY-MM"),
        (["report", "--period=0000-01"], "choose a month"),
        (["devices"], "ACTION"),
        ([], "COMMAND"),
    ],
)
def test_missing_or_bad_arguments_are_refused_clearly(capsys, database, args, complaint):
    code, _, err = run(capsys, *args[:2], *(["--db", database] if len(args) > 1 else []), *args[2:])
    assert code == 2 and complaint in err


def test_devices_list_and_revoke(capsys, database):
    engine = schema.open_database(schema.database_url(database))
    device = str(uuid.uuid4())
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    devices.enroll(engine, key, device, "t7", "1")
    code, out, _ = run(capsys, "devices", "list", "--db", database)
    assert code == 0 and device in out and "active" in out
    code, out, _ = run(capsys, "devices", "revoke", "--db", database, device)
    assert code == 0 and "revoke the key too" in out
    assert "revoked" in run(capsys, "devices", "list", "--db", database)[1]
    code, _, err = run(capsys, "devices", "revoke", "--db", database, device)
    assert code == 1 and "no active device" in err


def test_key_and_device_changes_are_in_the_audit_log_as_by_the_command_line(capsys, database):
    args = ["--org", "RWD", "--site", "RWDLA", "--ward", "Ward 7", "--expires", "3650"]
    code, key, _ = run(capsys, "keys", "create", "--db", database, *args)
    assert code == 0
    engine = schema.open_database(schema.database_url(database))
    device = str(uuid.uuid4())
    devices.enroll(engine, key.strip(), device, "t7", "1")
    key_id = devices.list_keys(engine)[0]["id"]
    assert run(capsys, "keys", "revoke", "--db", database, str(key_id))[0] == 0
    assert run(capsys, "devices", "revoke", "--db", database, device)[0] == 0
    entries, total = figures.audit_entries(engine, 0, 10)
    assert total == 3 and {entry.actor for entry in entries} == {"command line"}
    said = {entry.action: entry.detail for entry in entries}
    assert said[devices.KEY_CREATED].startswith(f"key {key_id} for RWD/RWDLA/Ward 7")
    assert said[devices.KEY_REVOKED] == f"key {key_id}"
    assert said[devices.KIOSK_REVOKED] == device


def test_report_prints_the_nhs_csv(capsys, database):
    engine = schema.open_database(schema.database_url(database))
    with engine.begin() as conn:
        stored = [
            {
                "id": str(uuid.uuid4()),
                "device_id": "d",
                "batch_id": "b",
                "received_at": devices.now(),
                "content_hash": "h",
                "survey_id": "fft-inpatient",
                "survey_version": 1,
                "answered_at": devices.now(),
                "local_date": __import__("datetime").date(2026, 11, 3),
                "rating": rating,
                "answers": "{}",
                "comment": None,
                "language": "en",
                "mode": "Other",
                "org_code": "RWD",
                "site_code": "RWDLA",
                "ward_name": "Ward 7",
                "flags": "[]",
            }
            for rating in [1] * 6 + [2] * 5 + [6] * 5
        ]
        conn.execute(schema.responses.insert(), stored)
        add_counts(conn, stored)  # as ingest does: the report reads the running figures
    code, out, _ = run(capsys, "report", "--db", database, "--period", "2026-11", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[1][:5] == ["2026_27", "NOVEMBER", "RWD", "RWDLA", "Ward 7"]
    assert rows[1][7:14] == ["6", "5", "0", "0", "0", "5", "16"]
    code, _, err = run(capsys, "report", "--db", database, "--period", "Nov")
    assert code == 2 and "YYYY-MM" in err


def test_the_schema_is_created_once_and_versioned(database):
    url = schema.database_url(database)
    first = schema.open_database(url)
    second = schema.open_database(url)  # a second server starting on the same database
    with second.connect() as conn:
        assert conn.execute(sa.select(schema.schema_version.c.version)).scalars().all() == [1]
        revisions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
        assert revisions.all() == [schema.migrate(second)]
        assert {"responses", "devices", "enrollment_keys", "batches"} <= set(
            sa.inspect(conn).get_table_names()
        )
    first.dispose()
    second.dispose()


def test_an_unreachable_database_is_a_clear_message(capsys):
    code, _, err = run(
        capsys, "keys", "list", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    assert code == 2 and "cannot open the database" in err
