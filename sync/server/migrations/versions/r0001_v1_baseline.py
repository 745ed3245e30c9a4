"""v1, the schema from before Alembic: created from the frozen DDL in ``schema_v1``.

A database made before Alembic already holds it and is stamped with this revision instead.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from sync.server import schema_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema_v1.create(op.get_bind())


def downgrade() -> None:
    # Going below v1 would drop every table and the responses in them.
    raise NotImplementedError("v1 is the oldest schema; restore a backup to go further back")
