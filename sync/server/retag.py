"""``tag-comments --db URL --retag``: tag every stored comment that has no tags from the
model now installed (tagged by an earlier model, or never: stored before tagging existed, or
waiting while the model could not load). Tags from the installed model are kept as they are:
the model gives a comment the same tags every time.

It works in chunks of comments in id order, each stored in its own short transaction, so it
can be stopped at any point and run again: it carries on with the comments still to do. It
raises no alerts (history is not news), and never touches people's corrections, which are
kept apart and still win over the model's tags.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.devices import now as utc_now
from sync.server.schema import comment_tags, responses
from sync.server.tagged import TaggedComment
from sync.server.tagging import INSTALL, store_tags

if TYPE_CHECKING:
    from sync.analysis.tagger import Tagger

#: Comments tagged and stored per transaction.
CHUNK = 500
NO_MODEL = 1


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """The ``tag-comments`` command line: ``IN.csv OUT.csv`` (``sync.analysis.command``),
    or ``--retag`` the database's comments."""
    tag = commands.add_parser(
        "tag-comments",
        parents=[common],
        usage="%(prog)s IN.csv OUT.csv | %(prog)s [--db DB] --retag",
        help="themes and sentiment for each comment in a CSV, or retag the database's "
        "(analysis extra)",
        description="Tag each comment with NHS England's framework themes and a sentiment from "
        "1 (very positive) to 5 (very negative). An optional 'rating' column (FFT answer 1-6) "
        "helps the sentiment; a blank comment gets no themes and a blank sentiment. With "
        "--retag, tag the comments stored in --db instead.",
    )
    tag.add_argument("input", nargs="?", metavar="IN.csv", help="UTF-8 CSV: id, comment")
    tag.add_argument("output", nargs="?", metavar="OUT.csv", help="written: id, themes, sentiment")
    tag.add_argument(
        "--retag",
        action="store_true",
        help="after a model update: tag every stored comment that has no tags from the "
        "installed model (an earlier model's, or none yet), in chunks; stop it at any time "
        "and run it again to carry on. Raises no alerts; people's corrections are kept",
    )


def misused(args: argparse.Namespace) -> str | None:
    """What is wrong with how ``tag-comments`` was called, or None."""
    if not args.retag and (args.output is None or args.db is not None):
        return "tag-comments takes IN.csv OUT.csv, or --retag (with --db)"
    if args.retag and args.input is not None:
        return "tag-comments --retag tags the database's comments: give no IN.csv OUT.csv"
    return None


def _to_do(version: str) -> Any:
    """Stored, non-blank comments without tags from model *version*."""
    r, t = responses.c, comment_tags.c
    return (
        sa.select(r.id, r.comment, r.rating, r.org_code, r.site_code, r.ward_name, r.local_date)
        .select_from(responses.outerjoin(comment_tags, t.response_id == r.id))
        .where(
            r.comment.is_not(None),
            sa.func.trim(r.comment) != "",
            sa.or_(t.response_id.is_(None), t.model_version != version),
        )
    )


def count_to_do(engine: Engine, version: str) -> int:
    with engine.connect() as conn:
        counted = sa.select(sa.func.count()).select_from(_to_do(version).subquery())
        return conn.execute(counted).scalar() or 0


def retag(engine: Engine, tagger: Tagger, stream: TextIO, chunk: int = CHUNK) -> int:
    """Tag the stored comments *tagger*'s version has not tagged; returns how many. A
    progress bar goes to *stream* when it is a terminal."""
    from sync.analysis.command import Progress

    progress = Progress(count_to_do(engine, tagger.version), stream)
    done, after = 0, ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                _to_do(tagger.version)
                .where(responses.c.id > after)
                .order_by(responses.c.id)
                .limit(chunk)
            ).all()
        if not rows:
            break
        after = rows[-1].id
        comments = [TaggedComment.untagged(row) for row in rows if row.comment.strip()]
        tags = tagger.tag_all([c.comment for c in comments], [c.rating for c in comments])
        tagged = [
            dataclasses.replace(c, themes=t.themes, sentiment=t.sentiment)
            for c, t in zip(comments, tags, strict=True)
        ]
        with engine.begin() as conn:
            store_tags(conn, tagged, tagger.version, utc_now())
        done += len(tagged)
        progress.update(min(done, progress.total))
    progress.update(progress.total)
    return done


def main(engine: Engine, stderr: TextIO | None = None) -> int:
    """The command: 0 when every comment has tags from the installed model, 1 when the
    model cannot load."""
    stderr = stderr or sys.stderr
    try:
        from sync.analysis import tagger as analysis
    except ImportError as exc:
        print(
            f"tag-comments needs the analysis extra ({exc.name} is missing): {INSTALL}",
            file=stderr,
        )
        return NO_MODEL
    try:
        model = analysis.load()
    except analysis.ModelError as exc:
        print(str(exc), file=stderr)
        return NO_MODEL
    count = retag(engine, model, stderr)
    print(f"{count} comments tagged with model {model.version}", file=stderr)
    return 0
