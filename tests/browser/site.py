"""The trust the browser tests visit: the real server in its own process, on a SQLite file,
filled the way a trust's is: kiosks enrolled and sending batches through the API, and people
created on the command line.

Two sites, seven wards, thirteen months of responses up to today. The month the tests look
at closely (``Trust.month``) is last month, whole, so it reads the same whatever today is.
In it Ward 7 has comments (one holding ``<script>``, one a safeguarding word) and a
repeat tap; Day surgery has 3 responses, so NHS England's suppression shows; Ward 12 has an
enrolment key but no kiosk and no responses, so the Overview flags it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server import devices, schema
from tests.embedded_server import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = (sys.executable, "-m", "sync.server", "serve")
ADMIN_TOKEN = "browser-tests-admin-token-0123456789"
PASSWORD = "Correct horse battery staple 7"

WARD_7 = devices.Place("RWD", "RWDLA", "Ward 7")
WARD_3 = devices.Place("RWD", "RWDLA", "Ward 3")
CHILDREN = devices.Place("RWD", "RWDLA", "Children's ward")
MATERNITY = devices.Place("RWD", "RWDLB", "Maternity")
WARD_10 = devices.Place("RWD", "RWDLB", "Ward 10")
DAY_SURGERY = devices.Place("RWD", "RWDLB", "Day surgery")
#: Enrolment key only: no kiosk, no responses.
WARD_12 = devices.Place("RWD", "RWDLB", "Ward 12")
KIOSK_WARDS = (WARD_7, WARD_3, CHILDREN, MATERNITY, WARD_10, DAY_SURGERY)
ALL_WARDS = (*KIOSK_WARDS, WARD_12)

SCRIPT_COMMENT = "<script>alert(1)</script> The tea trolley never came"
SAFEGUARDING_COMMENT = "I felt unsafe at night when the lights were off"
COMMENTS = (
    SCRIPT_COMMENT,
    SAFEGUARDING_COMMENT,
    "The nurses were kind and explained everything",
    "Too noisy to sleep, but the staff were lovely",
    "Waited a long time for pain relief",
)
THEMES = ("staff", "communication", "cleanliness", "food", "noise", "waiting")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str
    wards: tuple[devices.Place, ...] = ()
    password: str = PASSWORD


ADMIN = Person("pat.lee@trust.nhs.uk", "Pat Lee", "admin")
WARD_USER = Person("sam.jones@trust.nhs.uk", "Sam Jones", "ward", (WARD_7,))


def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def month_days(first: date, today: date) -> list[date]:
    """The days of *first*'s month before *today* (answers cannot come from the future)."""
    following = month_start(first, -1)
    end = min(following, today)
    return [first + timedelta(days=n) for n in range((end - first).days)]


@dataclass
class Trust:
    """The running server and what it holds.

    Attributes:
        url: ``http://127.0.0.1:<port>``.
        month: last month, ``YYYY-MM``: the month the tests look at closely.
        engine: the same database, for what only a test may do to it (a kiosk gone quiet).
    """

    url: str
    database: Path
    engine: Engine
    process: subprocess.Popen[bytes]
    log: Path
    today: date
    month: str = ""
    sent: dict[devices.Place, int] = field(default_factory=dict)

    def api(self, path: str, **params: str) -> Any:
        reply = requests.get(
            f"{self.url}/api/v1{path}",
            params=params,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )
        reply.raise_for_status()
        return reply.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.engine.dispose()


def start(folder: Path) -> Trust:
    """The server on a free port, seeded, with its people; ``Trust.stop()`` ends it."""
    database = folder / "server.db"
    engine = schema.open_database(f"sqlite:///{database}")  # the schema, before serving
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*SERVE, "--db", str(database), "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "WARD_SYNC_ADMIN_TOKEN": ADMIN_TOKEN},
        )
    trust = Trust(f"http://127.0.0.1:{port}", database, engine, process, log, date.today())
    try:
        _wait_until_healthy(trust)
        seed(trust)
        for person in (ADMIN, WARD_USER):
            create_person(database, person)
    except BaseException:
        trust.stop()
        raise
    return trust


def _wait_until_healthy(trust: Trust) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if trust.process.poll() is not None:
            break
        try:
            requests.get(f"{trust.url}/api/v1/health", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{trust.log.read_text(errors='replace')}")


def create_person(database: Path, person: Person) -> None:
    """``python -m sync.server users create``, as IT would run it."""
    command = [sys.executable, "-m", "sync.server", "users", "create", "--db", str(database)]
    command += ["--email", person.email, "--role", person.role, "--name", person.name]
    for place in person.wards:
        command += ["--ward", f"{place.org_code}/{place.site_code}/{place.ward_name}"]
    done = subprocess.run(
        [*command, "--password-stdin"],
        input=f"{person.password}\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def seed(trust: Trust) -> None:
    """Enrol a kiosk per ward through the API, and send its thirteen months in batches."""
    rng = random.Random(12)
    today = trust.today
    focus = month_start(today, 1)
    trust.month = focus.strftime("%Y-%m")
    tokens = {place: _enrol(trust, place) for place in KIOSK_WARDS}
    for place in KIOSK_WARDS:
        items = []
        for back in range(12, -1, -1):
            first = month_start(today, back)
            days = month_days(first, today)
            if not days:
                continue
            many = 3 if place == DAY_SURGERY and first == focus else rng.randint(12, 40)
            items += [_answer(place, rng.choice(days), rng) for _ in range(many)]
        if place == WARD_7:
            items += _ward_7_extras(focus, rng)
        for start_at in range(0, len(items), 500):
            _send(trust, tokens[place], place, items[start_at : start_at + 500])
        trust.sent[place] = len(items)
    devices.create_key(trust.engine, WARD_12)
    # One kiosk gone quiet three days ago, so the Devices page has one to flag.
    with trust.engine.begin() as conn:
        quiet = datetime.now(UTC) - timedelta(days=3)
        conn.execute(
            sa.update(schema.devices)
            .where(schema.devices.c.ward_name == WARD_10.ward_name)
            .values(last_seen_at=quiet, last_batch_at=quiet)
        )


def _enrol(trust: Trust, place: devices.Place) -> str:
    key = devices.create_key(trust.engine, place)
    reply = requests.post(
        f"{trust.url}/api/v1/devices/enroll",
        json={
            "enrollment_key": key,
            "device_id": str(uuid.uuid4()),
            "name": f"{place.ward_name} kiosk",
            "app_version": "0.9.0",
        },
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["device_token"])


def _answer(
    place: devices.Place,
    day: date,
    rng: random.Random,
    rating: int | None = None,
    comment: str | None = None,
    flags: tuple[str, ...] = (),
) -> dict[str, Any]:
    moment = datetime(
        day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=UTC
    )
    themes = sorted(rng.sample(THEMES, rng.randint(0, 2)))
    return {
        "id": str(uuid.uuid4()),
        "survey_id": "fft-inpatient",
        "survey_version": 1,
        "answered_at": moment.isoformat(),
        "local_date": day.isoformat(),
        "rating": rating or rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6)),
        "answers": {"themes": themes},
        "comment": comment,
        "language": "en",
        "mode": "Other",
        "org_code": place.org_code,
        "site_code": place.site_code,
        "ward_name": place.ward_name,
        "flags": list(flags),
    }


def _ward_7_extras(focus: date, rng: random.Random) -> list[dict[str, Any]]:
    """Ward 7's comments and a repeat tap in the focus month, on its first days."""
    ratings = (5, 4, 1, 2, 3)
    items = [
        _answer(WARD_7, focus + timedelta(days=n), rng, rating, comment)
        for n, (rating, comment) in enumerate(zip(ratings, COMMENTS, strict=True))
    ]
    items.append(_answer(WARD_7, focus + timedelta(days=6), rng, 1, flags=("repeat-tap",)))
    return items


def _send(trust: Trust, token: str, place: devices.Place, items: list[dict[str, Any]]) -> None:
    items.sort(key=lambda item: str(item["answered_at"]))
    trouble = place == MATERNITY  # a kiosk that had a problem and has some waiting
    body = {
        "batch_id": str(uuid.uuid4()),
        "responses": items,
        "device": {
            "app_version": "1.2.0",
            "pending": 12 if trouble else 0,
            "last_error": "The server did not answer within 30 seconds" if trouble else None,
        },
    }
    reply = requests.post(
        f"{trust.url}/api/v1/responses/batch",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["accepted"]) == len(items), reply.text
