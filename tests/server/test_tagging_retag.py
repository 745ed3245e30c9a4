"""``tag-comments --db URL --retag``: after a model update, every stored comment without tags
from the installed model gets them, in chunks that survive an interruption; people's
corrections stay; the CSV form of the command is unchanged. SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

pytest.importorskip("numpy", reason="the analysis extra is not installed")

from sync.analysis import tagger as analysis
from sync.server import cli, retag, tagging
from sync.server.schema import comment_tags, tag_corrections
from sync.server.tagged import TaggedComment
from tests.server.conftest import WARD_7, auth, batch, response

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WARD = (WARD_7.org_code, WARD_7.site_code, WARD_7.ward_name)


def versions(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(comment_tags.c.response_id, comment_tags.c.model_version))
        return {row.response_id: row.model_version for row in rows}


@pytest.fixture
def stored(client, device_token, engine) -> list[str]:
    """Five comments stored (and one blank), the first three tagged by an older model."""
    texts = ["Kind nurses", "Cold food", "Long wait for a bed", "Clean ward", "Noisy", " "]
    body = batch(*(response(comment=text) for text in texts))
    reply = client.post("/api/v1/responses/batch", json=body, headers=auth(device_token))
    assert reply.status_code == 200
    ids = [item["id"] for item in body["responses"]]
    older = dataclasses.replace(analysis.load(), version="2025-01-01+data.0")
    with engine.begin() as conn:
        tagging.store_tags(
            conn,
            [
                TaggedComment(ids[i], *WARD, texts[i], 1, NOW.date(), ("Food & drink",), 2)
                for i in range(3)
            ],
            older.version,
            NOW,
        )
        conn.execute(
            tag_corrections.insert().values(
                response_id=ids[0],
                themes='["Staff manner & personal attributes"]',
                sentiment=1,
                corrected_at=NOW,
            )
        )
    return ids


def test_retag_tags_every_comment_the_installed_model_has_not(engine, stored, capsys):
    model = analysis.load()
    assert cli.main(["tag-comments", "--db", engine.url.render_as_string(False), "--retag"]) == 0
    assert f"5 comments tagged with model {model.version}" in capsys.readouterr().err
    assert versions(engine) == dict.fromkeys(stored[:5], model.version)  # not the blank one
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tag_corrections)).scalar() == 1

    # Run again: nothing left to do.
    assert cli.main(["tag-comments", "--db", engine.url.render_as_string(False), "--retag"]) == 0
    assert "0 comments tagged" in capsys.readouterr().err


def test_an_interrupted_retag_carries_on_where_it_stopped(engine, stored):
    model = analysis.load()
    calls: list[int] = []

    @dataclasses.dataclass(frozen=True)
    class Interrupted:
        version: str = model.version

        def tag_all(self, texts: Sequence[str], ratings: Sequence[int | None]) -> Any:
            calls.append(len(texts))
            if len(calls) == 3:
                raise KeyboardInterrupt
            return model.tag_all(texts, ratings)

    with pytest.raises(KeyboardInterrupt):
        retag.retag(engine, Interrupted(), io.StringIO(), chunk=2)  # type: ignore[arg-type]
    assert len([v for v in versions(engine).values() if v == model.version]) == 4
    assert retag.retag(engine, model, io.StringIO(), chunk=2) == 1
    assert versions(engine) == dict.fromkeys(stored[:5], model.version)


def test_retag_with_a_csv_or_a_csv_without_retag_is_refused(capsys):
    with pytest.raises(SystemExit) as refused:
        cli.main(["tag-comments", "--retag", "in.csv", "out.csv"])
    assert refused.value.code == 2
    assert "give no IN.csv OUT.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["tag-comments", "--db", "x.db", "in.csv", "out.csv"])
    assert "or --retag (with --db)" in capsys.readouterr().err
