"""Server databases for the schema tests: one as the first release left it (v1, with rows),
what a schema looks like to SQLAlchemy's inspector, and server processes starting together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from sync.protocol import Response
from sync.server import devices, schema, schema_v1
from tests.server.conftest import response

#: The token of the device a v1 database holds.
V1_TOKEN = "v1-device-token-0123456789abcdefghijklmno"
V1_DEVICE = "6f1c9a52-3f0e-4d7e-9d7a-1f5b8f0c2a11"
#: The responses a v1 database holds, as its kiosk sent them.
V1_RESPONSES = [
    Response.model_validate(response(id="0b8f0a4e-95a5-4c8e-8f52-3f1f3f6e0c01", rating=1)),
    Response.model_validate(
        response(
            id="0b8f0a4e-95a5-4c8e-8f52-3f1f3f6e0c02",
            rating=4,
            comment="The night was noisy",
            answers={"themes": ["noise"]},
        )
    ),
    Response.model_validate(
        response(id="0b8f0a4e-95a5-4c8e-8f52-3f1f3f6e0c03", rating=1, flags=["repeat-tap"])
    ),
]


def head_revision() -> str:
    head = ScriptDirectory.from_config(schema.alembic_config()).get_current_head()
    assert head is not None
    return head


def build_v1(url: str) -> None:
    """Make the database at *url* (empty) as the first release left it: v1's frozen DDL, no
    Alembic, and a key, a device, three responses and their batch."""
    engine = sa.create_engine(url)
    moment = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    with engine.begin() as conn:
        schema_v1.create(conn)
        # Written through the reflected v1 tables, so the values are stored exactly as the
        # v1 server's SQLAlchemy types stored them.
        v1 = sa.MetaData()
        v1.reflect(conn)
        key_id = conn.execute(
            v1.tables["enrollment_keys"]
            .insert()
            .values(
                key_hash=devices.secret_hash("v1-enrollment-key"),
                org_code="RWD",
                site_code="RWDLA",
                ward_name="Ward 7",
                created_at=moment,
                expires_at=None,
                uses_left=3,
                revoked_at=None,
            )
        ).inserted_primary_key[0]
        conn.execute(
            v1.tables["devices"]
            .insert()
            .values(
                device_id=V1_DEVICE,
                token_hash=devices.secret_hash(V1_TOKEN),
                name="Ward 7 tablet",
                app_version="0.1.0",
                org_code="RWD",
                site_code="RWDLA",
                ward_name="Ward 7",
                key_id=key_id,
                enrolled_at=moment,
                last_seen_at=moment,
                revoked_at=None,
            )
        )
        conn.execute(
            v1.tables["responses"].insert(), [_v1_row(item, moment) for item in V1_RESPONSES]
        )
        conn.execute(
            v1.tables["batches"]
            .insert()
            .values(
                batch_id="9d6a2b1e-0c4f-4b8a-a3f1-5e2d7c9b8a01",
                device_id=V1_DEVICE,
                received_at=moment,
                accepted=3,
                duplicate=0,
                rejected=0,
            )
        )
    engine.dispose()


def _v1_row(item: Response, moment: datetime) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "device_id": V1_DEVICE,
        "batch_id": "9d6a2b1e-0c4f-4b8a-a3f1-5e2d7c9b8a01",
        "received_at": moment,
        "content_hash": devices.secret_hash(item.content_key()),
        "survey_id": item.survey_id,
        "survey_version": item.survey_version,
        "answered_at": item.answered_at,
        "local_date": item.local_date,
        "rating": item.rating,
        "answers": item.answers.model_dump_json(),
        "comment": item.comment,
        "language": item.language,
        "mode": item.mode,
        "org_code": item.org_code,
        "site_code": item.site_code,
        "ward_name": item.ward_name,
        "flags": json.dumps(sorted(item.flags)),
    }


# v1's columns, frozen as v1 is (sync/server/schema_v1.py).
_V1_COLUMNS = {
    "enrollment_keys": [
        "id",
        "key_hash",
        "org_code",
        "site_code",
        "ward_name",
        "created_at",
        "expires_at",
        "uses_left",
        "revoked_at",
    ],
    "devices": [
        "device_id",
        "token_hash",
        "name",
        "app_version",
        "org_code",
        "site_code",
        "ward_name",
        "key_id",
        "enrolled_at",
        "last_seen_at",
        "revoked_at",
    ],
    "responses": [
        "id",
        "device_id",
        "batch_id",
        "received_at",
        "content_hash",
        "survey_id",
        "survey_version",
        "answered_at",
        "local_date",
        "rating",
        "answers",
        "comment",
        "language",
        "mode",
        "org_code",
        "site_code",
        "ward_name",
        "flags",
    ],
    "batches": ["batch_id", "device_id", "received_at", "accepted", "duplicate", "rejected"],
}


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of v1's four tables, in primary-key order, as the database returns them:
    v1's columns only, so a later revision's new columns do not count as a change."""
    engine = sa.create_engine(url)
    found = sa.MetaData()
    with engine.connect() as conn:
        found.reflect(conn, only=["enrollment_keys", "devices", "responses", "batches"])
        result = {}
        for name, table in found.tables.items():
            columns = [table.c[column] for column in _V1_COLUMNS[name]]
            query = sa.select(*columns).order_by(*table.primary_key.columns)
            result[name] = [tuple(_plain(value) for value in row) for row in conn.execute(query)]
    engine.dispose()
    return result


def _plain(value: Any) -> Any:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones: compare them as UTC.
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return value


def inspect(url: str) -> dict[str, Any]:
    """The schema as SQLAlchemy's inspector sees it: tables, columns (type as the database
    names it, nullability, default), keys, unique constraints and indexes."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        seen = {
            table: {
                "columns": [
                    (
                        column["name"],
                        column["type"].compile(dialect=conn.dialect),
                        column["nullable"],
                        column.get("default"),
                    )
                    for column in inspector.get_columns(table)
                ],
                "primary key": inspector.get_pk_constraint(table),
                "foreign keys": inspector.get_foreign_keys(table),
                "unique": sorted(
                    (c["name"] or "", tuple(c["column_names"]))
                    for c in inspector.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    (i["name"] or "", tuple(map(str, i["column_names"])), i["unique"])
                    for i in inspector.get_indexes(table)
                ),
            }
            for table in sorted(inspector.get_table_names())
        }
    engine.dispose()
    return seen


def versions(url: str) -> tuple[list[int], list[str]]:
    """``schema_version``'s rows and ``alembic_version``'s rows (none without the table)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        old = conn.exec_driver_sql("SELECT version FROM schema_version").scalars().all()
        new = []
        if "alembic_version" in tables:
            new = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    engine.dispose()
    return list(old), list(new)


def assert_brought_up_once(url: str) -> None:
    assert versions(url) == ([schema_v1.VERSION], [head_revision()])


_OPEN = "import sys; from sync.server import schema; schema.open_database(sys.argv[1])"


def start_together(url: str, processes: int = 4) -> list[subprocess.CompletedProcess[str]]:
    """Start *processes* servers' database bring-up on *url* at once; how each ended."""
    root = Path(__file__).resolve().parents[2]
    running = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN, url],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    done = []
    for proc in running:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done
