"""The month reports' index: responses by ward date.

v1's ``responses_by_month`` leads with ``org_code``, which no report filters on, so the month
query (``local_date BETWEEN ...``) scanned the whole index. Nothing filters on the org alone,
so it is replaced rather than kept beside the new one: one index fewer to update per insert.
On PostgreSQL the build holds off inserts into ``responses`` until it commits (it runs in the
start-up transaction, so it cannot be CONCURRENTLY): seconds, even for millions of rows.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("responses_by_date", "responses", ["local_date"])
    op.drop_index("responses_by_month", table_name="responses")


def downgrade() -> None:
    op.create_index("responses_by_month", "responses", ["org_code", "local_date"])
    op.drop_index("responses_by_date", table_name="responses")
