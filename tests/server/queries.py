"""What tests and benchmarks ask of a server's database to check what it stored.

The server itself never needs these; they read the tables in ``sync.server.schema`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.schema import responses

_CHUNK = 500  # ids per IN (...) list, well inside every database's parameter limit


def count_responses(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(responses)).scalar_one())


def response_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row.id for row in conn.execute(sa.select(responses.c.id))]


def stored_ids(engine: Engine, ids: Iterable[str]) -> set[str]:
    """Which of *ids* the server has stored."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found.update(conn.scalars(sa.select(responses.c.id).where(responses.c.id.in_(chunk))))
    return found
