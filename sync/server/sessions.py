"""Signing in to the web app and staying signed in: sign-in throttling per account and per
network address, server-side sessions (the cookie holds an id, the database its SHA-256) with
their CSRF tokens, and their expiry. All in the database, so server processes share them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.accounts import (
    LONGEST_PASSWORD,
    Actor,
    Clock,
    User,
    audit,
    aware,
    normalise_email,
    users_where,
    utc_now,
    verify_password,
)
from sync.server.schema import audit_log, users, web_sessions

SESSION_LIFETIME = timedelta(hours=8)
IDLE_LIMIT = timedelta(minutes=30)
# last_seen_at is written at most this often, to spare the database a write per page.
TOUCH_EVERY = timedelta(minutes=1)

FREE_TRIES = 5
FIRST_LOCK, LONGEST_LOCK = timedelta(minutes=1), timedelta(minutes=15)
# One minute doubled 4 times is past the longest lock already; the cap on the exponent keeps
# the arithmetic small however many failures pile up, and the counter itself stops here.
MOST_DOUBLINGS, MOST_FAILURES = 10, 1000
# Coarse, per network address: a whole trust may sign in from one address behind its proxy,
# so this stops a flood of guesses, not one clumsy office.
NETWORK_WINDOW, NETWORK_LIMIT = timedelta(minutes=15), 100
FAILED_SIGN_IN = "sign-in failed"


class Outcome(Enum):
    """How a sign-in ended. The sign-in page says WRONG the same way for an unknown email."""

    SIGNED_IN = "signed in"
    WRONG = "the email or password is not right"
    LOCKED = "the account is locked for a while"
    DISABLED = "the account is disabled"
    NETWORK_LOCKED = "too many failures from this network address"


@dataclass(frozen=True)
class SignIn:
    """What became of a sign-in: with ``SIGNED_IN``, the new session's id (for the cookie
    only; the database keeps its SHA-256) and its user; when locked, ``retry_at``."""

    outcome: Outcome
    session_id: str = ""
    user: User | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who it is, and the token its forms must carry."""

    user: User
    csrf_token: str
    expires_at: datetime


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def lock_for(failures: int) -> timedelta:
    """How long an account is locked after *failures* wrong passwords in a row (5 or more)."""
    doublings = min(max(failures - FREE_TRIES, 0), MOST_DOUBLINGS)
    return min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)


@dataclass(frozen=True)
class _Claim:
    user_id: int
    password_hash: str | None
    disabled: bool
    locked_until: datetime | None = None


class Sessions:
    """Signing in, and the sessions it starts, over one database.

    Attributes:
        engine: the server's database.
        now: the clock (UTC); tests pass their own.
    """

    def __init__(self, engine: Engine, now: Clock = utc_now) -> None:
        self.engine = engine
        self.now = now

    def sign_in(self, email: str, password: str, address: str = "", ending: str = "") -> SignIn:
        """Check a password and, if right, start a new session (ending the session *ending*,
        the one the browser had before, so no session id survives a sign-in)."""
        now, email = self.now(), normalise_email(email)
        retry_at = self._network_locked(address, now)
        if retry_at:
            return SignIn(Outcome.NETWORK_LOCKED, retry_at=retry_at)
        claim = self._claim(email, now) if len(email) <= 254 else None
        if claim is not None and claim.locked_until:
            return SignIn(Outcome.LOCKED, retry_at=claim.locked_until)
        # An over-long password is checked as "" (never right), so it costs one hash too.
        typed = password if len(password) <= LONGEST_PASSWORD else ""
        right = verify_password(typed, claim.password_hash if claim else None)
        if claim is None or not right:
            with self.engine.begin() as conn:
                who = Actor(email, claim.user_id) if claim else Actor("(unknown email)")
                audit(conn, who, FAILED_SIGN_IN, _from(address), now)
            return SignIn(Outcome.WRONG)
        if claim.disabled:
            return SignIn(Outcome.DISABLED)
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                users.update()
                .where(users.c.id == claim.user_id)
                .values(failed_logins=0, locked_until=None, last_login_at=now)
            )
            conn.execute(
                web_sessions.delete().where(
                    (web_sessions.c.id_hash == session_hash(ending))
                    | (web_sessions.c.expires_at <= now)
                    | (web_sessions.c.last_seen_at <= now - IDLE_LIMIT)
                )
            )
            conn.execute(
                web_sessions.insert().values(
                    id_hash=session_hash(session_id),
                    user_id=claim.user_id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
            audit(conn, Actor(email, claim.user_id), "signed in", _from(address), now)
            user = users_where(conn, users.c.id == claim.user_id)[0]
        return SignIn(Outcome.SIGNED_IN, session_id=session_id, user=user)

    def _claim(self, email: str, now: datetime) -> _Claim | None:
        """Count an attempt before the password is checked, in one statement, so parallel
        guesses each use up a try; from the fifth the account is locked at once, and only
        the right password lifts it. None for an unknown email."""
        with self.engine.begin() as conn:
            counted = conn.execute(
                users.update()
                .where(
                    users.c.email == email,
                    sa.or_(users.c.locked_until.is_(None), users.c.locked_until <= now),
                )
                .values(
                    failed_logins=sa.case(
                        (users.c.failed_logins < MOST_FAILURES, users.c.failed_logins + 1),
                        else_=users.c.failed_logins,
                    )
                )
            ).rowcount
            row = conn.execute(sa.select(users).where(users.c.email == email)).first()
            if row is None:
                return None
            if not counted:
                return _Claim(row.id, None, False, aware(row.locked_until))
            if row.failed_logins >= FREE_TRIES:
                conn.execute(
                    users.update()
                    .where(users.c.id == row.id)
                    .values(locked_until=now + lock_for(row.failed_logins))
                )
            return _Claim(row.id, row.password_hash, row.disabled_at is not None)

    def _network_locked(self, address: str, now: datetime) -> datetime | None:
        """When this address may try again, if it has failed too often lately."""
        if not address:
            return None
        since = now - NETWORK_WINDOW
        with self.engine.connect() as conn:
            count, first = conn.execute(
                sa.select(sa.func.count(), sa.func.min(audit_log.c.at)).where(
                    audit_log.c.at > since,
                    audit_log.c.action == FAILED_SIGN_IN,
                    audit_log.c.detail == _from(address),
                )
            ).one()
        first = aware(first)
        return first + NETWORK_WINDOW if count >= NETWORK_LIMIT and first else None

    # -- sessions -------------------------------------------------------------------------

    def session(self, session_id: str) -> Session | None:
        """The live session with this id, or None: unknown, past its 8 hours, idle for 30
        minutes, or its user disabled (an ended session is deleted)."""
        if not session_id or len(session_id) > 128:
            return None
        now, key = self.now(), session_hash(session_id)
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(web_sessions, users.c.disabled_at)
                .join(users, users.c.id == web_sessions.c.user_id)
                .where(web_sessions.c.id_hash == key)
            ).first()
            if row is None:
                return None
            expires_at, last_seen = aware(row.expires_at), aware(row.last_seen_at)
            assert expires_at is not None and last_seen is not None
            if expires_at <= now or last_seen + IDLE_LIMIT <= now or row.disabled_at:
                conn.execute(web_sessions.delete().where(web_sessions.c.id_hash == key))
                return None
            if now - last_seen >= TOUCH_EVERY:
                conn.execute(
                    web_sessions.update()
                    .where(web_sessions.c.id_hash == key)
                    .values(last_seen_at=now)
                )
            user = users_where(conn, users.c.id == row.user_id)[0]
        return Session(user, row.csrf_token, expires_at)

    def sign_out(self, session_id: str) -> None:
        """End a session on the server, so its cookie is worthless even if kept."""
        now = self.now()
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(web_sessions.c.user_id, users.c.email)
                .join(users, users.c.id == web_sessions.c.user_id)
                .where(web_sessions.c.id_hash == session_hash(session_id))
            ).first()
            if row is not None:
                conn.execute(
                    web_sessions.delete().where(web_sessions.c.id_hash == session_hash(session_id))
                )
                audit(conn, Actor(row.email, row.user_id), "signed out", "", now)


def _from(address: str) -> str:
    return f"from {address}" if address else ""
