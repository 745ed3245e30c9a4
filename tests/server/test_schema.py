"""The schema's life: v1 frozen, every later change an Alembic revision run at start-up.

A database the first release made upgrades and keeps its rows; a fresh database ends up the
same as an upgraded one; the tables the code uses match what the migrations build; and a
later revision that rebuilds a table (SQLite batch mode) keeps rows and foreign keys whole.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from sync.server import devices, figures, reports, schema
from sync.server.ingest import ingest
from tests.server import queries
from tests.server.conftest import drop_everything
from tests.server.databases import (
    V1_DEVICE,
    V1_RESPONSES,
    V1_TOKEN,
    assert_brought_up_once,
    build_v1,
    head_revision,
    inspect,
    rows,
    start_together,
    versions,
)


def test_a_fresh_database_gets_v1_then_every_revision(empty_url):
    engine = schema.open_database(empty_url)
    engine.dispose()
    assert_brought_up_once(empty_url)
    tables = set(inspect(empty_url))
    assert tables == {"alembic_version", *schema.metadata.tables}


def test_a_v1_database_upgrades_and_keeps_every_row(empty_url):
    build_v1(empty_url)
    before = rows(empty_url)
    assert versions(empty_url) == ([1], [])

    engine = schema.open_database(empty_url)
    assert_brought_up_once(empty_url)
    assert rows(empty_url) == before
    assert sum(len(found) for found in before.values()) == 6
    # ...and the server carries on with them: the old token works, a resend is a duplicate,
    # and the month's report counts what v1 stored.
    device = devices.device_for_token(engine, V1_TOKEN)
    assert device is not None and device.device_id == V1_DEVICE
    result = ingest(engine, V1_TOKEN, "a1b2c3d4-0000-4000-8000-000000000001", V1_RESPONSES[:2])
    assert result.duplicate == [str(item.id) for item in V1_RESPONSES[:2]]
    assert not result.accepted and not result.rejected
    report = reports.fft_report(engine, "2026-11", "ward")
    assert report.rows[0].counts["1"] == 1 and report.rows[0].counts["4"] == 1
    assert report.rows[0].excluded == 1
    assert queries.count_responses(engine) == 3
    engine.dispose()


def test_opening_an_upgraded_database_again_changes_nothing(empty_url):
    build_v1(empty_url)
    schema.open_database(empty_url).dispose()
    shape, content = inspect(empty_url), rows(empty_url)
    schema.open_database(empty_url).dispose()
    assert inspect(empty_url) == shape and rows(empty_url) == content
    assert_brought_up_once(empty_url)


def test_a_fresh_database_has_the_schema_of_an_upgraded_v1_one(empty_url):
    schema.open_database(empty_url).dispose()
    fresh = inspect(empty_url)
    drop_everything(empty_url)
    build_v1(empty_url)
    schema.open_database(empty_url).dispose()
    upgraded = inspect(empty_url)
    assert fresh == upgraded
    by_ward = ("org_code", "site_code", "ward_name", "local_date", "answered_at")
    assert upgraded["responses"]["indexes"] == [
        ("responses_by_ward_date", by_ward, False),
        ("responses_commented_by_batch", ("batch_id",), False),
    ]


def test_the_tables_the_code_uses_are_the_ones_the_migrations_build(empty_url):
    build_v1(empty_url)
    engine = schema.open_database(empty_url)
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), schema.metadata
        )
    engine.dispose()
    assert differences == [], "schema.py and the migrations disagree: add a revision"


@pytest.mark.slow
def test_four_servers_start_together_on_a_v1_database(empty_url):
    build_v1(empty_url)
    before = rows(empty_url)
    for result in start_together(empty_url):
        assert result.returncode == 0, result.stderr[-2000:]
    assert_brought_up_once(empty_url)
    assert rows(empty_url) == before


def test_a_database_a_newer_server_migrated_is_refused_with_what_to_do(empty_url):
    schema.open_database(empty_url).dispose()
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(schema.SchemaError, match=r"9999.*newer release"):
        schema.open_database(empty_url)


def test_a_schema_version_no_release_wrote_is_refused(empty_url):
    build_v1(empty_url)
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE schema_version SET version = 7")
    engine.dispose()
    with pytest.raises(schema.SchemaError, match="schema_version is 7"):
        schema.open_database(empty_url)
    assert "alembic_version" not in inspect(empty_url)  # nothing was changed


# -- a later revision ----------------------------------------------------------------------

# Changes a column's type in enrollment_keys, which devices refer to. SQLite cannot ALTER a
# type, so batch mode copies the table, drops the old one and renames the copy: that fails if
# foreign keys are enforced meanwhile. PostgreSQL simply ALTERs.
_LATER = '''
"""A test revision: keys get a note, and a longer ward name."""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_keys") as batch:
        batch.add_column(sa.Column("note", sa.String(50), nullable=False, server_default=""))
        batch.alter_column("ward_name", type_=sa.String(120), existing_nullable=False)


def downgrade() -> None:
    raise NotImplementedError
'''


def _with_later_revision(tmp_path: Path) -> Config:
    versions_dir = tmp_path / "versions"
    shutil.copytree(schema.MIGRATIONS / "versions", versions_dir)
    (versions_dir / "r9001_later.py").write_text(
        textwrap.dedent(_LATER).format(head=head_revision())
    )
    config = schema.alembic_config()
    config.set_main_option("version_locations", str(versions_dir))
    return config


def test_a_later_revision_rebuilds_a_table_and_keeps_its_rows_and_keys(empty_url, tmp_path):
    build_v1(empty_url)
    before = rows(empty_url)
    engine = schema.open_database(empty_url)
    unique = inspect(empty_url)["enrollment_keys"]["unique"]
    assert schema.migrate(engine, _with_later_revision(tmp_path)) == "9001"
    after = rows(empty_url)
    assert inspect(empty_url)["enrollment_keys"]["unique"] == unique
    assert after["enrollment_keys"] == before["enrollment_keys"]
    with engine.connect() as conn:
        notes = conn.exec_driver_sql("SELECT note FROM enrollment_keys").scalars().all()
    assert notes == [""] * len(before["enrollment_keys"])
    assert after["devices"] == before["devices"]
    columns = {c[0]: c[1] for c in inspect(empty_url)["enrollment_keys"]["columns"]}
    assert columns["ward_name"] == "VARCHAR(120)" and "note" in columns
    assert inspect(empty_url)["devices"]["foreign keys"][0]["referred_table"] == "enrollment_keys"
    # Foreign keys are enforced again once the bring-up is over.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(schema.devices.update().values(key_id=999))
    # A server that only knows the released revisions now refuses the database, as it should.
    with pytest.raises(schema.SchemaError, match="9001"):
        schema.migrate(engine)
    engine.dispose()


def test_the_month_reports_read_the_figures_revision_0004_filled_from_v1(empty_url):
    build_v1(empty_url)
    engine = schema.open_database(empty_url)
    month = "FROM month_counts WHERE month BETWEEN '2026-11-01' AND '2026-11-30'"
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN SELECT n {month}").all()
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # three rows would not
            plan = conn.exec_driver_sql(f"EXPLAIN SELECT n {month}").all()
    november = reports.month_counts(engine, date(2026, 11, 1), date(2026, 11, 30), False)
    whole_month = (date(2026, 11, 1), date(2026, 11, 30))
    themes = figures.ward_themes(engine, devices.Place("RWD", "RWDLA", "Ward 7"), *whole_month)
    engine.dispose()
    assert "month_counts_by_month" in str(plan)
    assert sum(row["n"] for row in november if row["clean"]) == 2  # and one repeat tap
    assert themes == {"noise": 1, "staff": 1}  # the repeat tap's chip left out
