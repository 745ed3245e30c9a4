"""The web app's people: accounts and roles, their scrypt password hashes, and the audit log
of what admins do. Qt-free and all in the database; signing in and sessions are ``sessions``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server.devices import Place
from sync.server.schema import audit_log, user_wards, users, web_sessions

Clock = Callable[[], datetime]
ROLES = ("admin", "ward")

# scrypt at n=2**14, r=8, p=1 takes about 50 ms and 16 MB: slow to guess, quick to sign in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
SHORTEST_PASSWORD, LONGEST_PASSWORD = 12, 1024
# The passwords tried first by anyone guessing (the NCSC's list starts with these), as they
# would be typed to pass a 12-character rule.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "1234567890123", "12345678910111213", "password1234", "password12345",
        "passwordpassword", "password123!", "qwertyuiop12", "qwertyuiop123", "qwerty123456",
        "iloveyou1234", "letmein12345", "welcome12345", "welcome123456", "changeme1234",
        "administrator", "administrator1", "abc123456789", "abcdefghijkl", "football1234",
        "monkey123456", "sunshine1234", "princess1234", "trustno11234", "nhspassword1",
        "nhspassword123", "password2024", "password2025", "password2026", "password2027",
    }
)  # fmt: skip
PASSWORD_ADVICE = "for example three or four random words"

#: Who did something, for the audit log.
COMMAND_LINE = "command line"


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AccountError(ValueError):
    """An account change that cannot be made; the message is a sentence saying what to do."""


# -- passwords -----------------------------------------------------------------------------


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    secret = password.encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=2**26)


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str | None) -> bool:
    """Whether *password* matches *stored*, in constant time. With no usable hash (an unknown
    email, a single sign-on account) a dummy hash is checked, so the time taken is the same."""
    parts = (stored or "").split("$")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        usable = (
            len(parts) == 6
            and parts[0] == "scrypt"
            and n in {2**k for k in range(10, 21)}
            and 1 <= r <= 32
            and 1 <= p <= 16
            and 16 <= len(digest) <= 64
        )
    except (ValueError, IndexError):
        usable = False
    if not usable:
        verify_password(password, _dummy_hash())
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(digest)), digest)


def password_problem(password: str, email: str = "") -> str | None:
    """Why *password* may not be used, as a sentence; None when it may."""
    if len(password) < SHORTEST_PASSWORD:
        return (
            f"the password is {len(password)} characters long: use at least "
            f"{SHORTEST_PASSWORD} characters, {PASSWORD_ADVICE}"
        )
    if len(password) > LONGEST_PASSWORD:
        return f"the password is over {LONGEST_PASSWORD} characters: use a shorter one"
    folded = password.casefold()
    local = email.partition("@")[0].casefold()
    if folded in COMMON_PASSWORDS or len(set(folded)) < 4 or (len(local) > 3 and local in folded):
        return (
            "that password is too easy to guess (a common one, a repeated character, or "
            f"your email address): choose another, {PASSWORD_ADVICE}"
        )
    return None


# -- people --------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """Emails are kept lower-cased and trimmed, so sign-in ignores case and stray spaces."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        return f"{email!r} is not an email address: write it as name@trust.nhs.uk"
    return None


@dataclass(frozen=True)
class User:
    """A person who signs in to the web app.

    Attributes:
        role: ``admin`` (the whole trust) or ``ward`` (only ``wards``).
        wards: the places a ward user may see; empty for an admin.
    """

    id: int
    email: str
    display_name: str
    role: str
    wards: frozenset[Place]
    created_at: datetime
    disabled_at: datetime | None = None
    last_login_at: datetime | None = None
    locked_until: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @property
    def scope(self) -> frozenset[Place] | None:
        """The wards this user may see, as ``figures.Scope``: None means every ward."""
        return None if self.is_admin else self.wards

    def may_see(self, place: Place) -> bool:
        return self.is_admin or place in self.wards


@dataclass(frozen=True)
class Actor:
    """Who an audited action is by: a signed-in user, or someone at the command line."""

    name: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.email, user.id)


CLI = Actor(COMMAND_LINE)


def audit(conn: Connection, actor: Actor, action: str, detail: str, at: datetime) -> None:
    """Record an admin action in ``audit_log``, in the caller's transaction."""
    conn.execute(
        audit_log.insert().values(
            at=at, user_id=actor.user_id, actor=actor.name[:254], action=action, detail=detail
        )
    )


class Accounts:
    """The web app's users over one database: adding, listing, disabling, new passwords.

    Attributes:
        engine: the server's database.
        now: the clock (UTC); tests pass their own.
    """

    def __init__(self, engine: Engine, now: Clock = utc_now) -> None:
        self.engine = engine
        self.now = now

    # -- users ----------------------------------------------------------------------------

    def create_user(
        self,
        email: str,
        role: str,
        password: str,
        wards: Iterable[Place] = (),
        display_name: str = "",
        actor: Actor = CLI,
    ) -> User:
        """Add a user; :raises AccountError: with what to change."""
        email, wards = normalise_email(email), frozenset(wards)
        problem = email_problem(email) or password_problem(password, email)
        if role not in ROLES:
            problem = f"the role {role!r} is not one of {', '.join(ROLES)}"
        elif role == "ward" and not wards:
            problem = "a ward user needs at least one ward (--ward ORG/SITE/WARD_NAME)"
        elif role == "admin" and wards:
            problem = "an admin sees every ward: leave out --ward"
        if problem:
            raise AccountError(problem)
        now = self.now()
        password_hash = hash_password(password)
        try:
            with self.engine.begin() as conn:
                user_id = self._insert_user(conn, email, role, password_hash, wards, display_name)
                shown = "; ".join(place_words(place) for place in sorted(wards, key=place_order))
                audit(conn, actor, "user created", f"{email} ({role}) {shown}".strip(), now)
                return users_where(conn, users.c.id == user_id)[0]
        except sa.exc.IntegrityError:
            raise AccountError(f"there is already a user {email}; see `users list`") from None

    def _insert_user(
        self,
        conn: Connection,
        email: str,
        role: str,
        password_hash: str,
        wards: frozenset[Place],
        display_name: str,
    ) -> int:
        now = self.now()
        key = conn.execute(
            users.insert().values(
                email=email,
                display_name=display_name.strip()[:100],
                role=role,
                password_hash=password_hash,
                created_at=now,
                password_changed_at=now,
            )
        ).inserted_primary_key
        assert key is not None
        user_id = int(key[0])
        if wards:
            conn.execute(
                user_wards.insert(),
                [{"user_id": user_id, **asdict(place)} for place in wards],
            )
        return user_id

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return users_where(conn, sa.true())

    def user(self, email: str) -> User | None:
        with self.engine.connect() as conn:
            found = users_where(conn, users.c.email == normalise_email(email))
        return found[0] if found else None

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            found = users_where(conn, users.c.id == user_id)
        return found[0] if found else None

    def disable(self, email: str, actor: Actor = CLI) -> User:
        """Turn a user off: they cannot sign in, and their sessions end now."""
        user = self._existing(email)
        if user.disabled_at is not None:
            raise AccountError(f"{user.email} is already disabled")
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user.id).values(disabled_at=now))
            conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user.id))
            audit(conn, actor, "user disabled", user.email, now)
        return self._existing(email)

    def reset_password(self, email: str, password: str, actor: Actor = CLI) -> User:
        """Give a user a new password; it lifts any lock, and their sessions end."""
        user = self._existing(email)
        problem = password_problem(password, user.email)
        if problem:
            raise AccountError(problem)
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(
                users.update()
                .where(users.c.id == user.id)
                .values(
                    password_hash=hash_password(password),
                    password_changed_at=now,
                    failed_logins=0,
                    locked_until=None,
                )
            )
            conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user.id))
            audit(conn, actor, "password reset", user.email, now)
        return self._existing(email)

    def _existing(self, email: str) -> User:
        user = self.user(email)
        if user is None:
            raise AccountError(f"there is no user {normalise_email(email)}; see `users list`")
        return user


# -- rows to users -------------------------------------------------------------------------


def users_where(conn: Connection, where: sa.ColumnElement[bool]) -> list[User]:
    rows = conn.execute(sa.select(users).where(where).order_by(users.c.email)).all()
    wards: dict[int, set[Place]] = {row.id: set() for row in rows}
    if rows:
        for ward in conn.execute(sa.select(user_wards).where(user_wards.c.user_id.in_(wards))):
            wards[ward.user_id].add(Place(ward.org_code, ward.site_code, ward.ward_name))
    return [
        User(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            role=row.role,
            wards=frozenset(wards[row.id]),
            created_at=aware(row.created_at) or row.created_at,
            disabled_at=aware(row.disabled_at),
            last_login_at=aware(row.last_login_at),
            locked_until=aware(row.locked_until),
        )
        for row in rows
    ]


def place_order(place: Place) -> tuple[str, str, str]:
    return (place.org_code, place.site_code, place.ward_name)


def place_words(place: Place) -> str:
    """``RWD/RWDLA/Ward 7``, as ``users create --ward`` takes it."""
    return f"{place.org_code}/{place.site_code}/{place.ward_name}"
