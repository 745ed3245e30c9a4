"""Version 1 of the server's schema, frozen: the DDL the first release ran, per dialect.

Databases made before Alembic hold exactly this, and Alembic's baseline revision runs it on a
fresh database, so both start from the same tables. Never edit it: a change is a new revision
in ``sync/server/migrations/versions``. It is literal SQL so that neither an edit to the current
tables (``schema.py``) nor a new SQLAlchemy release can change what v1 was.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

#: What the pre-Alembic migrator wrote to ``schema_version`` once v1 was in place.
VERSION = 1

# The only words that differ between the dialects, as SQLAlchemy 2.0 rendered them for v1.
_WORDS = {
    "sqlite": {"serial": "INTEGER", "timestamp": "DATETIME"},
    "postgresql": {"serial": "SERIAL", "timestamp": "TIMESTAMP WITH TIME ZONE"},
}

_STATEMENTS = [
    """CREATE TABLE schema_version (
    version INTEGER NOT NULL
)""",
    """CREATE TABLE enrollment_keys (
    id {serial} NOT NULL,
    key_hash VARCHAR(64) NOT NULL,
    org_code VARCHAR(9) NOT NULL,
    site_code VARCHAR(9) NOT NULL,
    ward_name VARCHAR(100) NOT NULL,
    created_at {timestamp} NOT NULL,
    expires_at {timestamp},
    uses_left INTEGER,
    revoked_at {timestamp},
    PRIMARY KEY (id),
    UNIQUE (key_hash)
)""",
    """CREATE TABLE devices (
    device_id VARCHAR(36) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    name VARCHAR(100) NOT NULL,
    app_version VARCHAR(40) NOT NULL,
    org_code VARCHAR(9) NOT NULL,
    site_code VARCHAR(9) NOT NULL,
    ward_name VARCHAR(100) NOT NULL,
    key_id INTEGER,
    enrolled_at {timestamp} NOT NULL,
    last_seen_at {timestamp},
    revoked_at {timestamp},
    PRIMARY KEY (device_id),
    UNIQUE (token_hash),
    FOREIGN KEY(key_id) REFERENCES enrollment_keys (id)
)""",
    """CREATE TABLE responses (
    id VARCHAR(36) NOT NULL,
    device_id VARCHAR(36) NOT NULL,
    batch_id VARCHAR(36) NOT NULL,
    received_at {timestamp} NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    survey_id VARCHAR(64) NOT NULL,
    survey_version INTEGER NOT NULL,
    answered_at {timestamp} NOT NULL,
    local_date DATE NOT NULL,
    rating INTEGER NOT NULL,
    answers TEXT NOT NULL,
    comment TEXT,
    language VARCHAR(16) NOT NULL,
    mode VARCHAR(32) NOT NULL,
    org_code VARCHAR(9) NOT NULL,
    site_code VARCHAR(9) NOT NULL,
    ward_name VARCHAR(100) NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX responses_by_month ON responses (org_code, local_date)",
    """CREATE TABLE batches (
    batch_id VARCHAR(36) NOT NULL,
    device_id VARCHAR(36) NOT NULL,
    received_at {timestamp} NOT NULL,
    accepted INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    PRIMARY KEY (batch_id)
)""",
]


def statements(dialect: str) -> list[str]:
    """v1's DDL for ``sqlite`` or ``postgresql``, in the order it must run."""
    try:
        words = _WORDS[dialect]
    except KeyError:
        raise RuntimeError(
            f"the server keeps its data in SQLite or PostgreSQL, not {dialect}; give --db a "
            "SQLite file path or a postgresql+psycopg:// URL"
        ) from None
    return [statement.format(**words) for statement in _STATEMENTS]


def create(conn: Connection) -> None:
    """Create v1's tables and record ``schema_version`` 1, in the caller's transaction."""
    for statement in statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(f"INSERT INTO schema_version (version) VALUES ({VERSION})")
