"""``--self-test``: the checks IT runs on a packaged kiosk, sync included."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sync.device import DeviceIdentity, save_identity
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer, free_port
from tests.helpers import WARD_TOML


def self_test(config, data):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--self-test",
            "--config",
            str(config),
            "--data-dir",
            str(data),
            "--log-dir",
            str(data / "logs"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_self_test_checks_the_server_and_the_device_token(tmp_path):
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7 Acute Medicine"))
    device = str(uuid.uuid4())
    token, _ = devices.enroll(engine, key, device, "t", "1")
    data = tmp_path / "data"
    data.mkdir()
    with EmbeddedServer(engine) as live:
        config = tmp_path / "kiosk.toml"
        config.write_text(WARD_TOML + f'[sync]\nserver_url = "{live.url}"\n', encoding="utf-8")
        save_identity(data, DeviceIdentity(device, token, live.url))
        good = self_test(config, data)
        devices.revoke_device(engine, device)
        revoked = self_test(config, data)
    assert good.returncode == 0, good.stdout + good.stderr
    sync_lines = [line for line in good.stdout.splitlines() if line.startswith("sync")]
    assert sync_lines[0].split()[1] == "OK" and "answers" in sync_lines[0]
    assert f"device {device} enrolled as RWD / RWDLA / 'Ward 7 Acute Medicine'" in sync_lines[1]
    assert revoked.returncode == 1
    assert "sync      FAIL device token: the central server refused this kiosk" in revoked.stdout
    assert token not in good.stdout + revoked.stdout + good.stderr + revoked.stderr


def test_self_test_fails_when_the_key_was_for_another_ward(tmp_path):
    engine = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    key = devices.create_key(engine, devices.Place("RWD", "RWDLA", "Ward 7"))
    device = str(uuid.uuid4())
    token, _ = devices.enroll(engine, key, device, "t", "1")
    data = tmp_path / "data"
    data.mkdir()
    with EmbeddedServer(engine) as live:
        config = tmp_path / "kiosk.toml"
        config.write_text(WARD_TOML + f'[sync]\nserver_url = "{live.url}"\n', encoding="utf-8")
        save_identity(data, DeviceIdentity(device, token, live.url))
        result = self_test(config, data)
    assert result.returncode == 1
    assert (
        f"sync      FAIL device {device} is enrolled for RWD / RWDLA / 'Ward 7' but kiosk.toml "
        "says RWD / RWDLA / 'Ward 7 Acute Medicine'"
    ) in result.stdout


def test_self_test_fails_clearly_when_the_server_cannot_be_reached(tmp_path):
    config = tmp_path / "kiosk.toml"
    url = f"http://127.0.0.1:{free_port()}"
    config.write_text(WARD_TOML + f'[sync]\nserver_url = "{url}"\n', encoding="utf-8")
    result = self_test(config, tmp_path / "data")
    assert result.returncode == 1
    assert f"sync      FAIL {url}: cannot reach the central server" in result.stdout
    assert "Traceback" not in result.stderr


def test_self_test_without_sync_says_so(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(WARD_TOML, encoding="utf-8")
    result = self_test(config, tmp_path / "data")
    assert result.returncode == 0
    assert "sync      OK   not configured: answers stay on this kiosk" in result.stdout
