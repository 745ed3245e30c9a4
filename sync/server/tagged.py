"""A comment the after-ingest worker has just read: what alerts are raised from.

The tagging worker builds these after storing a batch's tags and hands them to the alerts,
inside the same transaction, so a comment is never tagged without being considered for an
alert, nor considered twice by two server processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaggedComment:
    """One stored comment and, when the model is loaded, its tags.

    Attributes:
        response_id: the response's id (the web app links to it).
        org_code, site_code, ward_name: the ward it belongs to.
        comment: the patient's words. Alerts match safeguarding words in it, and never send it.
        rating: the FFT code 1-6 the patient chose.
        local_date: the ward's calendar day it was answered on.
        themes: framework category names; empty when untagged.
        sentiment: 1 (very positive) to 5 (very negative); None when the model is not loaded,
            so that safeguarding-word alerts never wait on the model.
    """

    response_id: str
    org_code: str
    site_code: str
    ward_name: str
    comment: str
    rating: int
    local_date: dt.date
    themes: tuple[str, ...] = ()
    sentiment: int | None = None

    @classmethod
    def untagged(cls, row: Any) -> TaggedComment:
        """The comment of a ``responses`` row (with its id, ward, comment, rating and local
        date), not yet tagged."""
        return cls(
            response_id=row.id,
            org_code=row.org_code,
            site_code=row.site_code,
            ward_name=row.ward_name,
            comment=row.comment,
            rating=row.rating,
            local_date=row.local_date,
        )
