"""How Alembic runs the server's migrations: on the connection ``schema.migrate`` hands it,
inside that call's locked transaction, in batch mode so SQLite can alter tables.

Run by hand (``alembic -c sync/server/migrations/alembic.ini -x db=URL ...``), it opens the
URL itself; that is for writing revisions, never for bringing up a live database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from sync.server.schema import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("db")
    if not url:
        raise SystemExit(
            "give the database as -x db=URL; a live server's database is migrated by the "
            "server itself as it starts"
        )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            _migrate(conn)
            conn.commit()
    finally:
        engine.dispose()


def _migrate(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most of a table: batch mode rebuilds it by copy and rename.
        render_as_batch=True,
        compare_type=True,
    )
    # Inside schema.migrate's transaction this begins nothing: the caller commits.
    with context.begin_transaction():
        context.run_migrations()


# Alembic provides context.config while it runs this file; a plain import (a test walking
# every module, say) runs nothing.
if hasattr(context, "config"):
    run()
