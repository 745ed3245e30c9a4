"""Web app fixtures: a clock the tests move, the app over the ``engine`` fixture (SQLite and
PostgreSQL) on http and on https, users made directly, and signing in through the real form.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sync.server import accounts, devices, sessions
from sync.server.app import create_app
from tests.server.conftest import ADMIN, WARD_7, auth, batch, enrol, response

PASSWORD = "correct horse battery staple"
WARD_3 = devices.Place("RWD", "RWDLA", "Ward 3")
CHILDREN = devices.Place("RWD", "RWDLB", "Children's ward")


class Clock:
    """The web app's clock in tests: it stands still until moved."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **amount: float) -> None:
        self.moment += timedelta(**amount)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock) -> FastAPI:
    return create_app(engine, ADMIN, now=clock)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """A browser on plain http (as on the demo's 127.0.0.1), redirects not followed."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def secure_web(app: FastAPI) -> Iterator[TestClient]:
    """A browser on https, as behind the trust's TLS proxy."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def people(engine: Engine, clock: Clock) -> accounts.Accounts:
    return accounts.Accounts(engine, clock)


@pytest.fixture
def signins(engine: Engine, clock: Clock) -> sessions.Sessions:
    return sessions.Sessions(engine, clock)


@pytest.fixture
def admin(people: accounts.Accounts) -> accounts.User:
    return people.create_user("admin@trust.nhs.uk", "admin", PASSWORD, display_name="Ada Admin")


@pytest.fixture
def ward_user(people: accounts.Accounts) -> accounts.User:
    return people.create_user("ward7@trust.nhs.uk", "ward", PASSWORD, wards=[WARD_7])


def hidden(html: str, name: str = "csrf_token") -> str:
    """The value of the hidden input *name* in a page."""
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return html_lib.unescape(found.group(1))


def sign_in(client: TestClient, email: str, password: str = PASSWORD, target: str = "") -> Any:
    """Sign in through the form as a browser would: get the page, post it back."""
    form = client.get("/login", params={"next": target} if target else None)
    assert form.status_code == 200, form.text
    return client.post(
        "/login",
        data={
            "csrf_token": hidden(form.text),
            "next": hidden(form.text, "next"),
            "email": email,
            "password": password,
        },
    )


def signed_in(client: TestClient, email: str) -> TestClient:
    reply = sign_in(client, email)
    assert reply.status_code == 303, reply.text
    return client


def send(
    client: TestClient, engine: Engine, place: devices.Place, ratings: list[int], day: str
) -> None:
    """Responses from a kiosk at *place*, answered on *day* (YYYY-MM-DD), through the API."""
    token = enrol(client, engine, place)
    items = [
        response(
            rating=rating,
            local_date=day,
            answered_at=f"{day}T12:00:00+00:00",
            org_code=place.org_code,
            site_code=place.site_code,
            ward_name=place.ward_name,
        )
        for rating in ratings
    ]
    reply = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(token))
    assert reply.status_code == 200 and len(reply.json()["accepted"]) == len(items), reply.text
