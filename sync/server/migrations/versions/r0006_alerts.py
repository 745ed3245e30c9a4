"""Alerts (a comment with safeguarding words or tagged very negative, a ward whose % negative
jumped), each raised once under a unique key, and their deliveries by e-mail and webhook.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def _ward_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("org_code", sa.String(9), nullable=False),
        sa.Column("site_code", sa.String(9), nullable=False),
        sa.Column("ward_name", sa.String(100), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        *_ward_columns(),
        sa.Column("response_id", sa.String(36)),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("raised_at", _WHEN, nullable=False),
        sa.Column("details", sa.String(300), nullable=False),
        sa.Column("queued_at", _WHEN),
        sa.Column("acknowledged_by", sa.String(254)),
        sa.Column("acknowledged_at", _WHEN),
        sa.CheckConstraint(
            "kind IN ('safeguarding', 'very_negative', 'negative_jump')", name="alerts_kind"
        ),
    )
    op.create_index("alerts_by_time", "alerts", ["raised_at"])
    op.create_index("alerts_by_ward", "alerts", ["org_code", "site_code", "ward_name", "raised_at"])
    op.create_index("alerts_to_queue", "alerts", ["queued_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE")),
        *_ward_columns(),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("next_try_at", _WHEN, nullable=False),
        sa.Column("lease_until", _WHEN),
        sa.Column("sent_at", _WHEN),
        sa.Column("alerts_in_digest", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "digest_id",
            sa.Integer,
            sa.ForeignKey("alert_deliveries.id", ondelete="SET NULL"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'retrying', 'sent', 'failed', 'held', 'digested')",
            name="alert_deliveries_state",
        ),
    )
    op.create_index("alert_deliveries_due", "alert_deliveries", ["state", "next_try_at"])
    op.create_index("alert_deliveries_by_alert", "alert_deliveries", ["alert_id"])
    op.create_index(
        "alert_deliveries_sent",
        "alert_deliveries",
        ["channel", "recipient", "org_code", "site_code", "ward_name", "sent_at"],
    )


def downgrade() -> None:
    op.drop_index("alert_deliveries_sent", table_name="alert_deliveries")
    op.drop_index("alert_deliveries_by_alert", table_name="alert_deliveries")
    op.drop_index("alert_deliveries_due", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("alerts_to_queue", table_name="alerts")
    op.drop_index("alerts_by_ward", table_name="alerts")
    op.drop_index("alerts_by_time", table_name="alerts")
    op.drop_table("alerts")
