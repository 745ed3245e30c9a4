"""The background worker that tags new comments in one server process
(``tagging.run_once`` in a loop), started and stopped with the app.

The model runs in a child process at low priority (``ChildTagger``), so the tagging's CPU
never holds this process's interpreter lock while a batch is being stored, and the operating
system gives ingest and the database the cores first. The worker starts a round only once its
process has stored no batch for ``QUIET_SECONDS``
(``TaggingWorker.ingesting``), or after ``MOST_DEFERRED`` seconds of waiting for that, and
rests between rounds: the tagging's CPU goes to the gaps between batches, not to slowing a
kiosk's acknowledgement. A model that failed to load is tried again every
``RELOAD_SECONDS``; what it came to is logged once per change.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.devices import now as utc_now
from sync.server.tagging import Model, State, load_model, record_status, run_once

if TYPE_CHECKING:
    from sync.analysis.tagger import Tagger, Tags

log = logging.getLogger("sync.server.tagging")

#: Seconds between looks for new batches when there is nothing to do.
POLL_SECONDS = 2.0
#: Seconds between tries to load a model that failed to load (it may have been repaired).
RELOAD_SECONDS = 300.0
#: After a round, the worker rests this many times as long as the round took before the
#: next, so a backlog is worked through at no more than a third of one core.
REST_FACTOR = 2.0
#: ...and this many times, when batches kept arriving in this process during the round: under
#: a sustained load several processes' rounds would otherwise take the CPU ingest needs (two
#: cores, three server processes: p99 went from 250 ms to 960 ms at 5,000 responses/s).
BUSY_REST_FACTOR = 10.0
#: A round starts once no batch has been stored in this process for this many seconds...
QUIET_SECONDS = 0.5
#: ...or after this many seconds of waiting for that: ingest comes first, and tagging still
#: moves under any load.
MOST_DEFERRED = 5.0
#: How much lower the child process's scheduling priority is (Unix ``nice``): the lowest,
#: about 1.5% of a contended core, so a round still ends (a round of 80 comments in about
#: two seconds on a saturated server) while ingest keeps the rest.
NICENESS = 19


class ChildTagger:
    """The model loaded and run in a child process of its own (spawned: the server process
    has threads, which a fork would copy mid-flight); ``close`` ends it."""

    def __init__(self, version: str, model_dir: Path | None) -> None:
        """Start the child and wait until it has loaded the model.

        :raises Exception: the child could not start or load the model (e.g. ModelError).
        """
        self.version = version
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_child,
            initargs=(model_dir,),
        )
        try:
            loaded = self._pool.submit(_child_version).result()
        except BaseException:
            self.close()
            raise
        if loaded != version:
            self.close()
            raise RuntimeError(f"the model files changed while loading (now {loaded})")

    def tag_all(
        self, texts: Sequence[str], ratings: Sequence[int | None] | None = None
    ) -> list[Tags]:
        given = list(ratings) if ratings is not None else None
        return self._pool.submit(_tag_in_child, list(texts), given).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_child_model: Tagger | None = None


def _start_child(model_dir: Path | None) -> None:
    global _child_model
    _lower_priority()
    from sync.analysis import tagger

    _child_model = tagger.load(model_dir)


def _lower_priority() -> None:
    """A lower priority (Unix ``nice``), not Linux's ``SCHED_IDLE``: an idle-class process
    waits for as long as the CPU stays busy, and on PostgreSQL a round holds its transaction,
    its row locks and one of the pool's connections while it waits for the tags. Elsewhere
    the usual priority."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)


def _child_version() -> str:
    if _child_model is None:
        raise RuntimeError("the tagging process has no model loaded")
    return _child_model.version


def _tag_in_child(texts: list[str], ratings: list[int | None] | None) -> list[Tags]:
    if _child_model is None:
        raise RuntimeError("the tagging process has no model loaded")
    return _child_model.tag_all(texts, ratings)


class TaggingWorker:
    """The thread that tags new comments in one server process; ``start`` and ``stop`` it
    with the app.

    :param model_dir: where the model is (default: the one shipped in the package).
    """

    def __init__(self, engine: Engine, model_dir: Path | None = None) -> None:
        self.engine = engine
        self.model_dir = model_dir
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._said: tuple[State, str] | None = None
        self._failed: tuple[str, str] | None = None
        # Rounds started, and the start number of the last round that found nothing to do.
        self._progress = threading.Condition()
        self._started = 0
        self._idle_since = -1
        # Batches being stored in this process now, and when the last one ended; _quiet is
        # set while none is being stored.
        self._storing = 0
        self._stored_at = -QUIET_SECONDS
        self._storing_lock = threading.Lock()
        self._quiet = threading.Event()
        self._quiet.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="comment-tagging", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its round and stop; waits up to *timeout* seconds."""
        self._stop.set()
        self._wake.set()
        self._quiet.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @contextlib.contextmanager
    def ingesting(self) -> Iterator[None]:
        """Around storing a batch: the worker starts no round meanwhile (for a while)."""
        with self._storing_lock:
            self._storing += 1
            self._quiet.clear()
        try:
            yield
        finally:
            with self._storing_lock:
                self._storing -= 1
                self._stored_at = time.monotonic()
                if not self._storing:
                    self._quiet.set()

    def _wait_for_quiet(self) -> None:
        """Until no batch has been stored here for QUIET_SECONDS, at most MOST_DEFERRED."""
        give_up = time.monotonic() + MOST_DEFERRED
        while not self._stop.is_set() and (left := give_up - time.monotonic()) > 0:
            with self._storing_lock:
                storing, since = self._storing, time.monotonic() - self._stored_at
            if storing:
                self._quiet.wait(left)
            elif since < QUIET_SECONDS:
                self._stop.wait(min(left, QUIET_SECONDS - since))
            else:
                return

    def caught_up(self, timeout: float = 30.0) -> bool:
        """Wake the worker and wait until a round begun after this call found nothing left
        to do; False if that took over *timeout* seconds."""
        with self._progress:
            after = self._started
        self._wake.set()
        with self._progress:
            return self._progress.wait_for(lambda: self._idle_since > after, timeout)

    def _run(self) -> None:
        child = self._load()
        loaded_at = time.monotonic()
        try:
            while not self._stop.is_set():
                if child is None and time.monotonic() - loaded_at >= RELOAD_SECONDS:
                    child, loaded_at = self._load(), time.monotonic()
                self._round(child)
        finally:
            if child is not None:
                child.close()

    def _round(self, child: ChildTagger | None) -> None:
        """Wait for a quiet moment, then tag what is waiting (with *child*, or hand it over
        untagged without one), then rest."""
        self._wait_for_quiet()
        with self._progress:
            self._started += 1
            round_number = self._started
        self._wake.clear()
        started = time.monotonic()
        try:
            done = run_once(self.engine, child, utc_now())
        except Exception as exc:
            # The database away or busy, or a fault: the round's transaction rolled back
            # and its batches wait for the next one. The thread carries on, saying so
            # once per problem rather than at every round.
            said = ("failed", str(exc))
            if said != self._failed:
                log.exception("comment tagging failed; it will try again")
                self._failed = said
            done = 0
        else:
            self._failed = None
        if not done:
            with self._progress:
                self._idle_since = round_number
                self._progress.notify_all()
        took = time.monotonic() - started
        with self._storing_lock:
            busy = self._storing > 0 or self._stored_at > started
        rest = took * (BUSY_REST_FACTOR if busy else REST_FACTOR)
        self._wake.wait(rest if done else POLL_SECONDS)

    def _load(self) -> ChildTagger | None:
        """Load the model, start its child process, and record and log what came of it."""
        model, child = load_model(self.model_dir), None
        if model.tagger is not None:
            try:
                child = ChildTagger(model.tagger.version, self.model_dir)
            except Exception as exc:
                model = Model(None, "broken", f"comment tagging is paused: {exc}")
        try:
            record_status(self.engine, model, utc_now())
        except sa.exc.SQLAlchemyError as exc:
            log.warning("could not record the comment tagger's state: %s", exc)
        said = (model.state, model.detail)
        if said != self._said:  # once per change, not at every try
            (log.info if model.state == "ready" else log.error)("%s", model.detail)
            self._said = said
        return child
