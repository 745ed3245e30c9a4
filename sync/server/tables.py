"""The server's tables as the code uses them today, at the newest revision.

These describe the schema the migrations build; they never create it (``schema`` brings a
database up to date, and re-exports every name here).
"""

from __future__ import annotations

import sqlalchemy as sa

# -- the tables, at the newest revision --------------------------------------------------
# A change here needs its revision in migrations/versions (tests/server/test_schema.py
# compares the two).

metadata = sa.MetaData()

#: Frozen at 1, the last version the pre-Alembic migrator wrote; ``alembic_version`` says
#: which revision the schema is at.
schema_version = sa.Table(
    "schema_version", metadata, sa.Column("version", sa.Integer, nullable=False)
)

enrollment_keys = sa.Table(
    "enrollment_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("uses_left", sa.Integer),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("app_version", sa.String(40), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("key_id", sa.Integer, sa.ForeignKey("enrollment_keys.id")),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    # Revision 0003: what the kiosk last said of itself (heartbeat, or with a batch).
    sa.Column("last_batch_at", sa.DateTime(timezone=True)),
    sa.Column("pending_on_device", sa.Integer),
    sa.Column("last_sync_error", sa.String(500)),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("survey_version", sa.Integer, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("mode", sa.String(32), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("flags", sa.Text, nullable=False),
    # Revision 0004: one ward's comments and CSV for a period, newest first from the index.
    # It replaced 0002's responses_by_date, which only the month reports used: they read
    # month_counts now, and one index fewer to update keeps each batch as quick as before.
    sa.Index(
        "responses_by_ward_date", "org_code", "site_code", "ward_name", "local_date", "answered_at"
    ),
    # Revision 0005: a batch's comments, for the tagging worker; commented responses only,
    # so responses without a comment cost ingest no index entry.
    sa.Index(
        "responses_commented_by_batch",
        "batch_id",
        sqlite_where=sa.text("comment IS NOT NULL"),
        postgresql_where=sa.text("comment IS NOT NULL"),
    ),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("device_id", sa.String(36), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("duplicate", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    # Revision 0005: the tagging worker's progress, NULL until done (ingest leaves them so).
    # handed_at: the batch's comments went to the alerts; tagged_at: they were tagged.
    sa.Column("handed_at", sa.DateTime(timezone=True)),
    sa.Column("tagged_at", sa.DateTime(timezone=True)),
    # The batches still to tag; those not yet handed to the alerts (handed_at NULL) first.
    sa.Index(
        "batches_to_tag",
        "handed_at",
        "received_at",
        sqlite_where=sa.text("tagged_at IS NULL"),
        postgresql_where=sa.text("tagged_at IS NULL"),
    ),
)

# -- revision 0003: the web app's people, their sessions and what they did ----------------

#: A person who signs in to the web app. Local accounts have a password hash; a future NHS
#: single sign-on (OIDC with Entra ID) account has ``auth_provider`` "oidc", the token's
#: ``sub`` in ``external_subject`` and no password, with no schema change.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("auth_provider", sa.String(20), nullable=False, server_default="local"),
    sa.Column("external_subject", sa.String(255)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    sa.Column("password_changed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("role IN ('admin', 'ward')", name="users_role"),
    sa.UniqueConstraint("auth_provider", "external_subject", name="users_external_subject"),
)

#: The wards a ``ward`` user may see.
user_wards = sa.Table(
    "user_wards",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
)

#: Server-side sessions, so several server processes share them and signing out ends them.
#: The cookie holds the session id; only its SHA-256 is stored.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("web_sessions_by_user", "user_id"),
)

#: Every admin action (web or command line): who, when, what.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Index("audit_log_by_time", "at"),
)

#: Months marked as submitted to NHS England, and by whom.
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("submissions_by_period", "period"),
)


# -- revision 0004: figures kept up to date as batches arrive ------------------------------
# Each batch's transaction adds its new responses to these (``ingest.add_counts``), so the
# reports and the web pages read a few thousand rows, never millions of responses; readers
# sum over ``device_id``. ``flagged``: the response had a flag (e.g. ``repeat-tap``), left
# out of the FFT figures. The rows are per kiosk (``device_id``) as well as per ward: an
# added-to row stays locked until its batch commits, so rows shared by every kiosk of a
# ward would make their batches wait on each other's commits, one at a time; a kiosk sends
# one batch at a time, so its own rows are never contended.

#: Responses per ward, month (its first day), rating, collection mode and flagged: the FFT
#: report and the overview's twelve months.
month_counts = sa.Table(
    "month_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("rating", sa.Integer, primary_key=True),
    sa.Column("mode", sa.String(32), primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    # The key leads with the ward (a ward's trend); a month across every ward needs this.
    sa.Index("month_counts_by_month", "month"),
)

#: Responses per ward, ward date, rating and flagged: a ward's daily responses.
day_counts = sa.Table(
    "day_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("rating", sa.Integer, primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

#: Responses that chose each theme chip, per ward, ward date and flagged.
theme_counts = sa.Table(
    "theme_counts",
    metadata,
    sa.Column("org_code", sa.String(9), primary_key=True),
    sa.Column("site_code", sa.String(9), primary_key=True),
    sa.Column("ward_name", sa.String(100), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("theme", sa.String(40), primary_key=True),
    sa.Column("flagged", sa.Boolean, primary_key=True),
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)


# -- revision 0005: comment tags ----------------------------------------------------------
# The tagging worker (``sync.server.tagging``) fills ``comment_tags`` after ingest; people's
# corrections are kept apart in ``tag_corrections`` (the latest row per response wins), so a
# retag never overwrites them and they can be exported as training data.

#: What the model said of a response's comment. ``themes``: a JSON array of framework
#: category names; ``sentiment``: 1 very positive .. 5 very negative.
comment_tags = sa.Table(
    "comment_tags",
    metadata,
    sa.Column("response_id", sa.String(36), primary_key=True),
    sa.Column("themes", sa.Text, nullable=False),
    sa.Column("sentiment", sa.Integer),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=False),
    # The tags a retag after a model update still has to redo.
    sa.Index("comment_tags_by_version", "model_version"),
)

#: A person's correction of a response's tags: the whole corrected set.
tag_corrections = sa.Table(
    "tag_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("response_id", sa.String(36), nullable=False),
    sa.Column("themes", sa.Text, nullable=False),
    sa.Column("sentiment", sa.Integer),
    sa.Column("corrected_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("tag_corrections_by_response", "response_id"),
)

#: One row (``id`` 1): what the servers' tagging workers last found their model doing, so
#: every server process's web pages can say so. ``state``: ready, broken (the model files
#: failed to load; ``detail`` says why and what to do) or off (no tagger installed).
tagger_status = sa.Table(
    "tagger_status",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("model_version", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('ready', 'broken', 'off')", name="tagger_status_state"),
)


# -- revision 0006: alerts and their deliveries ---------------------------------------------
# An alert is raised once (``dedupe_key`` is unique, so two server processes raising the same
# one both try and one row stands); the sender then makes one delivery per channel and
# recipient and works through them. Neither table ever holds a patient's words.

#: Something a ward's managers should know about: a comment (``response_id``) with
#: safeguarding words or tagged very negative, or a ward whose % negative jumped.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("response_id", sa.String(36)),
    # "response:<id>" for a comment, "negative_jump:<ward>:<period>" for a ward's jump.
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("details", sa.String(300), nullable=False),
    # Set when the sender has made this alert's deliveries (NULL: not yet, or not set up).
    sa.Column("queued_at", sa.DateTime(timezone=True)),
    sa.Column("acknowledged_by", sa.String(254)),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(
        "kind IN ('safeguarding', 'very_negative', 'negative_jump')", name="alerts_kind"
    ),
    sa.Index("alerts_by_time", "raised_at"),
    sa.Index("alerts_by_ward", "org_code", "site_code", "ward_name", "raised_at"),
    sa.Index("alerts_to_queue", "queued_at"),
)

#: One message to send: an alert (``alert_id``) or a digest of alerts held back by the rate
#: limit (``alert_id`` NULL, ``alerts_in_digest`` of them), to one ``recipient`` (an e-mail
#: address, or "webhook") on one ``channel`` (email | webhook). ``state``: pending, retrying
#: (a try failed; ``next_try_at`` says when again), sent, failed (given up on), held (over
#: the rate limit, waiting for a digest) or digested (went in digest ``digest_id``).
#: ``lease_until``: a sender has claimed it until then.
alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE")),
    sa.Column("org_code", sa.String(9), nullable=False),
    sa.Column("site_code", sa.String(9), nullable=False),
    sa.Column("ward_name", sa.String(100), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("recipient", sa.String(254), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(500)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("alerts_in_digest", sa.Integer, nullable=False, server_default="0"),
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("alert_deliveries.id", ondelete="SET NULL")),
    sa.CheckConstraint(
        "state IN ('pending', 'retrying', 'sent', 'failed', 'held', 'digested')",
        name="alert_deliveries_state",
    ),
    sa.Index("alert_deliveries_due", "state", "next_try_at"),
    sa.Index("alert_deliveries_by_alert", "alert_id"),
    # Messages sent to one recipient about one ward lately: the rate limit.
    sa.Index(
        "alert_deliveries_sent",
        "channel",
        "recipient",
        "org_code",
        "site_code",
        "ward_name",
        "sent_at",
    ),
)
