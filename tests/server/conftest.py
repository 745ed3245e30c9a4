"""Server fixtures: a fresh database on SQLite, and on PostgreSQL where one is configured.

PostgreSQL comes from ``WARD_TEST_POSTGRES_URL`` (``./dev test`` sets it up under CI). Outside
CI its tests skip with that reason; in CI a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sync.server import devices, schema
from sync.server.app import create_app
from tests.helpers import wire_response

POSTGRES_ENV = "WARD_TEST_POSTGRES_URL"
ADMIN = "admin-token-for-tests-0123456789"


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (./dev test sets it up under CI=true)")
    return url


def drop_everything(url: str) -> None:
    """Leave the database with no tables: the server's, Alembic's and any a test added."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        found = sa.MetaData()
        found.reflect(conn)
        found.drop_all(conn)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with no tables yet, on SQLite and on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'server.db'}" if request.param == "sqlite" else _postgres_url()
    drop_everything(url)
    return url


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    engine = schema.open_database(empty_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, ADMIN))


WARD_7 = devices.Place("RWD", "RWDLA", "Ward 7")


def enrol(client: TestClient, engine: Engine, place: devices.Place = WARD_7) -> str:
    """Enrol a new device for *place* through the API; its device token."""
    key = devices.create_key(engine, place)
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


# One valid wire response, shared with every other test: tests.helpers.wire_response.
response = wire_response


def batch(*items: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "responses": list(items)}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
