"""The outbox loop: take the oldest pending batch, push it, apply the verdict, decide when next.

A response becomes ``sent`` only when the server's reply names it as accepted or duplicate.
Anything else (a crash, a timeout, a reply that makes no sense) leaves it pending, to be sent
again; the server's idempotency on response ids turns the resend into a ``duplicate``.
The clock and the randomness are injected, so backoff is tested without waiting.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sync.client import WIRE_FIELDS, Refused, Revoked, SyncClient, TooLarge, Transient
from sync.device import DeviceIdentity, save_identity

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0
BACKOFF_CAP = 300.0
RETRY_AFTER_CAP = 3600.0


class Outbox(Protocol):
    """What the engine needs of the kiosk's store (``kiosk.store.LocalStore`` provides it)."""

    def pending_json(self, limit: int, fields: Sequence[str]) -> list[tuple[str, str]]: ...

    def apply_results(
        self, sent: Iterable[str], rejected: Mapping[str, str] | None = None
    ) -> None: ...

    def sync_counts(self) -> dict[str, int]: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncStatus:
    """What staff see about sync.

    Attributes:
        state: ``idle`` (all sent), ``waiting`` (will retry), ``stopped`` (needs IT or staff).
        pending: responses not yet on the server.
        rejected: responses the server refused (kept here, not resent).
        last_success: when the server last acknowledged a batch.
        last_error: the last problem, in plain words; None after a clean sync.
        device_id: this kiosk's id with the central server.
    """

    state: str
    pending: int
    rejected: int
    last_success: datetime | None
    last_error: str | None
    device_id: str = ""


class SyncEngine:
    """Pushes one kiosk's pending responses to the central server.

    Attributes:
        batch_size: the most responses per batch (halved for the run after a 413).
        stopped: why syncing stopped (revoked, refused), until ``resume()``.
    """

    def __init__(
        self,
        store: Outbox,
        client: SyncClient,
        identity: DeviceIdentity,
        *,
        data_dir: Path | None = None,
        enrollment_key: str = "",
        device_name: str = "ward kiosk",
        app_version: str = "0",
        batch_size: int = 500,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        wallclock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.client = client
        self.identity = identity
        self.data_dir = data_dir
        self.enrollment_key = enrollment_key
        self.device_name = device_name
        self.app_version = app_version
        self.batch_size = batch_size
        self._clock = clock
        self._jitter = jitter
        self._wallclock = wallclock
        self.failures = 0
        self.stopped: str | None = None
        self.last_error: str | None = None
        self.last_success: datetime | None = None
        if identity.token and identity.server_url == client.base_url:
            client.token = identity.token

    # -- control -------------------------------------------------------------------------

    def resume(self) -> None:
        """Staff pressed "Sync now", or IT fixed the device: try again from scratch."""
        self.stopped = None
        self.failures = 0

    def network_returned(self) -> None:
        """Connectivity came back: no reason to keep waiting out a long backoff."""
        self.failures = 0

    def status(self) -> SyncStatus:
        counts = self.store.sync_counts()
        if self.stopped:
            state = "stopped"
        elif self.last_error or counts["pending"]:
            state = "waiting"
        else:
            state = "idle"
        return SyncStatus(
            state,
            counts["pending"],
            counts["rejected"],
            self.last_success,
            self.last_error,
            self.identity.device_id if self.identity.token else "",
        )

    # -- the loop ------------------------------------------------------------------------

    def sync(self, max_batches: int | None = None) -> float | None:
        """Push until nothing is ready to send, or something fails.

        :param max_batches: stop after this many batches and return 0, so a caller can
            report progress and stay responsive between slices of a long backlog.
        :returns: seconds to wait before the next attempt (0: carry on now); None when
            there is nothing more to do now (all sent, or stopped).
        """
        if self.stopped:
            return None
        if not self.client.token and not self._enroll():
            return None
        limit = self.batch_size
        pushed = 0
        while True:
            if max_batches is not None and pushed >= max_batches:
                return 0.0
            rows = self.store.pending_json(limit, WIRE_FIELDS)
            if not rows:
                self.failures = 0
                self.last_error = None
                return None
            try:
                result = self.client.push(str(uuid.uuid4()), [item for _, item in rows])
            except TooLarge as exc:
                if len(rows) == 1:
                    # Even one response is refused as too large: a server limit IT must fix.
                    # It stays pending (never dropped) until then.
                    self._stop(f"{exc}, even for one response; ask IT to check the server")
                    return None
                limit = max(1, len(rows) // 2)
                continue
            except (Revoked, Refused) as exc:
                self._stop(str(exc))
                return None
            except Transient as exc:
                return self._wait(str(exc), exc.retry_after)

            ids = {rid for rid, _ in rows}
            refused = {item.id: item.reason for item in result.rejected}
            # Only what the server names as stored counts as sent; an id it names twice over
            # (stored *and* rejected) stays pending rather than trust a contradiction.
            sent = ((set(result.accepted) | set(result.duplicate)) & ids) - set(refused)
            rejected = {rid: reason for rid, reason in refused.items() if rid in ids}
            rejected = {rid: r for rid, r in rejected.items() if rid not in result.accepted}
            if not sent and not rejected:
                return self._wait("the central server acknowledged none of the responses sent")
            self.store.apply_results(sent, rejected)
            if rejected:
                log.warning("the server rejected %d responses", len(rejected))
            self.last_success = self._wallclock()
            self.failures = 0
            pushed += 1

    def _enroll(self) -> bool:
        if not self.enrollment_key:
            self._stop("this kiosk has no enrollment key; IT should set [sync] enrollment_key")
            return False
        try:
            reply = self.client.enroll(
                self.enrollment_key, self.identity.device_id, self.device_name, self.app_version
            )
        except (Revoked, Refused) as exc:
            self._stop(str(exc))
            return False
        except (Transient, TooLarge) as exc:
            self._wait(str(exc))
            return False
        self.identity.token = reply.device_token
        self.identity.server_url = self.client.base_url
        self.client.token = reply.device_token
        if self.data_dir is not None:
            save_identity(self.data_dir, self.identity)
        log.info("enrolled with the central server as %s", reply.ward_name)
        return True

    def _stop(self, reason: str) -> None:
        log.error("sync stopped: %s", reason)
        self.stopped = reason
        self.last_error = reason

    def _wait(self, reason: str, retry_after: float | None = None) -> float:
        self.last_error = reason
        self.failures += 1
        if retry_after is not None:
            delay = min(max(retry_after, 0.0), RETRY_AFTER_CAP)
        else:
            # Capped exponential backoff with jitter, so 200 kiosks do not return in step.
            ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (self.failures - 1))
            delay = ceiling * (0.5 + 0.5 * self._jitter())
        log.warning("sync will retry in %.0f s: %s", delay, reason)
        return delay
