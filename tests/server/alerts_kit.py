"""What the alerts' tests share: a local SMTP server (aiosmtpd) that keeps what it is sent, a
local webhook receiver whose answers a test scripts, a clock the tests move, comments stored
through ingest, and settings that point at the two receivers.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.engine import Engine

from sync.protocol import Response
from sync.server import devices
from sync.server.alerts.settings import AlertSettings, Smtp
from sync.server.ingest import ingest
from sync.server.schema import alert_deliveries, alerts
from sync.server.tagged import TaggedComment
from tests.server.conftest import WARD_7, response

PUBLIC_URL = "https://feedback.example.nhs.uk"
SENDER = "ward-feedback@trust.nhs.uk"


class Clock:
    """The alerts' clock in tests: it stands still until moved."""

    def __init__(self, moment: dt.datetime | None = None) -> None:
        self.moment = moment or dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **amount: float) -> None:
        self.moment += dt.timedelta(**amount)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """What the local SMTP server was sent, as parsed e-mails."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        mail = message_from_bytes(raw, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.arrived:
            self.received.append(mail)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15.0) -> bool:
        """Wait until *count* e-mails have arrived; False if they did not in *timeout* s."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)


@dataclass
class SmtpServer:
    """aiosmtpd on a local port; ``stop`` and ``start`` make it go away and come back."""

    port: int = field(default_factory=free_port)
    mailbox: Mailbox = field(default_factory=Mailbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return self.mailbox.received


def running_smtp() -> Iterator[SmtpServer]:
    """A started local SMTP server, stopped after (a test module's fixture yields from it)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


class Webhook:
    """A local HTTP receiver: keeps every JSON body POSTed to it and answers with the next
    of ``statuses`` (200 once they run out); ``"hang"`` answers nothing until the test ends."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.statuses: list[int | str] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                answer = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.raw.append(body)
                receiver.bodies.append(json.loads(body))
                if answer == "hang":
                    receiver.release.wait(30)
                    return
                assert isinstance(answer, int)
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def running_webhook() -> Iterator[Webhook]:
    """A local webhook receiver, closed after (a test module's fixture yields from it)."""
    receiver = Webhook()
    yield receiver
    receiver.close()


def settings(
    smtp_port: int | None = None,
    webhook_url: str | None = None,
    recipients: tuple[str, ...] = ("team@trust.nhs.uk",),
    per_hour: int = 5,
) -> AlertSettings:
    return AlertSettings(
        public_url=PUBLIC_URL,
        smtp=(
            Smtp("127.0.0.1", smtp_port, "none", SENDER, timeout=5.0)
            if smtp_port is not None
            else None
        ),
        recipients=recipients if smtp_port is not None else (),
        webhook_url=webhook_url,
        per_ward_per_hour=per_hour,
    )


def store_comment(
    engine: Engine,
    token: str,
    comment: str | None,
    rating: int = 5,
    day: dt.date = dt.date(2026, 11, 20),
    place: devices.Place = WARD_7,
) -> str:
    """A response with *comment* stored through ingest; its id."""
    item = response(
        comment=comment,
        rating=rating,
        local_date=day.isoformat(),
        answered_at=f"{day.isoformat()}T09:30:00+00:00",
        org_code=place.org_code,
        site_code=place.site_code,
        ward_name=place.ward_name,
    )
    result = ingest(engine, token, str(uuid.uuid4()), [Response.model_validate(item)])
    assert result.accepted == [item["id"]], result
    return str(item["id"])


def store_ratings(
    engine: Engine, token: str, ratings: list[int], day: dt.date, place: devices.Place = WARD_7
) -> None:
    """Responses without comments, one per rating, answered on *day*, in one batch."""
    items = [
        Response.model_validate(
            response(
                rating=rating,
                local_date=day.isoformat(),
                answered_at=f"{day.isoformat()}T09:30:00+00:00",
                org_code=place.org_code,
                site_code=place.site_code,
                ward_name=place.ward_name,
            )
        )
        for rating in ratings
    ]
    result = ingest(engine, token, str(uuid.uuid4()), items)
    assert len(result.accepted) == len(items), result


def tagged(
    response_id: str,
    comment: str,
    sentiment: int | None = None,
    rating: int = 5,
    day: dt.date = dt.date(2026, 11, 20),
    place: devices.Place = WARD_7,
) -> TaggedComment:
    return TaggedComment(
        response_id=response_id,
        org_code=place.org_code,
        site_code=place.site_code,
        ward_name=place.ward_name,
        comment=comment,
        rating=rating,
        local_date=day,
        themes=("Staff manner & personal attributes",) if sentiment else (),
        sentiment=sentiment,
    )


def all_alerts(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(alerts).order_by(alerts.c.id)).mappings().all()
    return [dict(row) for row in rows]


def all_deliveries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = sa.select(alert_deliveries).order_by(alert_deliveries.c.id)
        rows = conn.execute(query).mappings().all()
    return [dict(row) for row in rows]


def text_of(mail: EmailMessage) -> str:
    """Everything a reader of *mail* sees: its subject and body."""
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None
    return f"{mail['Subject']}\n{body.get_content()}"


def kiosk(engine: Engine, place: devices.Place = WARD_7) -> str:
    """A device enrolled for *place*; its token."""
    key = devices.create_key(engine, place)
    token, _ = devices.enroll(engine, key, str(uuid.uuid4()), f"{place.ward_name} tablet", "0.1.0")
    return token
