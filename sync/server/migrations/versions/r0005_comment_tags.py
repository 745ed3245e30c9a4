"""Comment tags: themes and sentiment per response with the model that gave them, people's
corrections kept apart, and what the after-ingest tagging worker needs to find its work.

Work is found per batch: ``batches.tagged_at`` is NULL until the batch's comments are tagged
(``handed_at`` says when they were first handed to the alerts, which happens even while the
model cannot load). Ingest's statements stay as they were (the new columns start NULL) and
the worker reads a small partial index of the batches still to tag, then their comments
through a partial index over commented responses only. Batches stored before this revision
count as done: their comments were never new to anyone here, so they raise no alerts, and
``tag-comments --retag`` tags them. ``tagger_status`` is the one row every server process's
worker writes what its model is doing to, for the web app's banner.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_tags",
        sa.Column("response_id", sa.String(36), primary_key=True),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("sentiment", sa.Integer),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("comment_tags_by_version", "comment_tags", ["model_version"])
    op.create_table(
        "tag_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("response_id", sa.String(36), nullable=False),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("sentiment", sa.Integer),
        sa.Column("corrected_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("tag_corrections_by_response", "tag_corrections", ["response_id"])
    op.create_table(
        "tagger_status",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("model_version", sa.String(64)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('ready', 'broken', 'off')", name="tagger_status_state"),
    )
    op.add_column("batches", sa.Column("handed_at", sa.DateTime(timezone=True)))
    op.add_column("batches", sa.Column("tagged_at", sa.DateTime(timezone=True)))
    # Every batch stored so far counts as done: none of its comments is new.
    done = dt.datetime.now(dt.UTC)
    stored = sa.table(
        "batches",
        sa.column("handed_at", sa.DateTime(timezone=True)),
        sa.column("tagged_at", sa.DateTime(timezone=True)),
    )
    op.execute(stored.update().values(handed_at=done, tagged_at=done))
    untagged = sa.text("tagged_at IS NULL")
    op.create_index(
        "batches_to_tag",
        "batches",
        ["handed_at", "received_at"],
        sqlite_where=untagged,
        postgresql_where=untagged,
    )
    commented = sa.text("comment IS NOT NULL")
    op.create_index(
        "responses_commented_by_batch",
        "responses",
        ["batch_id"],
        sqlite_where=commented,
        postgresql_where=commented,
    )


def downgrade() -> None:
    op.drop_index("responses_commented_by_batch", table_name="responses")
    op.drop_index("batches_to_tag", table_name="batches")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("tagged_at")
        batch.drop_column("handed_at")
    op.drop_table("tagger_status")
    op.drop_index("tag_corrections_by_response", table_name="tag_corrections")
    op.drop_table("tag_corrections")
    op.drop_index("comment_tags_by_version", table_name="comment_tags")
    op.drop_table("comment_tags")
