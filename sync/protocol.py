"""The wire protocol between kiosk and central server: every message, as pydantic models.

This module is the contract. The server validates requests with it and publishes it as
OpenAPI; the kiosk's client builds requests and checks replies with it. Unknown fields are
refused everywhere, so a typo never becomes silently missing data.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sync.fft import Mode

API_PREFIX = "/api/v1"
MAX_BATCH_ITEMS = 1000
MAX_BODY_BYTES = 2 * 1024 * 1024
COMMENT_LIMIT = 1000

# Responses dated before the FFT's current guidance, or in the future, are a broken clock.
EARLIEST_ANSWER = datetime(2020, 1, 1, tzinfo=UTC)
CLOCK_SLACK = timedelta(days=1)

# RFC 3339 shapes, ASCII digits only. A bare number (a Unix time?) is refused, not guessed at.
_RFC3339 = {
    "local_date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "answered_at": re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
        r"([Zz]|[+\-][0-9]{2}:[0-9]{2})"
    ),
}

OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,9}$")]
# Names are printable text: no control characters (PostgreSQL cannot store NUL at all, and a
# line break or escape in a ward or device name would corrupt every report that shows it).
# Nor C1 controls, nor the bidirectional overrides that make a name read differently on screen.
_PRINTABLE = r"^[^\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*$"
ShortText = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=100, pattern=_PRINTABLE)
]
Token = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{20,200}$")]
Word = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]{0,39}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class Message(BaseModel):
    """Every message: unknown fields refused. Numbers must be JSON numbers ("2" is refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Answers(Message):
    """The follow-up answers: the theme chips chosen."""

    themes: list[Word] = Field(default_factory=list, max_length=20)


class Response(Message):
    """One patient's response, as the kiosk stored it."""

    id: UUID
    survey_id: Annotated[str, StringConstraints(pattern=r"^[\w\-]{1,64}$")]
    survey_version: StrictInt = Field(ge=1, le=10_000)
    answered_at: AwareDatetime
    local_date: date
    rating: StrictInt = Field(ge=1, le=6)
    answers: Answers = Field(default_factory=Answers)
    comment: StrictStr | None = Field(default=None, max_length=COMMENT_LIMIT)
    language: LanguageCode
    mode: Mode
    org_code: OdsCode
    site_code: OdsCode
    ward_name: ShortText
    flags: list[Word] = Field(default_factory=list, max_length=10)

    # Dates travel as RFC 3339 text; a bare number (a Unix time?) is refused, not guessed at.
    @field_validator("answered_at", "local_date", mode="before")
    @classmethod
    def _from_text(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            if not _RFC3339[str(info.field_name)].fullmatch(value):
                raise ValueError(
                    "must be an RFC 3339 date (2026-11-27) or time with its offset "
                    "(2026-11-27T14:30:00+00:00)"
                )
            return value
        if isinstance(value, (datetime, date)):
            return value
        raise ValueError("must be an RFC 3339 date or time as text")

    # One instant, one spelling: the content key then tells a retry from a conflict.
    @field_validator("answered_at", mode="after")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant
            raise ValueError(
                "is outside the range of dates a kiosk can record; check the kiosk's clock"
            ) from None

    # PostgreSQL cannot store NUL in text. Dropping it keeps the patient's answer and words;
    # refusing would lose the rating with it. The kiosk never sends NUL in the first place.
    @field_validator("comment", mode="after")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return value.replace("\x00", "") if value is not None else None

    @model_validator(mode="after")
    def _plausible_dates(self) -> Response:
        now = datetime.now(UTC)
        if not EARLIEST_ANSWER <= self.answered_at <= now + CLOCK_SLACK:
            raise ValueError(
                f"answered_at {self.answered_at.isoformat()} is not between "
                f"{EARLIEST_ANSWER.date()} and tomorrow; check the kiosk's clock"
            )
        if abs(self.local_date - self.answered_at.astimezone(UTC).date()) > timedelta(days=1):
            raise ValueError("local_date must be within a day of answered_at")
        return self

    def content_key(self) -> str:
        """The response's content in one canonical string, to tell a duplicate from a conflict.

        Field order is the model's and ``answered_at`` is always UTC, so equal content always
        gives an equal string.
        """
        return self.model_dump_json()


AppVersion = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=40, pattern=_PRINTABLE)
]
ERROR_LIMIT = 500
# Control characters, C1 controls and bidirectional overrides: never kept in an error shown
# on the Devices page (the same set a name may not hold).
_UNPRINTABLE = re.compile(r"[\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]")


def printable(text: str) -> str:
    """*text* without control characters and direction overrides."""
    return _UNPRINTABLE.sub("", text)


class DeviceReport(Message):
    """What a kiosk says of itself: with each batch (``Batch.device``), or on its own as
    ``POST /api/v1/devices/heartbeat`` when it has nothing to send.

    Added in protocol 1.1, under the same ``/api/v1``: a batch without it (a kiosk from
    before) is still taken, and a server from before answers the heartbeat 404.

    Attributes:
        app_version: the kiosk app's version.
        pending: responses waiting on the kiosk to be sent; with a batch, besides the
            batch's own (so what will still wait once it is stored).
        last_error: the kiosk's last sync problem in its own words, or None; control
            characters are dropped.
    """

    app_version: AppVersion
    pending: StrictInt = Field(ge=0, le=10**9)
    last_error: StrictStr | None = Field(default=None, max_length=ERROR_LIMIT)

    @field_validator("last_error", mode="before")
    @classmethod
    def _strip_controls(cls, value: Any) -> Any:
        return printable(value) if isinstance(value, str) else value


class Batch(Message):
    """``POST /api/v1/responses/batch``: at most 1000 responses, oldest first.

    ``device`` (protocol 1.1) is what the kiosk says of itself; kiosks from before omit it.
    """

    batch_id: UUID
    responses: list[Response] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)
    device: DeviceReport | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Batch:
        ids = [item.id for item in self.responses]
        if len(set(ids)) != len(ids):
            raise ValueError("a batch holds each response once; send every id only once")
        return self


class Rejection(Message):
    id: str
    reason: str


class BatchResult(Message):
    """The server's verdict on every response of a batch it committed.

    Attributes:
        accepted: stored now.
        duplicate: already stored with the same content (a retry); success all the same.
        rejected: not stored, with the reason (``conflict`` when the id holds other content).
    """

    accepted: list[str] = Field(default_factory=list)
    duplicate: list[str] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)


class EnrollRequest(Message):
    """``POST /api/v1/devices/enroll``: a kiosk trades an enrollment key for a device token."""

    enrollment_key: Token
    device_id: UUID
    name: ShortText
    app_version: AppVersion


class EnrollReply(Message):
    device_token: Token
    org_code: OdsCode
    site_code: OdsCode
    ward_name: ShortText


class DeviceInfo(Message):
    """``GET /api/v1/devices/me``: who the server thinks this device token belongs to."""

    device_id: str
    org_code: OdsCode
    site_code: OdsCode
    ward_name: ShortText


class Health(Message):
    status: Literal["ok"]


class ErrorReply(Message):
    """Every 4xx and 5xx body: one sentence saying what went wrong and what to do."""

    detail: str


class FFTRow(Message):
    """One place's FFT figures for a month. Cells are counts, or ``*`` where suppressed."""

    org_code: str
    site_code: str | None
    ward_name: str | None
    counts: dict[str, int | str]
    total: int | str
    percent_positive: float | None
    percent_negative: float | None
    excluded: int
    modes: dict[str, int | str] = Field(default_factory=dict)


class FFTReport(Message):
    """``GET /api/v1/reports/fft``: the month's figures at ward, site or organisation level."""

    period: str
    level: Literal["ward", "site", "org"]
    suppressed: bool
    rows: list[FFTRow]
