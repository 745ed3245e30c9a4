"""What staff are told about sync, as one small value the sync thread hands to the screens.

Its own module, so the staff screens can read it without loading the HTTP client (requests
and pydantic cost a quarter of a second to import on a tablet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SyncStatus:
    """What staff see about sync.

    Attributes:
        state: ``idle`` (all sent), ``waiting`` (will retry), ``stopped`` (needs IT or staff).
        pending: responses not yet on the server.
        rejected: responses the server refused (kept here, not resent).
        last_success: when the server last acknowledged a batch.
        last_error: the last problem, in plain words, or what happened to particular
            responses (refused, or sent last) until a later batch goes through cleanly;
            None after a clean sync.
        device_id: this kiosk's id with the central server.
    """

    state: str
    pending: int
    rejected: int
    last_success: datetime | None
    last_error: str | None
    device_id: str = ""
