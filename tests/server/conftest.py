"""Server fixtures: a fresh database on SQLite, and on PostgreSQL where one is configured.

PostgreSQL comes from ``WARD_TEST_POSTGRES_URL`` (``./dev test`` sets it up under CI). Outside
CI its tests skip with that reason; in CI a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sync.server import db
from sync.server.app import create_app

POSTGRES_ENV = "WARD_TEST_POSTGRES_URL"
ADMIN = "admin-token-for-tests-0123456789"


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (./dev test sets it up under CI=true)")
    return url


def _empty(url: str) -> Engine:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        db.metadata.drop_all(conn)
        db.schema_version.drop(conn, checkfirst=True)
    engine.dispose()
    return db.open_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'server.db'}" if request.param == "sqlite" else _postgres_url()
    engine = _empty(url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, ADMIN))


WARD_7 = db.Place("RWD", "RWDLA", "Ward 7")


def enrol(client: TestClient, engine: Engine, place: db.Place = WARD_7) -> str:
    """Enrol a new device for *place* through the API; its device token."""
    key = db.create_key(engine, place)
    reply = client.post(
        "/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": f"{place.ward_name} tablet",
            "app_version": "0.1.0",
        },
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["device_token"])


@pytest.fixture
def device_token(client: TestClient, engine: Engine) -> str:
    """A device enrolled for RWD / RWDLA / Ward 7, the place ``response()`` reports for."""
    return enrol(client, engine)


def response(**changes: Any) -> dict[str, Any]:
    """A valid wire Response, with *changes*."""
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "survey_id": "fft-inpatient",
        "survey_version": 1,
        "answered_at": datetime(2026, 11, 10, 14, 30, tzinfo=UTC).isoformat(),
        "local_date": "2026-11-10",
        "rating": 1,
        "answers": {"themes": ["staff"]},
        "comment": None,
        "language": "en",
        "mode": "Other",
        "org_code": "RWD",
        "site_code": "RWDLA",
        "ward_name": "Ward 7",
        "flags": [],
    }
    data.update(changes)
    return data


def batch(*items: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "responses": list(items)}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
