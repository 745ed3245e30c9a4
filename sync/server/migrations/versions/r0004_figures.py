"""Figures kept as batches arrive: responses per ward and month, per ward and day, and theme
chips per ward and day (each also per kiosk, so kiosks never wait on each other's rows),
filled here from the responses already stored; and an index of responses by ward and date,
for one ward's comments and CSV.

From this revision on ingest adds every new response to the three tables in its own
transaction, so the reports and the web pages never count the responses themselves. That
leaves 0002's ``responses_by_date`` to no query, so the ward-and-date index replaces it:
the same number of indexes to update per insert as before. The backfill and the index build
run in the start-up transaction: on PostgreSQL they hold off inserts into ``responses``
until it commits, seconds for millions of rows.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WARD = ("org_code", "site_code", "ward_name")


def _ward_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("org_code", sa.String(9), primary_key=True),
        sa.Column("site_code", sa.String(9), primary_key=True),
        sa.Column("ward_name", sa.String(100), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "month_counts",
        *_ward_columns(),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("rating", sa.Integer, primary_key=True),
        sa.Column("mode", sa.String(32), primary_key=True),
        sa.Column("flagged", sa.Boolean, primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("month_counts_by_month", "month_counts", ["month"])
    op.create_table(
        "day_counts",
        *_ward_columns(),
        sa.Column("local_date", sa.Date, primary_key=True),
        sa.Column("rating", sa.Integer, primary_key=True),
        sa.Column("flagged", sa.Boolean, primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "theme_counts",
        *_ward_columns(),
        sa.Column("local_date", sa.Date, primary_key=True),
        sa.Column("theme", sa.String(40), primary_key=True),
        sa.Column("flagged", sa.Boolean, primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("responses_by_ward_date", "responses", [*_WARD, "local_date", "answered_at"])
    op.drop_index("responses_by_date", table_name="responses")
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    # Written out per dialect, frozen with the revision: later code may count differently.
    ward = ", ".join(_WARD)
    device = "responses.device_id"
    flagged = "flags <> '[]'"  # ingest stores flags as a sorted JSON list, "[]" for none
    if conn.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', local_date) AS DATE)"
        themes = (
            "responses CROSS JOIN LATERAL "
            "jsonb_array_elements_text(CAST(answers AS JSONB) -> 'themes') AS chips(theme)"
        )
    else:
        month = "date(local_date, 'start of month')"
        # json_each's own columns include "id": responses.id is named in full below.
        themes = "responses, json_each(responses.answers, '$.themes') AS chips"
    chip = "chips.theme" if conn.dialect.name == "postgresql" else "chips.value"
    conn.exec_driver_sql(
        f"INSERT INTO month_counts ({ward}, month, rating, mode, flagged, device_id, n) "
        f"SELECT {ward}, {month}, rating, mode, {flagged}, {device}, COUNT(*) FROM responses "
        f"GROUP BY {ward}, {month}, rating, mode, {flagged}, {device}"
    )
    conn.exec_driver_sql(
        f"INSERT INTO day_counts ({ward}, local_date, rating, flagged, device_id, n) "
        f"SELECT {ward}, local_date, rating, {flagged}, {device}, COUNT(*) FROM responses "
        f"GROUP BY {ward}, local_date, rating, {flagged}, {device}"
    )
    # A chip listed twice in one response counts once, as ingest counts it.
    conn.exec_driver_sql(
        f"INSERT INTO theme_counts ({ward}, local_date, theme, flagged, device_id, n) "
        f"SELECT {ward}, local_date, {chip}, {flagged}, {device}, COUNT(DISTINCT responses.id) "
        f"FROM {themes} GROUP BY {ward}, local_date, {chip}, {flagged}, {device}"
    )


def downgrade() -> None:
    op.create_index("responses_by_date", "responses", ["local_date"])
    op.drop_index("responses_by_ward_date", table_name="responses")
    op.drop_table("theme_counts")
    op.drop_table("day_counts")
    op.drop_index("month_counts_by_month", table_name="month_counts")
    op.drop_table("month_counts")
