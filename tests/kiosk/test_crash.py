"""Power-cut safety: a response whose record() returned survives SIGKILL of the kiosk."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

KILLS = 50


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_every_returned_record_survives_sigkill(tmp_path: Path):
    database = tmp_path / "kiosk.db"
    child = Path(__file__).with_name("crash_child.py")
    rng = random.Random(20261126)
    printed: list[str] = []
    for _ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, str(child), str(database)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        # Kill at a random moment: somewhere within the next few hundred commits.
        timer = threading.Timer(rng.uniform(0.0, 0.15), process.send_signal, [signal.SIGKILL])
        timer.start()
        for line in process.stdout:  # everything printed before the kill is in the pipe
            printed.append(line.strip())
        process.wait()
        timer.cancel()
        assert process.returncode == -signal.SIGKILL

        conn = sqlite3.connect(database)
        stored = {row[0] for row in conn.execute("SELECT id FROM responses")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        missing = [rid for rid in printed if rid not in stored]
        assert not missing, f"{len(missing)} acknowledged responses were lost"
    assert len(printed) > KILLS  # the loop really recorded between kills
