"""The comment tags reader on its own: stored tags that are not what they should be, and the
newest correction counting instead of the model's tags."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from sync.server import accounts, comment_tags, schema
from tests.server.conftest import WARD_7, auth, batch, enrol, response

AT = datetime(2026, 11, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "found"),
    [
        ('["Pain management", "Discharge"]', ("Pain management", "Discharge")),
        ('["Discharge", "Discharge", 7, ""]', ("Discharge",)),
        ("not json", ()),
        ('{"themes": ["Discharge"]}', ()),
        (None, ()),
    ],
)
def test_stored_themes_are_read_without_ever_failing(stored, found):
    assert comment_tags.names(stored) == found


def test_the_framework_themes_come_from_the_models_metadata_without_numpy(tmp_path):
    themes = comment_tags.framework_themes()
    assert themes[0] == "Organisation & efficiency" and "Timeliness of care" in themes
    broken = tmp_path / "tagger.json"
    broken.write_text("{not json")
    assert comment_tags.framework_themes(broken) == ()
    assert comment_tags.framework_themes(tmp_path / "missing.json") == ()


def test_counts_use_the_newest_correction(client, engine):
    ids = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    token = enrol(client, engine, WARD_7)
    items = [
        response(id=i, comment=f"Comment {n}", local_date=day, answered_at=f"{day}T12:00:00+00:00")
        for n, (i, day) in enumerate(
            zip(ids, ["2026-10-05", "2026-11-05", "2026-11-06"], strict=True)
        )
    ]
    reply = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(token))
    assert reply.status_code == 200
    with engine.begin() as conn:
        for i in ids:
            conn.execute(
                schema.comment_tags.insert().values(
                    response_id=i, themes=json.dumps(["Discharge"]), sentiment=4,
                    model_version="test", tagged_at=AT,
                )
            )  # fmt: skip
    actor = accounts.Actor("someone@trust.nhs.uk")
    comment_tags.correct(engine, ids[2], ["Pain management"], 2, actor, AT, "Ward 7")
    comment_tags.correct(engine, ids[2], ["Pain management", "Discharge"], 1, actor, AT, "Ward 7")
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    found = comment_tags.ward_theme_months(engine, WARD_7, months, date(2026, 11, 30))
    assert found.counts == {"Discharge": [1, 2], "Pain management": [0, 1]}
    assert (found.comments, found.tagged) == ([1, 2], [1, 2])
    assert found.sentiments[-1] == {4: 1, 1: 1}
    assert comment_tags.tags_for(engine, ids[1:]) == {
        ids[1]: comment_tags.Tags(("Discharge",), 4, False, "test"),
        ids[2]: comment_tags.Tags(("Pain management", "Discharge"), 1, True, "test"),
    }
