"""Tagging comments after ingest: a round (``run_once``) finds the batches whose comments
are not tagged yet, tags them with the comment tagger (``sync.analysis``), stores the tags with
the model's version, and hands the comments to the alerts in the same transaction. A worker
thread in each server process (``tagging_worker``) runs rounds in the gaps between batches.

Ingest does nothing for it: a new batch's ``tagged_at`` starts NULL, and that is the queue.
Work is claimed from the database, so several server processes never tag a batch twice: on
PostgreSQL the batches are locked ``FOR UPDATE SKIP LOCKED`` while they are tagged; SQLite
has one writer, so the tags are computed outside any write transaction and a short one then
stores them only for the batches still untagged.

When the model cannot load (its files missing or damaged, or the analysis extra not
installed), ingest carries on; each new comment is still handed to the alerts once, without
tags (safeguarding words need no model), and its batch waits for tags until a working model
loads. What the model is doing is kept in ``tagger_status``, so every server process's web
pages can say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import alerts
from sync.server.schema import batches, comment_tags, responses, tagger_status
from sync.server.tagged import TaggedComment

if TYPE_CHECKING:
    from sync.analysis.tagger import Tagger, Tags


class CommentTagger(Protocol):
    """What a round needs of the model: ``sync.analysis.tagger.Tagger``, or the same model
    run in another process (``tagging_worker``)."""

    @property
    def version(self) -> str: ...

    def tag_all(
        self, texts: Sequence[str], ratings: Sequence[int | None] | None = None
    ) -> list[Tags]: ...


State = Literal["ready", "broken", "off"]
#: The one row of ``tagger_status``.
STATUS_ROW = 1
#: Batches claimed at a time: a round is some tens of milliseconds of CPU and one short
#: write, so a batch that arrives during one waits little for the interpreter or (SQLite)
#: the database's write lock.
BATCHES_PER_ROUND = 4
_CHUNK = 500  # ids per IN (...) list

INSTALL = "pip install 'ward-kiosk[server,analysis]'"


@dataclass(frozen=True)
class Model:
    """What loading the tagger came to: a *tagger*, or none and why."""

    tagger: Tagger | None
    state: State
    detail: str

    @property
    def version(self) -> str | None:
        return self.tagger.version if self.tagger is not None else None


def load_model(directory: Path | None = None) -> Model:
    """Load the comment tagger (the shipped model, or the one in *directory*), never raising:
    a model that cannot load comes back as ``broken`` or ``off`` with what to do."""
    try:
        from sync.analysis import tagger as analysis
    except ImportError as exc:
        return Model(
            None,
            "off",
            f"comment tagging is off: the analysis extra is not installed ({exc.name} is "
            f"missing). Comments are stored and safeguarding words still raise alerts; to "
            f"tag them, {INSTALL} and restart the server",
        )
    try:
        tagger = analysis.load(directory)
    except analysis.ModelError as exc:
        return Model(
            None,
            "broken",
            f"comment tagging is paused: {exc}. Comments are stored and safeguarding words "
            "still raise alerts; once the model loads (the server tries again every few "
            "minutes, and at start-up) the comments waiting are tagged",
        )
    return Model(tagger, "ready", f"comments are tagged with model {tagger.version}")


# -- the model's state, for every server process ---------------------------------------


@dataclass(frozen=True)
class Status:
    """``tagger_status`` as last written."""

    state: State
    model_version: str | None
    detail: str
    checked_at: dt.datetime


def record_status(engine: Engine, model: Model, at: dt.datetime) -> None:
    """Write what *model* came to into ``tagger_status`` (one row, last writer wins)."""
    values = {
        "state": model.state,
        "model_version": model.version,
        "detail": model.detail,
        "checked_at": at,
    }
    with engine.begin() as conn:
        insert = _dialect_insert(conn, tagger_status).values(id=STATUS_ROW, **values)
        conn.execute(insert.on_conflict_do_update(index_elements=["id"], set_=values))


def read_status(engine: Engine) -> Status | None:
    """What the tagging workers last wrote, or None when none has run yet."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(tagger_status).where(tagger_status.c.id == STATUS_ROW)).first()
    if row is None:
        return None
    return Status(row.state, row.model_version, row.detail, row.checked_at)


# -- one round of work -----------------------------------------------------------------


def run_once(
    engine: Engine, tagger: CommentTagger | None, now: dt.datetime, limit: int = BATCHES_PER_ROUND
) -> int:
    """Tag the comments of up to *limit* untagged batches, store the tags and hand the
    comments to the alerts, all in one transaction; returns how many batches were done.

    Without a *tagger*, only batches not yet handed over are taken: their comments go to
    the alerts without tags, and the batches keep waiting for tags.
    """
    if engine.dialect.name == "postgresql":
        return _run_locked(engine, tagger, now, limit)
    return _run_optimistic(engine, tagger, now, limit)


def _run_locked(engine: Engine, tagger: CommentTagger | None, now: dt.datetime, limit: int) -> int:
    # Locked until the commit; other processes skip these batches and take the next ones.
    with engine.begin() as conn:
        claimed = conn.execute(_waiting(tagger, limit).with_for_update(skip_locked=True)).all()
        if not claimed:
            return 0
        comments = _comments(conn, [row.batch_id for row in claimed])
        tagged = _tag(tagger, comments)
        _store(conn, tagger, claimed, tagged, now)
    return len(claimed)


def _run_optimistic(
    engine: Engine, tagger: CommentTagger | None, now: dt.datetime, limit: int
) -> int:
    with engine.connect() as conn:
        seen = conn.execute(_waiting(tagger, limit)).all()
        comments = _comments(conn, [row.batch_id for row in seen]) if seen else []
    if not seen:
        return 0
    tagged = _tag(tagger, comments)  # outside any write transaction
    with engine.begin() as conn:
        # The write first, so the transaction takes SQLite's write lock at once (waiting its
        # busy timeout): a read first could not upgrade if another process wrote meanwhile.
        # Only the batches still waiting are kept: another process may have done some.
        still = _claim(conn, [row.batch_id for row in seen], tagger is not None, now)
        claimed = [row for row in seen if row.batch_id in still]
        _store(conn, tagger, claimed, [t for t in tagged if t.batch_id in still], now)
    return len(seen)


def _waiting(tagger: CommentTagger | None, limit: int) -> sa.Select[Any]:
    # Both forms match the partial index batches_to_tag (WHERE tagged_at IS NULL).
    query = sa.select(batches.c.batch_id, batches.c.handed_at).where(batches.c.tagged_at.is_(None))
    if tagger is None:
        query = query.where(batches.c.handed_at.is_(None))
    # New batches first, so their safeguarding alerts never wait behind a backlog of
    # batches handed over while the model was broken.
    return query.order_by(batches.c.handed_at.nulls_first(), batches.c.received_at).limit(limit)


def _claim(conn: Connection, ids: Sequence[str], tagging: bool, now: dt.datetime) -> set[str]:
    """Mark the batches *ids* that are still waiting as done (tagged, or handed over when not
    *tagging*); returns the ids marked."""
    marked: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        waiting: sa.ColumnElement[bool] = batches.c.tagged_at.is_(None)
        if not tagging:
            waiting = sa.and_(waiting, batches.c.handed_at.is_(None))
        values: dict[str, Any] = {"handed_at": sa.func.coalesce(batches.c.handed_at, now)}
        if tagging:
            values["tagged_at"] = now
        found = conn.execute(
            batches.update()
            .where(batches.c.batch_id.in_(chunk), waiting)
            .values(**values)
            .returning(batches.c.batch_id)
        )
        marked.update(found.scalars())
    return marked


@dataclass(frozen=True)
class _Tagged:
    batch_id: str
    comment: TaggedComment


def _comments(conn: Connection, batch_ids: Sequence[str]) -> list[tuple[str, TaggedComment]]:
    """The non-blank comments of *batch_ids*, with their batch, in a stable order."""
    r = responses.c
    found: list[tuple[str, TaggedComment]] = []
    for start in range(0, len(batch_ids), _CHUNK):
        chunk = list(batch_ids[start : start + _CHUNK])
        rows = conn.execute(
            sa.select(
                r.batch_id,
                r.id,
                r.org_code,
                r.site_code,
                r.ward_name,
                r.comment,
                r.rating,
                r.local_date,
            )
            # "IS NOT NULL" as the partial index responses_commented_by_batch says it.
            .where(r.batch_id.in_(chunk), r.comment.is_not(None))
            .order_by(r.batch_id, r.id)
        )
        found += [
            (
                row.batch_id,
                TaggedComment.untagged(row),
            )
            for row in rows
            if row.comment.strip()  # a blank comment has nothing to tag or alert on
        ]
    return found


def _tag(tagger: CommentTagger | None, comments: list[tuple[str, TaggedComment]]) -> list[_Tagged]:
    if tagger is None or not comments:
        return [_Tagged(batch_id, comment) for batch_id, comment in comments]
    tags = tagger.tag_all([c.comment for _, c in comments], [c.rating for _, c in comments])
    return [
        _Tagged(
            batch_id,
            dataclasses.replace(comment, themes=tag.themes, sentiment=tag.sentiment),
        )
        for (batch_id, comment), tag in zip(comments, tags, strict=True)
    ]


def _store(
    conn: Connection,
    tagger: CommentTagger | None,
    claimed: Sequence[Any],
    tagged: Sequence[_Tagged],
    now: dt.datetime,
) -> None:
    """Store the tags (with a *tagger*), mark the batches, and hand the comments over."""
    if not claimed:
        return
    if tagger is not None:
        store_tags(conn, [t.comment for t in tagged], tagger.version, now)
    if conn.dialect.name == "postgresql":
        # The rows are locked; SQLite's were marked by _claim already.
        _claim(conn, [row.batch_id for row in claimed], tagger is not None, now)
    alerts.raise_for_comments(conn, [t.comment for t in tagged], now)


def store_tags(
    conn: Connection, comments: Sequence[TaggedComment], version: str, now: dt.datetime
) -> None:
    """Insert or replace the ``comment_tags`` of *comments*, as given by model *version*."""
    if not comments:
        return
    values = [
        {
            "response_id": c.response_id,
            "themes": json.dumps(list(c.themes)),
            "sentiment": c.sentiment,
            "model_version": version,
            "tagged_at": now,
        }
        for c in comments
    ]
    insert = _dialect_insert(conn, comment_tags)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["response_id"],
            set_={
                "themes": insert.excluded.themes,
                "sentiment": insert.excluded.sentiment,
                "model_version": insert.excluded.model_version,
                "tagged_at": insert.excluded.tagged_at,
            },
        ),
        values,
    )


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
