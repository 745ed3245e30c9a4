"""The alerts' background thread in each server process: checks every ward's % negative now
and then, and sends what is due. All it knows lives in the database, so any number of
processes run it side by side, and a process that stops loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from sync.server.alerts import jumps, sender
from sync.server.alerts.settings import ServerConfig, describe

log = logging.getLogger("sync.server.alerts")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AlertWorker:
    """Runs ``run_once`` every *tick* seconds on a daemon thread until ``stop``.

    Attributes:
        jump_every: seconds between % negative checks (the figures change by the day).
    """

    def __init__(
        self,
        engine: Engine,
        config: ServerConfig,
        clock: sender.Clock = utc_now,
        tick: float = 5.0,
        jump_every: float = 900.0,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.tick = tick
        self.jump_every = jump_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_jump_check: dt.datetime | None = None

    def start(self) -> None:
        if self.config.alerts is None:
            log.warning(describe(self.config))
        else:
            log.info(describe(self.config))
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to finish what it is sending and stop; waits up to *timeout* s."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.tick)

    def run_once(self) -> None:
        """One round: the % negative check when it is due, then queue, digest and send. A
        step that fails (the database away for a moment) is logged and tried next round."""
        now = self.clock()
        last = self._last_jump_check
        due = last is None or (now - last).total_seconds() >= self.jump_every
        if due and self._step("checking % negative", self._check_jumps):
            self._last_jump_check = now
        settings = self.config.alerts
        if settings is None:
            return
        self._step("queueing alerts", lambda: sender.queue(self.engine, settings, self.clock()))
        self._step("making digests", lambda: sender.digest(self.engine, settings, self.clock()))
        self._step("sending alerts", lambda: sender.send_due(self.engine, settings, self.clock))

    def _check_jumps(self) -> None:
        with self.engine.begin() as conn:
            raised = jumps.check_jumps(conn, self.clock(), self.config.jumps)
        if raised:
            log.info("%d wards' %% negative jumped: alerts raised", raised)

    def _step(self, doing: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except Exception as exc:  # the thread must outlive any one failure
            log.warning("alerts: %s failed, trying again shortly: %s", doing, exc)
            return False
        return True
