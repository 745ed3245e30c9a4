"""Logs help IT and never carry comment text, PINs or tokens."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from kiosk.logs import LOG_NAME, redactor, setup_logging
from sync.server import db
from sync.server.embedded import EmbeddedServer
from tests.helpers import WARD_TOML, tap
from tests.kiosk.ui.test_staff_mode import PIN, unlock

COMMENT = "Sister Jones on bay 4 was wonderful 8271"


def test_a_day_of_use_leaves_no_comment_pin_or_token_in_the_log(
    qtbot, tmp_path, make_kiosk, data_dir
):
    path = setup_logging("DEBUG", tmp_path / "logs")
    server_db = db.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    key = db.create_key(server_db, db.Place("RWD", "RWDLA", "Ward 7 Acute Medicine"))
    try:
        with EmbeddedServer(server_db) as live:
            window = make_kiosk(
                f'[kiosk]\nthanks_seconds = 2\n[sync]\nserver_url = "{live.url}"\n'
                f'enrollment_key = "{key}"\n'
            )
            redactor.add(key)
            tap(qtbot, window, "Poor")
            qtbot.keyClicks(window.followup.comment, COMMENT)
            tap(qtbot, window, "Send")
            qtbot.waitUntil(lambda: db.count_responses(server_db) == 1, timeout=15_000)
            unlock(qtbot, window, data_dir)
            window.staff.open_pad()
            for digit in "0000":
                tap(qtbot, window, digit)
            tap(qtbot, window, "Enter")
            window.shutdown()
    finally:
        logging.getLogger().handlers.clear()
    token = json.loads((data_dir / "device.json").read_text())["token"]
    text = path.read_text(encoding="utf-8")
    assert "enrolled with the central server" in text  # the log is being written
    for secret in (COMMENT, "wonderful", PIN, token, key):
        assert secret not in text


def test_log_files_rotate_at_a_size_cap(tmp_path):
    path = setup_logging("INFO", tmp_path)
    try:
        for _ in range(12_000):
            logging.getLogger("kiosk.test").info("x" * 120)
    finally:
        logging.getLogger().handlers.clear()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert LOG_NAME in files and f"{LOG_NAME}.1" in files
    assert all((tmp_path / name).stat().st_size <= 1_100_000 for name in files)
    assert path == tmp_path / LOG_NAME


def test_print_config_shows_sources_and_masks_secrets(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(
        WARD_TOML
        + '[sync]\nserver_url = "https://x.nhs.uk"\nenrollment_key = "k3y-s3cret-value"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--print-config",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "data"),
            "--log-dir",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f'ward_name = "Ward 7 Acute Medicine"    # {config}' in result.stdout
    assert "idle_reset_seconds = 60    # default" in result.stdout
    assert 'enrollment_key = "****" (set)' in result.stdout
    assert "k3y-s3cret-value" not in result.stdout + result.stderr
