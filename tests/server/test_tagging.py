"""Tagging after ingest: each new comment is tagged once, in the background, with the model's
version, and handed to the alerts; the batch's acknowledgement is the same with tagging on;
two workers never tag a batch twice; a model that fails to load leaves ingest working, and
says so once in the log and on the web pages. SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

pytest.importorskip("numpy", reason="the analysis extra is not installed")

from sync.analysis import tagger as analysis
from sync.server import tagging, tagging_worker
from sync.server.app import create_app
from sync.server.schema import alerts, batches, comment_tags
from sync.server.tagged import TaggedComment
from sync.server.tagging_worker import TaggingWorker
from tests.server.conftest import ADMIN, auth, batch, enrol, response

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # ten days after the comments were answered
WORDS = ["The nurses were kind and the food was cold", "I felt unsafe at night", "Noisy ward"]


@pytest.fixture(scope="module")
def model() -> analysis.Tagger:
    return analysis.load()


@pytest.fixture
def broken_model(tmp_path: Path) -> Path:
    """A copy of the shipped model whose arrays file was cut short."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / analysis.JSON_NAME).write_bytes(
        (analysis.MODEL_DIR / analysis.JSON_NAME).read_bytes()
    )
    arrays = (analysis.MODEL_DIR / analysis.ARRAYS_NAME).read_bytes()
    (folder / analysis.ARRAYS_NAME).write_bytes(arrays[: len(arrays) // 2])
    return folder


def comments_batch(*texts: str | None) -> dict[str, Any]:
    return batch(*(response(comment=text, rating=4) for text in texts))


def post(client: TestClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = client.post("/api/v1/responses/batch", json=body, headers=auth(token))
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def stored_tags(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {row.response_id: row for row in conn.execute(sa.select(comment_tags))}


def alerted(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {row.response_id: row.kind for row in conn.execute(sa.select(alerts))}


def test_each_new_comment_is_tagged_once_after_ingest_with_the_model_version(
    client, device_token, engine, model
):
    body = comments_batch(*WORDS, None, "   ")
    ids = [item["id"] for item in body["responses"]]
    assert post(client, device_token, body)["accepted"] == ids
    assert stored_tags(engine) == {}  # nothing is tagged inside ingest

    assert tagging.run_once(engine, model, NOW) == 1
    tags = stored_tags(engine)
    # The blank and missing comments get no tags; the others theirs, with the version.
    assert set(tags) == set(ids[:3])
    for rid, text in zip(ids[:3], WORDS, strict=True):
        expected = model.tag(text, 4)
        assert json.loads(tags[rid].themes) == list(expected.themes)
        assert tags[rid].sentiment == expected.sentiment
        assert tags[rid].model_version == model.version
    assert json.loads(tags[ids[0]].themes), "a comment about staff and food has themes"
    # ...and were handed to the alerts in the same transaction.
    assert alerted(engine) == {ids[1]: "safeguarding"}

    assert tagging.run_once(engine, model, NOW) == 0  # nothing left: never tagged twice
    assert stored_tags(engine) == tags


def test_a_batch_without_comments_is_done_without_tags(client, device_token, engine, model):
    post(client, device_token, comments_batch(None, None))
    assert tagging.run_once(engine, model, NOW) == 1
    assert tagging.run_once(engine, model, NOW) == 0
    assert stored_tags(engine) == {}


@pytest.fixture
def worker_app(engine: Engine) -> Iterator[tuple[TestClient, TaggingWorker]]:
    worker = TaggingWorker(engine)
    with TestClient(create_app(engine, ADMIN, tagger=worker)) as client:
        yield client, worker
    assert worker._thread is None, "the worker stops with the app"


def test_the_acknowledgement_is_the_same_with_tagging_on(
    client, device_token, engine, worker_app, model
):
    on, worker = worker_app
    replies = {}
    for name, app in (("off", client), ("on", on)):
        body = comments_batch(*WORDS)
        ids = [item["id"] for item in body["responses"]]
        first, again = post(app, device_token, body), post(app, device_token, body)
        replies[name] = (first, again)
        assert first == {"accepted": ids, "duplicate": [], "rejected": []}
        assert again == {"accepted": [], "duplicate": ids, "rejected": []}

    assert worker.caught_up()
    tags = stored_tags(engine)
    # The worker tagged both batches, the one the app without tagging stored too.
    assert len(tags) == 6 and {t.model_version for t in tags.values()} == {model.version}
    assert tagging.read_status(engine).state == "ready"


def test_two_workers_never_tag_a_batch_twice(client, engine, model, monkeypatch):
    tokens = [enrol(client, engine) for _ in range(4)]
    for n in range(12):
        post(client, tokens[n % 4], comments_batch(f"Comment {n} about the staff", "Food"))
    handed: list[str] = []
    lock = threading.Lock()

    def record(conn: Any, comments: Sequence[TaggedComment], now: datetime) -> None:
        with lock:
            handed.extend(c.response_id for c in comments)

    monkeypatch.setattr(tagging.alerts, "raise_for_comments", record)
    # Both workers are made to hold their first round's batches at the same moment: on
    # PostgreSQL each has locked its own (the other skipped them); on SQLite both read the
    # same ones and only the first to store them keeps them.
    together = threading.Barrier(2, timeout=20)

    @dataclasses.dataclass(frozen=True)
    class Meeting:
        met: set[int] = dataclasses.field(default_factory=set)

        def tag_all(self, texts: Sequence[str], ratings: Sequence[int | None]) -> Any:
            if threading.get_ident() not in self.met:
                self.met.add(threading.get_ident())
                together.wait()
            return model.tag_all(texts, ratings)

        version = model.version

    meeting = Meeting()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while tagging.run_once(engine, meeting, NOW, limit=3):  # type: ignore[arg-type]
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(handed) == 24 and len(set(handed)) == 24
    assert len(stored_tags(engine)) == 24
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(batches.c.tagged_at).where(batches.c.tagged_at.is_(None))).all()
            == []
        )


def test_a_broken_model_leaves_ingest_working_and_says_so(
    engine, broken_model, device_token, client, model, caplog, monkeypatch
):
    from tests.server.web.conftest import PASSWORD

    monkeypatch.setattr(tagging_worker, "RELOAD_SECONDS", 0.0)  # tries the model at every round
    caplog.set_level(logging.INFO, logger="sync.server.tagging")
    worker = TaggingWorker(engine, model_dir=broken_model)
    from sync.server import accounts

    people = accounts.Accounts(engine)
    people.create_user("admin@trust.nhs.uk", "admin", PASSWORD)
    with TestClient(create_app(engine, ADMIN, tagger=worker), follow_redirects=False) as web:
        body = comments_batch("I felt unsafe at night", "Lovely staff")
        ids = [item["id"] for item in body["responses"]]
        assert post(web, device_token, body)["accepted"] == ids
        assert worker.caught_up() and worker.caught_up()  # several rounds, several tries

        # The safeguarding words alerted without the model; nothing was tagged.
        assert alerted(engine) == {ids[0]: "safeguarding"}
        assert stored_tags(engine) == {}
        status = tagging.read_status(engine)
        assert status.state == "broken" and "tagger.npz" in status.detail

        from tests.server.web.conftest import signed_in

        page = signed_in(web, "admin@trust.nhs.uk").get("/")
        assert page.status_code == 200
        assert "Comments are not being tagged" in page.text
        assert "python -m sync.analysis.train" in page.text

    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert "tagger.npz" in problems[0].getMessage()
    assert "sync.analysis.train" in problems[0].getMessage()

    # Once a working model loads, the waiting comments are tagged (and not alerted twice).
    assert tagging.run_once(engine, model, NOW) == 1
    assert set(stored_tags(engine)) == set(ids)
    assert alerted(engine) == {ids[0]: "safeguarding"}


def test_an_admin_sees_no_banner_while_the_model_works(engine, model):
    tagging.record_status(engine, tagging.load_model(), NOW)
    assert tagging.read_status(engine).model_version == model.version
    from sync.server.web.render import _tagging_problem

    assert _tagging_problem(engine) is None


def test_without_the_analysis_extra_tagging_is_off_and_says_what_to_do(monkeypatch):
    import sync.analysis

    # As on a server installed without the extra: numpy cannot be imported.
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "sync.analysis.tagger")
    monkeypatch.delattr(sync.analysis, "tagger")
    found = tagging.load_model()
    assert found.state == "off" and found.tagger is None
    assert "pip install 'ward-kiosk[server,analysis]'" in found.detail


def test_comments_stored_before_tagging_existed_are_left_to_retag(empty_url, model):
    from sync.server import schema
    from tests.server.databases import V1_RESPONSES, build_v1

    build_v1(empty_url)
    engine = schema.open_database(empty_url)
    assert any(item.comment for item in V1_RESPONSES)
    # Upgrading marks the old batches done: no alerts about history, no tags until --retag.
    assert tagging.run_once(engine, model, NOW) == 0
    assert tagging.run_once(engine, None, NOW) == 0
    assert stored_tags(engine) == {} and alerted(engine) == {}
    engine.dispose()


def test_a_batch_id_sent_again_with_new_comments_gets_them_tagged(
    client, device_token, engine, model
):
    body = comments_batch("Kind nurses")
    post(client, device_token, body)
    assert tagging.run_once(engine, model, NOW) == 1
    again = {**body, "responses": [*body["responses"], response(comment="Cold food")]}
    assert post(client, device_token, again)["accepted"] == [again["responses"][1]["id"]]
    assert tagging.run_once(engine, model, NOW) == 1
    assert set(stored_tags(engine)) == {item["id"] for item in again["responses"]}


def test_the_worker_waits_while_a_batch_is_being_stored(engine, device_token, client):
    worker = TaggingWorker(engine)
    worker.start()
    try:
        assert worker.caught_up()
        with worker.ingesting():
            post(client, device_token, comments_batch("Kind nurses"))
            # No round starts while a batch is being stored (for up to MOST_DEFERRED s).
            assert not worker.caught_up(timeout=0.5)
            assert stored_tags(engine) == {}
        assert worker.caught_up()
        assert len(stored_tags(engine)) == 1
    finally:
        worker.stop()
