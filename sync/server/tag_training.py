"""People's corrections of comment tags as new training data for the tagger: one row per
corrected comment, laid out as NHS England's labelled comments (framework v6) that
``sync.analysis.dataset`` reads, with the model's tags before the correction beside them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.comment_tags import SENTIMENTS, framework_themes, names
from sync.server.schema import comment_tags, responses, tag_corrections
from sync.server.ward_responses import aware
from sync.spreadsheet import csv_text

#: The export's first columns; those named as in shared/data/fft-comments keep their meaning
#: there, and the theme columns that follow (1 = applies, blank = not) start with the
#: framework's first, so ``sync.analysis.dataset.read`` takes the file as it is.
EXPORT_COLUMNS = [
    "Comment ID",
    "Corrected at",
    "Model version",
    "Model themes",
    "Model sentiment",
    "Corrected themes",
    "FFT categorical answer",
    "FFT answer",
    "Comment sentiment",
]


def corrections_csv(engine: Engine) -> str:
    """Every corrected comment once, with its newest correction, oldest correction first: a
    CSV of new training data, every cell spreadsheet-safe (``sync.spreadsheet``)."""
    newest = (
        sa.select(sa.func.max(tag_corrections.c.id).label("id"))
        .group_by(tag_corrections.c.response_id)
        .subquery()
    )
    query = (
        sa.select(
            tag_corrections.c.response_id,
            tag_corrections.c.themes,
            tag_corrections.c.sentiment,
            tag_corrections.c.corrected_at,
            responses.c.rating,
            responses.c.comment,
            comment_tags.c.themes.label("model_themes"),
            comment_tags.c.sentiment.label("model_sentiment"),
            comment_tags.c.model_version,
        )
        .select_from(
            tag_corrections.join(newest, newest.c.id == tag_corrections.c.id)
            .join(responses, responses.c.id == tag_corrections.c.response_id)
            .outerjoin(comment_tags, comment_tags.c.response_id == tag_corrections.c.response_id)
        )
        .order_by(tag_corrections.c.corrected_at, tag_corrections.c.id)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    chosen = [names(row.themes) for row in rows]
    known = framework_themes()
    extra = sorted({t for themes in chosen for t in themes} - set(known))
    columns = [*known, *extra]
    body = []
    for row, themes in zip(rows, chosen, strict=True):
        body.append(
            [
                row.response_id,
                aware(row.corrected_at).isoformat(),
                row.model_version or "",
                " | ".join(names(row.model_themes)),
                row.model_sentiment if row.model_sentiment in SENTIMENTS else "",
                " | ".join(themes),
                row.rating,
                row.comment or "",
                row.sentiment if row.sentiment in SENTIMENTS else "",
                *(1 if name in themes else "" for name in columns),
            ]
        )
    return csv_text([*EXPORT_COLUMNS, *columns], body)
