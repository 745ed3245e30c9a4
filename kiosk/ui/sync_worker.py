"""Sync off the UI thread: the engine runs on its own QThread with its own store connection.

The UI only asks ("a response was finished", "sync now", "the network is back") and hears
``status_changed``. It never waits on the network. One thread means one sync at a time.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from kiosk import __version__
from kiosk.config import SyncSettings
from kiosk.logs import redactor
from kiosk.store import LocalStore, StoreError
from sync.client import SyncClient
from sync.device import load_identity
from sync.engine import SyncEngine
from sync.enrolment import Place

log = logging.getLogger(__name__)

DEBOUNCE_MS = 3_000  # a burst of finished responses goes up as one batch
POLL_MS = 60_000  # and anything left over is tried again at least once a minute
STORE_RETRY_S = 60.0
SLICE_BATCHES = 4  # between slices the thread hears "stop" and staff see the count fall


class SyncWorker(QObject):
    """Lives on the sync thread. Timers are named for log lines: ``sync-debounce``,
    ``sync-retry``, ``sync-poll``.

    Signals:
        status_changed(SyncStatus): after every attempt.
    """

    status_changed = Signal(object)

    def __init__(
        self, data_dir: Path, settings: SyncSettings, place: Place | None = None
    ) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.settings = settings
        self.place = place
        self.engine: SyncEngine | None = None
        self.store: LocalStore | None = None

    @Slot()
    def start(self) -> None:
        self.store = LocalStore.in_dir(self.data_dir)
        self.engine = SyncEngine(
            self.store,
            SyncClient(self.settings.server_url, ca_bundle=self.settings.ca_bundle),
            load_identity(self.data_dir),
            data_dir=self.data_dir,
            enrollment_key=self.settings.enrollment_key,
            device_name=socket.gethostname() or "ward kiosk",
            app_version=__version__,
            place=self.place,
            batch_size=self.settings.batch_size,
        )
        redactor.add(self.settings.enrollment_key)
        redactor.add(self.engine.identity.token)
        self.debounce = self._timer("sync-debounce", single=True)
        self.retry = self._timer("sync-retry", single=True)
        self.poll = self._timer("sync-poll", single=False)
        self.poll.start(POLL_MS)
        self._run()

    def _timer(self, name: str, single: bool) -> QTimer:
        timer = QTimer(self)
        timer.setObjectName(name)
        timer.setSingleShot(single)
        timer.timeout.connect(self._on_timer)
        return timer

    @Slot(str)
    def request(self, reason: str) -> None:
        """``response``: a respondent finished. ``now``: staff asked. ``online``: network back."""
        if self.engine is None:
            return
        if reason == "now":
            self.engine.resume()
            self._run()
        elif reason == "online":
            self.engine.network_returned()
            self._run()
        elif not self.retry.isActive():  # during a backoff, new responses wait their turn
            self.debounce.start(DEBOUNCE_MS)

    def _on_timer(self) -> None:
        if self.sender() is self.poll and self.retry.isActive():
            return
        self._run()

    def _run(self) -> None:
        assert self.engine is not None
        self.debounce.stop()
        self.retry.stop()
        try:
            delay = self.engine.sync(max_batches=SLICE_BATCHES)
        except StoreError as exc:
            self.engine.last_error = str(exc)
            delay = STORE_RETRY_S
        except Exception:  # a bug must not end syncing for good; it is logged and retried
            log.exception("sync failed unexpectedly")
            self.engine.last_error = "sync failed unexpectedly; see the log"
            delay = STORE_RETRY_S
        redactor.add(self.engine.identity.token)  # newly enrolled, perhaps
        if delay is not None:
            self.retry.start(int(delay * 1000))
        self.status_changed.emit(self.engine.status())

    @Slot()
    def stop(self) -> None:
        for timer in (getattr(self, name, None) for name in ("debounce", "retry", "poll")):
            if timer is not None:
                timer.stop()
        if self.store is not None:
            self.store.close()
            self.store = None
        self.engine = None


class SyncThread:
    """Owns the sync thread and its worker; ``stop()`` before the application exits."""

    def __init__(
        self, data_dir: Path, settings: SyncSettings, place: Place | None = None
    ) -> None:
        self.thread = QThread()
        self.thread.setObjectName("sync")
        self.worker = SyncWorker(data_dir, settings, place)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if not self.thread.isRunning():
            return
        # Runs on the worker's thread, after any sync in progress (at most one HTTP timeout).
        QMetaObject.invokeMethod(self.worker, "stop", Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        self.thread.wait(10_000)
