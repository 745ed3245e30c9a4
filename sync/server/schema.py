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

# Re-exported: the code imports the tables from here, beside opening the database.
from sync.server.tables import (
    alert_deliveries,
    alerts,
    audit_log,
    batches,
    comment_tags,
    day_counts,
    devices,
    enrollment_keys,
    metadata,
    month_counts,
    responses,
    schema_version,
    submissions,
    tag_corrections,
    tagger_status,
    theme_counts,
    user_wards,
    users,
    web_sessions,
)

__all__ = [
    "alert_deliveries",
    "alerts",
    "audit_log",
    "batches",
    "comment_tags",
    "day_counts",
    "devices",
    "enrollment_keys",
    "metadata",
    "month_counts",
    "responses",
    "schema_version",
    "submissions",
    "tag_corrections",
    "tagger_status",
    "theme_counts",
    "user_wards",
    "users",
    "web_sessions",
]


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
        # No overflow: a connection opened beyond the pool is closed when it is returned, so
        # under a sustained load every burst opened and closed connections (a new server
        # process and a password exchange each, about one batch in four at 5,000 responses/s,
        # which tipped two cores into falling behind). A batch waits for one of the pool's
        # connections instead; more transactions at once would not store more on two cores.
        # Ten per process keeps nine server processes inside PostgreSQL's 100 connections.
        # A batch waits at most 10 s for one (a kiosk gives up on an answer after 30 s),
        # then hears 503, busy (``database_errors``).
        engine = sa.create_engine(
            url, pool_size=10, max_overflow=0, pool_timeout=10, pool_recycle=1800
        )
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
