"""The outbox loop: take the oldest pending batch, push it, apply the verdict, decide when next.

A response becomes ``sent`` only when the server's reply names it as accepted or duplicate.
Anything else (a crash, a timeout, a reply that makes no sense) leaves it pending, to be sent
again; the server's idempotency on response ids turns the resend into a ``duplicate``.
One response the server can never take must not hold up the rest: a refused or repeatedly
failing batch is split until the response is found, and it is set aside only once other
responses have gone through (see ``SyncEngine.sync``). Each batch carries what the kiosk
says of itself (``DeviceReport``); with nothing to send, a heartbeat carries it instead, at
most every ``HEARTBEAT_SECONDS``. The clock and the randomness are injected, so backoff and
heartbeats are tested without waiting.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sync.client import (
    WIRE_FIELDS,
    Refused,
    Revoked,
    ServerError,
    SyncClient,
    SyncError,
    TooLarge,
    Transient,
)
from sync.device import DeviceIdentity
from sync.enrolment import Enrolment, NotReady, Place
from sync.protocol import ERROR_LIMIT, DeviceReport, printable
from sync.status import SyncStatus

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0
BACKOFF_CAP = 300.0
RETRY_AFTER_CAP = 3600.0
# 5xx answers in a row, with nothing going through, before the batch is split to look for
# a response the server fails on. Fewer would split on every passing server restart.
SPLIT_AFTER_ERRORS = 3
# Single responses failing in a row, none going through in between: the server is failing
# everything, not these responses. Nothing is set aside on that evidence.
MAX_SUSPECTS = 3
# A kiosk with nothing to send says how it is this often, so IT sees it is alive (the server
# flags a kiosk silent after 24 hours) without 200 kiosks polling the server.
HEARTBEAT_SECONDS = 15 * 60.0


class Outbox(Protocol):
    """What the engine needs of the kiosk's store (``kiosk.store.LocalStore`` provides it)."""

    def pending_json(
        self, limit: int, fields: Sequence[str], *, skip: Collection[str] = ()
    ) -> list[tuple[str, str]]: ...

    def apply_results(
        self, sent: Iterable[str], rejected: Mapping[str, str] | None = None
    ) -> None: ...

    def defer(self, ids: Iterable[str], reason: str) -> None: ...

    def sync_counts(self) -> dict[str, int]: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SyncEngine:
    """Pushes one kiosk's pending responses to the central server.

    Attributes:
        batch_size: the most responses per batch (halved for the run after a 413).
        limit: the batch size while a response the server will not take is looked for;
            it doubles back to ``batch_size`` as batches go through.
        stopped: why syncing stopped (revoked, everything refused), until ``resume()``.
        notice: what happened to particular responses (refused, or set aside after the
            server failed on them), for staff; kept until a later batch goes through cleanly.
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
        place: Place | None = None,
        batch_size: int = 500,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        wallclock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.client = client
        self.identity = identity
        self.enrolment = Enrolment(
            client, identity, enrollment_key, device_name, app_version, data_dir, place
        )
        self.app_version = app_version
        self.batch_size = batch_size
        self.limit = batch_size
        self._clock = clock
        self._jitter = jitter
        self._wallclock = wallclock
        self.failures = 0
        self.server_errors = 0  # 5xx answers since a batch last went through
        self.stopped: str | None = None
        self.last_error: str | None = None
        self.notice: str | None = None
        self.last_success: datetime | None = None
        self._deferred: set[str] = set()  # set aside by this engine and still pending
        self._reported: float | None = None  # clock time of the last batch or heartbeat
        if identity.token and identity.server_url == client.base_url:
            client.token = identity.token
        client.reporter = self.device_report

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
            self.last_error or self.notice,
            self.identity.device_id if self.identity.token else "",
        )

    def device_report(self, sending: int = 0) -> DeviceReport | None:
        """What this kiosk tells the server of itself: its app version, the responses
        waiting besides the *sending* in the batch it goes with, and its last problem (as
        staff see it). None (and a log line) if that cannot be said: a report never holds
        up a batch."""
        error = printable(self.last_error or self.notice or "").strip()[:ERROR_LIMIT]
        try:
            waiting = self.store.sync_counts()["pending"] - sending
            return DeviceReport(
                app_version=self.app_version,
                pending=min(max(waiting, 0), 10**9),
                last_error=error or None,
            )
        except ValueError as exc:  # pydantic's ValidationError is one
            log.warning("sync: no device report this time: %s", exc)
            return None

    def _heartbeat(self) -> None:
        """Nothing to send: tell the server how this kiosk is, at most every
        ``HEARTBEAT_SECONDS``. Whatever happens, sync carries on as it was."""
        now = self._clock()
        if self._reported is not None and now - self._reported < HEARTBEAT_SECONDS:
            return
        self._reported = now  # a heartbeat that fails waits for the next one
        report = self.device_report()
        if report is None:
            return
        try:
            self.client.heartbeat(report)
        except Refused as exc:
            if exc.status == 404:  # a server from before protocol 1.1 has no heartbeat
                log.debug("sync: the central server takes no heartbeats")
            else:
                log.warning("sync: heartbeat refused: %s", exc)
        except SyncError as exc:
            log.info("sync: heartbeat not sent: %s", exc)

    # -- the loop ------------------------------------------------------------------------

    def sync(self, max_batches: int | None = None) -> float | None:
        """Push until nothing is ready to send, or something fails.

        One response the server can never take must not hold up the others, so it is
        looked for rather than retried at the head of the queue:

        - A batch of several is split, and split again, down to single responses: at once
          on ``Refused`` (a 4xx other than 401/403/413/429 is the same every time), and
          after ``SPLIT_AFTER_ERRORS`` 5xx answers in a row (``ServerError``).
        - A single response refused or failed on is the trouble if other responses went
          through in the same run, before it or after it (it is held back while the next
          are tried). A refused one is marked ``rejected`` with the server's reason (kept,
          shown to staff, never resent). One the server failed on is deferred: still
          pending, sent after every fresh response, on its own, with backoff. A 5xx never
          makes a response ``rejected``.
        - If nothing went through (``MAX_SUSPECTS`` single responses failed in a row, or
          there was nothing else to try), it may be the server: nothing is set aside. A 5xx
          waits; refusals of everything stop sync until ``resume()``.
        - No answer at all (no network, a timeout) or busy (429, 503) only waits: the
          network says nothing about a response. 401/403 stop (the device was revoked).

        :param max_batches: stop after this many batches and return 0, so a caller can
            report progress and stay responsive between slices of a long backlog.
        :returns: seconds to wait before the next attempt (0: carry on now); None when
            there is nothing more to do now (all sent, or stopped).
        """
        if self.stopped:
            return None
        try:
            self.enrolment.ready()
        except NotReady as exc:
            if exc.stop:
                self._stop(str(exc))
                return None
            return self._wait(str(exc))
        cap = self.batch_size  # this run's ceiling, halved after each 413
        suspects: dict[str, SyncError] = {}  # single responses held back, with what they got
        notes = _Notes()
        went_through = False
        pushed = 0
        while True:
            if max_batches is not None and pushed >= max_batches:
                return 0.0
            # Responses set aside in this run wait for the next, so a run always ends.
            skip = (*suspects, *notes.deferred)
            rows = self.store.pending_json(min(cap, self.limit), WIRE_FIELDS, skip=skip)
            if not rows:
                if suspects:  # nothing else to try, so nothing to tell them from the server
                    return self._inconclusive(suspects, everything=False)
                if notes.deferred:
                    return self._wait(str(notes))
                self.failures = 0
                self.last_error = None
                if not went_through:  # a batch that went through said it all
                    self._heartbeat()
                return None
            ids = [rid for rid, _ in rows]
            try:
                result = self.client.push(str(uuid.uuid4()), [item for _, item in rows])
            except TooLarge as exc:
                if len(rows) == 1:
                    # Even one response is refused as too large: a server limit IT must fix.
                    # It stays pending (never dropped) until then.
                    self._stop(f"{exc}, even for one response; ask IT to check the server")
                    return None
                cap = max(1, len(rows) // 2)
                continue
            except Revoked as exc:
                self._stop(str(exc))
                return None
            except (Refused, ServerError) as exc:
                if isinstance(exc, ServerError):
                    self.server_errors += 1
                    narrowing = self.limit < self.batch_size
                    if self.server_errors < SPLIT_AFTER_ERRORS and not narrowing:
                        return self._wait(self._failed_message(ids, exc))
                if len(ids) > 1:
                    self.limit = max(1, len(ids) // 2)
                    continue
                suspects[ids[0]] = exc
                if went_through:  # others went through just before: it is this response
                    self._set_aside(suspects, notes)
                elif len(suspects) >= MAX_SUSPECTS:
                    return self._inconclusive(suspects, everything=True)
                continue
            except Transient as exc:
                return self._wait(str(exc), exc.retry_after)

            wanted = set(ids)
            refused = {item.id: item.reason for item in result.rejected}
            # Only what the server names as stored counts as sent; an id it names twice over
            # (stored *and* rejected) stays pending rather than trust a contradiction.
            sent = ((set(result.accepted) | set(result.duplicate)) & wanted) - set(refused)
            rejected = {rid: reason for rid, reason in refused.items() if rid in wanted}
            rejected = {rid: r for rid, r in rejected.items() if rid not in result.accepted}
            if not sent and not rejected:
                return self._wait("the central server acknowledged none of the responses sent")
            self.store.apply_results(sent, rejected)
            self._deferred -= sent | rejected.keys()
            if rejected:
                notes.refused.update(rejected)
                self._tell(notes)
            elif not notes:
                self.notice = None  # a clean batch: what happened earlier is behind us
            # The server took this batch, so the responses held back are the trouble, not it.
            self._set_aside(suspects, notes)
            went_through = True
            self._reported = self._clock()
            self.last_success = self._wallclock()
            self.last_error = None  # the next batch's report says the trouble is over
            self.failures = 0
            self.server_errors = 0
            self.limit = min(self.batch_size, self.limit * 2)
            pushed += 1

    def _set_aside(self, suspects: dict[str, SyncError], notes: _Notes) -> None:
        """Other responses went through, so the ones held back are the trouble: mark the
        refused ones ``rejected`` and defer the ones the server failed on."""
        refused = {rid: exc.detail for rid, exc in suspects.items() if isinstance(exc, Refused)}
        failing = {
            rid: str(exc.status) for rid, exc in suspects.items() if isinstance(exc, ServerError)
        }
        suspects.clear()
        if refused:
            self.store.apply_results((), refused)
            notes.refused.update(refused)
        if failing:
            self.store.defer(failing, "the central server failed on it while others went through")
            self._deferred.update(failing)
            notes.deferred.update(failing)
        if refused or failing:
            self._tell(notes)

    def _tell(self, notes: _Notes) -> None:
        self.notice = str(notes)
        log.warning("sync: %s", self.notice)

    def _failed_message(self, ids: Sequence[str], exc: ServerError) -> str:
        if set(ids) <= self._deferred:
            return str(_Notes(deferred=dict.fromkeys(ids, str(exc.status))))
        return str(exc)

    def _inconclusive(self, suspects: dict[str, SyncError], everything: bool) -> float | None:
        """Responses were held back, but nothing went through to show they are the trouble:
        set none aside. Stop if everything is refused, else wait and try them again.

        :param everything: ``MAX_SUSPECTS`` failed in a row (rather than none left to try).
        """
        count = len(suspects)
        last = list(suspects.values())[-1]
        held = set(suspects)
        suspects.clear()
        if isinstance(last, Refused):
            if everything:
                self._stop(
                    f"{last}, for {count} responses in a row; nothing was marked refused; "
                    "ask IT to check the central server"
                )
                return None
            return self._wait(f"{last}; it is kept on this kiosk and will be tried again")
        if isinstance(last, ServerError):
            return self._wait(self._failed_message(list(held), last))
        return self._wait(str(last))

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


@dataclass
class _Notes:
    """What one sync run did with particular responses, as staff will read it.

    Attributes:
        refused: id to the server's reason, now ``rejected``.
        deferred: id to the 5xx status the server failed on it with, now sent last.
    """

    refused: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.refused or self.deferred)

    def __str__(self) -> str:
        notes = []
        if self.refused:
            one = len(self.refused) == 1
            notes.append(
                f"{_responses(len(self.refused))} {'was' if one else 'were'} refused by the "
                f"central server ({_reasons(self.refused.values())}); "
                f"{'it is' if one else 'they are'} kept on this kiosk and not sent again"
            )
        if self.deferred:
            one = len(self.deferred) == 1
            notes.append(
                f"{_responses(len(self.deferred))} could not be stored by the central server "
                f"(error {_reasons(self.deferred.values())}); {'it is' if one else 'they are'} "
                "kept on this kiosk and will be retried after the others"
            )
        return "; ".join(notes)


def _responses(count: int) -> str:
    return "1 response" if count == 1 else f"{count} responses"


def _reasons(reasons: Iterable[str]) -> str:
    distinct = list(dict.fromkeys(reasons))
    return distinct[0] + (" and other reasons" if len(distinct) > 1 else "")
