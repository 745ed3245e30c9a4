"""Logs help IT and never carry comment text, PINs or tokens."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from kiosk.logs import LOG_NAME, RedactSecrets, redactor, setup_logging
from sync.server import devices, schema
from tests.embedded_server import EmbeddedServer
from tests.helpers import PIN, WARD_TOML, tap, unlock
from tests.server import queries

COMMENT = "Sister Jones on bay 4 was wonderful 8271"


def test_a_day_of_use_leaves_no_comment_pin_or_token_in_the_log(
    qtbot, tmp_path, make_kiosk, data_dir
):
    path = setup_logging("DEBUG", tmp_path / "logs")
    server_db = schema.open_database(f"sqlite:///{tmp_path / 'server.db'}")
    key = devices.create_key(server_db, devices.Place("RWD", "RWDLA", "Ward 7 Acute Medicine"))
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
            qtbot.waitUntil(lambda: queries.count_responses(server_db) == 1, timeout=15_000)
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


def record_of(text: str) -> logging.LogRecord:
    return logging.LogRecord("kiosk.sync", logging.INFO, __file__, 1, "%s", (text,), None)


def test_a_secret_is_masked_in_the_message_and_its_arguments():
    redact = RedactSecrets()
    redact.add("short")  # too short to be a token; masking it would mangle ordinary words
    redact.add("tok-0123456789abcdef")
    record = record_of("push with tok-0123456789abcdef failed, short reply")
    assert redact.filter(record)
    assert record.getMessage() == "push with [secret] failed, short reply"


@pytest.fixture
def busy_switching() -> Iterator[None]:
    # Hand the GIL over every few microseconds, so the two threads below interleave closely.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_secrets_added_on_one_thread_while_another_logs(busy_switching):
    # The sync thread adds a new device token while the UI thread is logging: the filter
    # must neither fail ("Set changed size during iteration") nor miss a secret added before.
    redact = RedactSecrets()
    secrets = [f"token-{n:06d}-abcdefgh" for n in range(3000)]
    failures: list[BaseException] = []
    done = threading.Event()

    def log_lines() -> None:
        try:
            while not done.is_set():
                redact.filter(record_of("nothing secret in this line at all"))
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=log_lines) for _ in range(2)]
    for reader in readers:
        reader.start()
    for secret in secrets:
        redact.add(secret)
    done.set()
    for reader in readers:
        reader.join()
    assert failures == []
    assert redact.secrets == frozenset(secrets)
    record = record_of(f"enrolled as {secrets[-1]}")
    redact.filter(record)
    assert secrets[-1] not in record.getMessage()
