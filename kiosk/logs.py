"""Logging for a fleet: size-capped rotating files in the platform log dir, and stderr.

What the kiosk logs is written so that no comment text, PIN or token is ever in a message; a
filter also drops any record whose text carries a secret it has been told about, as a second
line of defence.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

import platformdirs

from kiosk.config import APP_NAME

LOG_NAME = "ward-kiosk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def default_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


class RedactSecrets(logging.Filter):
    """Masks known secrets (the device token, the enrollment key) in any log line.

    Attributes:
        secrets: what is masked. A frozenset, replaced whole by ``add``: the sync thread adds
            a token while the UI thread's log calls read the set, and a set changed while
            another thread iterates it raises ``RuntimeError`` in the middle of logging.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()
        self._adding = threading.Lock()  # two adds at once must not lose either secret

    def add(self, secret: str) -> None:
        if len(secret) >= 8:
            with self._adding:
                self.secrets = self.secrets | {secret}

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets  # one snapshot for the whole record
        if secrets:
            text = record.getMessage()
            if any(secret in text for secret in secrets):
                for secret in secrets:
                    text = text.replace(secret, "[secret]")
                record.msg, record.args = text, None
        return True


redactor = RedactSecrets()


def setup_logging(level: str = "INFO", log_dir: Path | None = None) -> Path | None:
    """Log to stderr and to a rotating file; returns the file, or None if it cannot be written
    (the kiosk still runs, logging to stderr only)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter(FORMAT))
    console.addFilter(redactor)
    root.addHandler(console)
    folder = log_dir or default_log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        root.warning("cannot write logs to %s (%s); logging to the console only", folder, exc)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(redactor)
    root.addHandler(handler)
    return path
