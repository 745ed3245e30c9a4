"""Sync off the UI thread: the engine runs on its own QThread with its own store connection,
and so does retention (deleting responses the server has had for ``retention_days``).

The UI only asks ("a response was finished", "sync now", "the network is back") and hears
``status_changed``. It never waits on the network. One thread means one sync at a time.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from kiosk import __version__
from kiosk.config import SyncSettings
from kiosk.logs import redactor
from kiosk.store import LocalStore, StoreError
from kiosk.ui.timers import Timer
from sync.client import SyncClient
from sync.device import load_identity
from sync.engine import SyncEngine
from sync.enrolment import Place

log = logging.getLogger(__name__)

DEBOUNCE_MS = 3_000  # a burst of finished responses goes up as one batch
POLL_MS = 60_000  # and anything left over is tried again at least once a minute
STORE_RETRY_S = 60.0
SLICE_BATCHES = 4  # between slices the thread hears "stop" and staff see the count fall
# Retention runs once shortly after start (a kiosk may be switched off every night), then
# daily. Not at once: the first sync after a restart matters more to staff.
RETENTION_FIRST_MS = 120_000
RETENTION_EVERY_MS = 24 * 60 * 60 * 1000


class SyncWorker(QObject):
    """Lives on the sync thread: runs the engine when asked or when a timer fires, and
    deletes responses the server acknowledged more than ``retention_days`` ago.

    Attributes:
        debounce, retry, poll, retention: its timers (named ``sync-debounce``, ``sync-retry``,
            ``sync-poll``, ``sync-retention``), made here and started by ``start``; they move
            to the sync thread with the worker.

    Signals:
        status_changed(SyncStatus): after every attempt.
        purged(int): after each retention run, with how many responses it deleted.
    """

    status_changed = Signal(object)
    purged = Signal(int)

    def __init__(
        self,
        data_dir: Path,
        settings: SyncSettings,
        place: Place | None = None,
        *,
        retention_days: int,
    ) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.settings = settings
        self.place = place
        self.retention_days = retention_days
        self.engine: SyncEngine | None = None
        self.store: LocalStore | None = None
        self.debounce = Timer("sync-debounce", single_shot=True, parent=self)
        self.retry = Timer("sync-retry", single_shot=True, parent=self)
        self.poll = Timer("sync-poll", POLL_MS, parent=self)
        self.retention = Timer("sync-retention", single_shot=True, parent=self)
        for timer in (self.debounce, self.retry, self.poll):
            timer.timeout.connect(self._on_timer)
        self.retention.timeout.connect(self.purge_expired)

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
        self.poll.start()
        self.retention.start(RETENTION_FIRST_MS)
        self._run()

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
    def purge_expired(self) -> None:
        """Delete responses the server acknowledged more than ``retention_days`` ago (never
        pending or rejected ones), then do it again in a day."""
        if self.store is None:
            return
        deleted = 0
        try:
            deleted = self.store.purge(self.retention_days)
        except StoreError as exc:  # tried again tomorrow; collection goes on regardless
            log.warning("retention: could not delete old responses (%s)", exc)
        except Exception:  # a bug must not end retention for good; it is logged and retried
            log.exception("retention failed unexpectedly")
        else:
            log.info(
                "retention: deleted %d responses sent to the central server more than %d days"
                " ago",
                deleted,
                self.retention_days,
            )
        self.retention.start(RETENTION_EVERY_MS)
        self.purged.emit(deleted)

    @Slot()
    def stop(self) -> None:
        for timer in (self.debounce, self.retry, self.poll, self.retention):
            timer.stop()
        if self.store is not None:
            self.store.close()
            self.store = None
        self.engine = None


class SyncThread:
    """Owns the sync thread and its worker; ``stop()`` before the application exits."""

    def __init__(
        self,
        data_dir: Path,
        settings: SyncSettings,
        place: Place | None = None,
        *,
        retention_days: int,
    ) -> None:
        self.thread = QThread()
        self.thread.setObjectName("sync")
        self.worker = SyncWorker(data_dir, settings, place, retention_days=retention_days)
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
