"""End-to-end fixtures: a real server (uvicorn, loopback, free port) and real kiosk stores."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kiosk.store import LocalStore
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer

WARD = devices.Place("RWD", "RWDLA", "Ward 7")


@pytest.fixture
def server_db(tmp_path: Path) -> Iterator[Engine]:
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def live(server_db: Engine) -> Iterator[EmbeddedServer]:
    with EmbeddedServer(server_db) as server:
        yield server


def enrolled_token(engine: Engine) -> str:
    token, _ = devices.enroll(
        engine, devices.create_key(engine, WARD), str(uuid.uuid4()), "e2e kiosk", "0.1.0"
    )
    return token


def seed(store: LocalStore, count: int, start: datetime | None = None) -> list[str]:
    """*count* finished responses, in one transaction (recording one by one is tested elsewhere)."""
    start = start or datetime.now(UTC) - timedelta(days=1)
    rows = []
    for i in range(count):
        moment = start + timedelta(milliseconds=i)
        rows.append(
            (
                str(uuid.uuid4()),
                "fft-inpatient",
                1,
                moment.isoformat(timespec="milliseconds"),
                moment.date().isoformat(),
                i % 6 + 1,
                json.dumps({"themes": ["staff"]} if i % 3 == 0 else {}),
                "Kind staff" if i % 5 == 0 else None,
                "en",
                "Other",
                "RWD",
                "RWDLA",
                "Ward 7",
                "[]",
                moment.isoformat(timespec="milliseconds"),
            )
        )
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO responses (id, survey_id, survey_version, answered_at, local_date,"
            " rating, answers, comment, language, mode, org_code, site_code, ward_name, flags,"
            " finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return [row[0] for row in rows]
