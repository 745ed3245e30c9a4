"""When the database cannot serve a request: which errors are passing (down, unreachable,
restarting, locked, full, every pooled connection busy), and the 503 that says so.

A 503 with ``Retry-After`` is what a kiosk takes as "busy: keep the responses and send them
later"; a 500 would have it look for a response the server cannot store. Errors that are not
passing (a missing table, a bug) stay 500s with their traceback in the log.
"""

from __future__ import annotations

import logging

from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from sync.protocol import API_PREFIX

log = logging.getLogger("sync.server")

#: How long a client is asked to wait.
RETRY_SECONDS = 30

#: No page template: the web app's page chrome itself reads the database.
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Try again shortly'
    "</title></head><body><h1>Try again shortly</h1><p>Feedback results cannot be shown just "
    "now because the server cannot reach its database. Try again in a minute. If this "
    "keeps happening, tell IT.</p></body></html>"
)

# PostgreSQL SQLSTATE classes and codes that pass: connection exceptions, insufficient
# resources (too many connections, disk full), operator intervention (shutting down,
# restarting), and a transaction rollback left after ingest's own retries.
_PASSING_CLASSES = ("08", "53", "57P", "40")
# SQLite's passing errors, by message: another process writing, the disk.
_PASSING_SQLITE = ("locked", "busy", "disk i/o", "disk is full", "unable to open")


def passing(exc: BaseException) -> bool:
    """Whether *exc* means the database cannot serve now but may shortly."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith(_PASSING_CLASSES)
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(words in str(exc.orig).lower() for words in _PASSING_SQLITE)
    return True  # no SQLSTATE from PostgreSQL: it could not be reached at all


def cause(exc: BaseException) -> str:
    """What went wrong, for the log, without the statement's parameters (a comment's words)."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0][:300]


def unavailable(path: str, exc: BaseException) -> Response:
    """The 503 for a request to *path* that failed with the passing error *exc*: JSON on the
    API, a short page elsewhere."""
    log.error("the database could not serve %s: %s", path, cause(exc))
    retry = {"Retry-After": str(RETRY_SECONDS)}
    if path.startswith(API_PREFIX):
        detail = (
            "the server cannot reach its database just now; send again later (responses "
            "already stored are never counted twice)"
        )
        return JSONResponse(status_code=503, content={"detail": detail}, headers=retry)
    return HTMLResponse(PAGE, status_code=503, headers=retry)
