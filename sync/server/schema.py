"""The server's tables as the code uses them today, and opening a database: connect, then
bring its schema up to date (v1 from ``schema_v1``, every later change an Alembic revision).

Every server process runs the bring-up as it starts, in one transaction under a database-wide
lock, so processes starting together never race and a half-applied migration never sticks.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from sync.server import schema_v1

# -- the tables, at the newest revision --------------------------------------------------
# These describe the schema the migrations build; they never create it. A change here needs
# its revision in migrations/versions (tests/server/test_schema.py compares the two).

metadata = sa.MetaData()

#: Frozen at 1, the last version the pre-Alembic migrator wrote; ``alembic_version`` says
#: which revision the schema is at.
schema_version = sa.Table(
    "schema_version", metadata, sa.Column("version", sa.Integer, nullable=False)
)

enrollment_keys = sa.Table(
    "enrollment_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("uses_left", sa.Integer),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("app_version", sa.String(40), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("key_id", sa.Integer, sa.ForeignKey("enrollment_keys.id")),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    # Revision 0003: what the kiosk last said of itself (heartbeat, or with a batch).
    sa.Column("last_batch_at", sa.DateTime(timezone=True)),
    sa.Column("pending_on_device", sa.Integer),
    sa.Column("last_sync_error", sa.String(500)),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("survey_version", sa.Integer, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("mode", sa.String(32), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("flags", sa.Text, nullable=False),
    # Revision 0004: one ward's comments and CSV for a period, newest first from the index.
    # It replaced 0002's responses_by_date, which only the month reports used: they read
    # month_counts now, and one index fewer to update keeps each batch as quick as before.
    sa.Index(
        "responses_by_ward_date", "org_code", "site_code", "ward_name", "local_date", "answered_at"
    ),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("duplicate", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
)

# -- revision 0003: the web app's people, their sessions and what they did ----------------

#: A person who signs in to the web app. Local accounts have a password hash; a future NHS
#: single sign-on (OIDC with Entra ID) account has ``auth_provider`` "oidc", the token's
#: ``sub`` in ``external_subject`` and no password, with no schema change.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("auth_provider", sa.String(20), nullable=False, server_default="local"),
    sa.Column("external_subject", sa.String(255)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    sa.Column("password_changed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("role IN ('admin', 'ward')", name="users_role"),
    sa.UniqueConstraint("auth_provider", "external_subject", name="users_external_subject"),
)

#: The wards a ``ward`` user may see.
user_wards = sa.Table(
    "user_wards",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
)

#: Server-side sessions, so several server processes share them and signing out ends them.
#: The cookie holds the session id; only its SHA-256 is stored.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("web_sessions_by_user", "user_id"),
)

#: Every admin action (web or command line): who, when, what.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Index("audit_log_by_time", "at"),
)

#: Months marked as submitted to NHS England, and by whom.
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("submissions_by_period", "period"),
)


# -- revision 0004: figures kept up to date as batches arrive ------------------------------
# Each batch's transaction adds its new responses to these (``ingest.add_counts``), so the
# reports and the web pages read a few thousand rows, never millions of responses; readers
# sum over ``device_id``. ``flagged``: the response had a flag (e.g. ``repeat-tap``), left
# out of the FFT figures. The rows are per kiosk (``device_id``) as well as per ward: an
# added-to row stays locked until its batch commits, so rows shared by every kiosk of a
# ward would make their batches wait on each other's commits, one at a time; a kiosk sends
# one batch at a time, so its own rows are never contended.

#: Responses per ward, month (its first day), rating, collection mode and flagged: the FFT
#: report and the overview's twelve months.
month_counts = sa.Table(
    "month_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("rating", sa.Integer, primary_key=True),
    sa.Column("mode", sa.String(32), primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    # The key leads with the ward (a ward's trend); a month across every ward needs this.
    sa.Index("month_counts_by_month", "month"),
)

#: Responses per ward, ward date, rating and flagged: a ward's daily responses.
day_counts = sa.Table(
    "day_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("rating", sa.Integer, primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

#: Responses that chose each theme chip, per ward, ward date and flagged.
theme_counts = sa.Table(
    "theme_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("theme", sa.String(40), primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)


# -- where the database is ---------------------------------------------------------------


def default_url() -> str:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("ward-sync-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


def database_url(value: str | None) -> str:
    """``--db`` as a SQLAlchemy URL: a URL as given, a plain path as a SQLite file."""
    if not value:
        return default_url()
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def open_database(url: str) -> Engine:
    """Connect, and create or migrate the schema."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            _wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        # No pre-ping: it costs a round trip per request; recycling handles stale connections.
        engine = sa.create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    migrate(engine)
    return engine


def _wal(cursor: Any) -> None:
    """Put the database in WAL mode. Switching needs a moment's exclusive lock, and SQLite
    answers "database is locked" at once, without its busy timeout, while another process
    holds one (several servers starting together on a new file): so try again for a while."""
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


# -- bringing the schema up to date ------------------------------------------------------

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The revision that stands for v1: a database from before Alembic is stamped with it.
BASELINE = "0001"


class SchemaError(RuntimeError):
    """The database's schema is not one this server can bring up to date; the message says
    why and what to do."""


def alembic_config() -> Config:
    """Alembic's settings for the server's migrations; no alembic.ini is read."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def migrate(engine: Engine, config: Config | None = None) -> str:
    """Bring the schema to the newest revision; returns the revision it is at.

    A fresh database gets v1 and then every revision; a v1 database from before Alembic is
    stamped as the baseline and takes the revisions after it. All of it is one transaction
    that first takes a database-wide lock, so when several server processes start together
    one does the work and the others then find it done.

    :param config: Alembic's settings; tests pass one with extra revisions.
    :raises SchemaError: for a schema this server does not know, e.g. one a newer server
        has already migrated.
    """
    config = config or alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename, and with foreign keys
            # enforced the drop fails for a table other rows refer to. SQLite only changes
            # this setting outside a transaction, so before the lock; checked before commit.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _lock_schema(conn)
            config.attributes["connection"] = conn
            _adopt_v1(conn, config)
            _refuse_unknown_revision(conn, config)
            command.upgrade(config, "head")
            if sqlite:
                _check_foreign_keys(conn)
            revision = MigrationContext.configure(conn).get_current_revision()
            conn.commit()
        finally:
            config.attributes.pop("connection", None)
            if sqlite:
                conn.rollback()  # after a failure; a no-op after the commit
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    return str(revision)


# Any fixed number: the key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x77617264


def _lock_schema(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Held until the transaction ends; unlike LOCK TABLE it needs no table to exist yet.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        # Take the write lock before reading anything, so two processes cannot both see
        # "no schema yet" (waits up to the connection's busy timeout for the other).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _adopt_v1(conn: Connection, config: Config) -> None:
    """Stamp a database made before Alembic (it has ``schema_version`` and no
    ``alembic_version``) as the baseline, so the upgrade starts after v1."""
    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" in tables or "schema_version" not in tables:
        return
    version = conn.execute(sa.select(schema_version.c.version)).scalar()
    if version != schema_v1.VERSION:
        raise SchemaError(
            f"the database's schema_version is {version}, which no release of this server "
            f"wrote (v1 was {schema_v1.VERSION}); restore it from a backup, or point --db at "
            "an empty database"
        )
    command.stamp(config, BASELINE)


def _refuse_unknown_revision(conn: Connection, config: Config) -> None:
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        return
    try:
        ScriptDirectory.from_config(config).get_revision(current)
    except CommandError:
        raise SchemaError(
            f"the database's schema is at revision {current}, which this server does not "
            "know: a newer release has migrated it. Run that release (or newer) against it"
        ) from None


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaError(
            f"a migration left {len(broken)} rows whose foreign keys point nowhere (first: "
            f"{tuple(broken[0])}); nothing was changed. Report this with the server's version"
        )
