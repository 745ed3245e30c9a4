"""The web app's accounts: users and their wards, server-side sessions, the admin audit log,
months marked as submitted; and what each kiosk last said of itself (its heartbeat).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("auth_provider", sa.String(20), nullable=False, server_default="local"),
        sa.Column("external_subject", sa.String(255)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("disabled_at", _WHEN),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", _WHEN),
        sa.Column("last_login_at", _WHEN),
        sa.Column("password_changed_at", _WHEN),
        sa.CheckConstraint("role IN ('admin', 'ward')", name="users_role"),
        sa.UniqueConstraint("auth_provider", "external_subject", name="users_external_subject"),
    )
    op.create_table(
        "user_wards",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("org_code", sa.String(9), primary_key=True),
        sa.Column("site_code", sa.String(9), primary_key=True),
        sa.Column("ward_name", sa.String(100), primary_key=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
    )
    op.create_index("web_sessions_by_user", "web_sessions", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("audit_log_by_time", "audit_log", ["at"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("marked_at", _WHEN, nullable=False),
    )
    op.create_index("submissions_by_period", "submissions", ["period"])
    with op.batch_alter_table("devices") as devices:
        devices.add_column(sa.Column("last_batch_at", _WHEN))
        devices.add_column(sa.Column("pending_on_device", sa.Integer))
        devices.add_column(sa.Column("last_sync_error", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("devices") as devices:
        devices.drop_column("last_sync_error")
        devices.drop_column("pending_on_device")
        devices.drop_column("last_batch_at")
    op.drop_index("submissions_by_period", table_name="submissions")
    op.drop_table("submissions")
    op.drop_index("audit_log_by_time", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("web_sessions_by_user", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("user_wards")
    op.drop_table("users")
