"""The whole way, in a real server process: ``ward-sync-server serve --config server.toml``, a
kiosk's batch with a safeguarding comment, the tagging worker handing it over, and the
alert e-mail arriving at a local SMTP server with a link and without the comment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.server import devices, schema
from tests.embedded_server import free_port
from tests.server.alerts_kit import PUBLIC_URL, SmtpServer, running_smtp, text_of
from tests.server.conftest import WARD_7, batch, response

SECRET = "Brontosaurus"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from running_smtp()


def _healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)  # polling a process's port: there is no signal to wait on
    raise AssertionError("the server did not answer within 60 s")


def test_serve_with_a_config_emails_a_safeguarding_comments_alert(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    database = tmp_path / "server.db"
    engine = schema.open_database(f"sqlite:///{database}")
    key = devices.create_key(engine, WARD_7)
    engine.dispose()
    config = tmp_path / "server.toml"
    config.write_text(
        f'[alerts]\npublic_url = "{PUBLIC_URL}"\nrecipients = ["team@trust.nhs.uk"]\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "none"\n'
        'from = "ward-feedback@trust.nhs.uk"\n',
        encoding="utf-8",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sync.server", "serve", "--db", str(database)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--config", str(config)],
        stderr=subprocess.PIPE,
        env={**os.environ, "WARD_SYNC_ADMIN_TOKEN": ""},
    )
    try:
        _healthy(url, process)
        enrolled = requests.post(
            f"{url}/api/v1/devices/enroll",
            json={
                "enrollment_key": key,
                "device_id": str(uuid.uuid4()),
                "name": "Ward 7 tablet",
                "app_version": "0.1.0",
            },
            timeout=10,
        )
        token = enrolled.json()["device_token"]
        words = f"{SECRET} on the next bed shouted and I felt unsafe all night"
        today = time.strftime("%Y-%m-%d")
        item = response(
            comment=words, rating=5, local_date=today, answered_at=f"{today}T09:00:00+00:00"
        )
        pushed = requests.post(
            f"{url}/api/v1/responses/batch",
            json=batch(item),
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert pushed.status_code == 200 and pushed.json()["accepted"] == [item["id"]]
        assert smtp_server.mailbox.wait_for(1, timeout=60), "no alert e-mail arrived"
    finally:
        process.terminate()
        process.wait(30)
    [mail] = smtp_server.received
    assert mail["To"] == "team@trust.nhs.uk"
    assert f"{PUBLIC_URL}/alerts/1" in text_of(mail)
    assert SECRET not in mail.as_string() and "unsafe" not in text_of(mail)
