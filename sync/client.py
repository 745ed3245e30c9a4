"""The kiosk's HTTP client for the central server, and what each failure means.

Every failure becomes one of four exceptions, so the engine's decision is simple: wait and
retry (``Transient``; ``ServerError`` when the server itself answered 5xx), split the batch
(``TooLarge``), stop until IT acts (``Revoked``), or find the response the server will not
take (``Refused``). Messages are plain words for ward staff.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Sequence
from uuid import UUID

import requests
from pydantic import ValidationError

from sync.protocol import (
    API_PREFIX,
    BatchResult,
    DeviceInfo,
    DeviceReport,
    EnrollReply,
    EnrollRequest,
)

log = logging.getLogger(__name__)

WIRE_FIELDS = (
    "id",
    "survey_id",
    "survey_version",
    "answered_at",
    "local_date",
    "rating",
    "answers",
    "comment",
    "language",
    "mode",
    "org_code",
    "site_code",
    "ward_name",
    "flags",
)


class SyncError(Exception):
    """A push or enrollment did not succeed. ``str()`` is a sentence for ward staff."""


class Transient(SyncError):
    """Worth retrying later: no connection, a timeout, a 5xx, or a reply that made no sense.

    Attributes:
        retry_after: seconds the server asked us to wait (429/503 ``Retry-After``), if any.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(Transient):
    """The server answered with a 5xx (other than 503, busy): it failed on this request.

    Unlike no answer at all, this may be the content: a response the server cannot store
    fails every time, so the engine looks for it after a few in a row.

    Attributes:
        status: the HTTP status, e.g. 500.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooLarge(SyncError):
    """413: the batch is too big for the server; send it in smaller pieces."""


class Revoked(SyncError):
    """401 or 403: this kiosk may not send (revoked, or the enrollment key was refused)."""


class Refused(SyncError):
    """Any other 4xx: the server will not take this batch as it is.

    Attributes:
        status: the HTTP status, e.g. 422.
        detail: the server's reason, as it gave it.
    """

    def __init__(self, message: str, status: int = 400, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail or message


class AlreadyEnrolled(Refused):
    """409 at enrolment: the device id is enrolled, and this request did not carry its token."""


class SyncClient:
    """Talks to one central server.

    Attributes:
        base_url: e.g. ``https://feedback.example.nhs.uk``.
        token: the device token, once enrolled.
        timeout: (connect, read) seconds for every request.
        reporter: makes what this kiosk says of itself, sent with each batch, given the
            number of responses in the batch (the engine sets it); None sends none.
        reports_taken: False once the server turned out to be from before device reports
            (protocol 1.0): batches then go without one.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        ca_bundle: str = "",
        timeout: tuple[float, float] = (5.0, 30.0),
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.reporter: Callable[[int], DeviceReport | None] | None = None
        self.reports_taken = True
        # TLS verification is always on; a trust's own CA bundle may replace the default.
        self.session.verify = ca_bundle or True

    def _post(self, path: str, body: bytes, token: str | None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self.session.post(
                f"{self.base_url}{API_PREFIX}{path}",
                data=body,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise Transient("the central server did not answer in time") from None
        except requests.exceptions.SSLError:
            raise Transient(
                "the central server's certificate was not trusted; IT may need to set "
                "[sync] ca_bundle"
            ) from None
        except requests.RequestException:
            raise Transient("cannot reach the central server (no network?)") from None

    def health(self) -> None:
        """Raise ``Transient`` unless the server answers its health check."""
        try:
            reply = self.session.get(f"{self.base_url}{API_PREFIX}/health", timeout=self.timeout)
        except requests.RequestException:
            raise Transient("cannot reach the central server (no network?)") from None
        self._raise_for(reply, what="health check")

    def whoami(self) -> DeviceInfo:
        """Who the server thinks this device is; ``Revoked`` if it does not know the token."""
        try:
            reply = self.session.get(
                f"{self.base_url}{API_PREFIX}/devices/me",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except requests.RequestException:
            raise Transient("cannot reach the central server (no network?)") from None
        self._raise_for(reply, what="device check")
        try:
            return DeviceInfo.model_validate_json(reply.content)
        except ValidationError:
            raise Transient("the central server's reply could not be read") from None

    def enroll(
        self, key: str, device_id: str, name: str, app_version: str, token: str | None = None
    ) -> EnrollReply:
        """Trade *key* for a device token. *token* is this device's current one, which the
        server asks for when an enrolled device enrols again (with a new key)."""
        request = EnrollRequest(
            enrollment_key=key,
            device_id=UUID(device_id),
            name=_printable(name)[:100] or "ward kiosk",
            app_version=app_version,
        )
        reply = self._post("/devices/enroll", request.model_dump_json().encode(), token)
        self._raise_for(reply, what="enrolment")
        try:
            return EnrollReply.model_validate_json(reply.content)
        except ValidationError:
            raise Transient("the central server's enrolment reply could not be read") from None

    def push(
        self, batch_id: str, items: Sequence[str], device: DeviceReport | None = None
    ) -> BatchResult:
        """Send one batch of responses, each already a JSON object of ``WIRE_FIELDS``.

        :param device: what the kiosk says of itself; by default what ``reporter`` makes.
        :returns: the server's per-item verdict.
        """
        if device is None and self.reporter is not None and self.reports_taken:
            device = self.reporter(len(items))
        head = f'{{"batch_id": {json.dumps(batch_id)}, "responses": [{",".join(items)}]'
        reply = None
        if device is not None and self.reports_taken:
            body = f'{head}, "device": {device.model_dump_json()}}}'
            reply = self._post("/responses/batch", body.encode(), self.token)
            if _refuses_reports(reply):
                # A server from before protocol 1.1 refuses the unknown field: the same batch
                # again without it, and none to this server until a heartbeat goes through.
                log.info("the central server takes no device reports; sending batches without")
                self.reports_taken = False
                reply = None
        if reply is None:
            reply = self._post("/responses/batch", f"{head}}}".encode(), self.token)
        self._raise_for(reply, what="upload")
        try:
            return BatchResult.model_validate_json(reply.content)
        except (ValidationError, ValueError):
            raise Transient("the central server's reply could not be read") from None

    def heartbeat(self, report: DeviceReport) -> None:
        """Say how this kiosk is when it has nothing to send. A server from before protocol
        1.1 answers 404, raised as ``Refused`` with that status."""
        reply = self._post("/devices/heartbeat", report.model_dump_json().encode(), self.token)
        self._raise_for(reply, what="heartbeat")
        self.reports_taken = True  # the server was upgraded since it refused a report

    @staticmethod
    def _raise_for(reply: requests.Response, what: str) -> None:
        code = reply.status_code
        if 200 <= code < 300:
            return
        detail = _detail(reply)
        if code == 413:
            raise TooLarge(f"the {what} was too large for the central server")
        if code in (429, 503):
            raise Transient(
                f"the central server is busy ({code}); trying again later",
                _retry_after(reply.headers.get("Retry-After")),
            )
        if code >= 500:
            raise ServerError(
                f"the central server had a problem ({code}); trying again later", code
            )
        if code == 409 and what == "enrolment":
            raise AlreadyEnrolled(
                f"this kiosk's device id is already enrolled ({detail})", code, detail
            )
        if code in (401, 403):
            if what == "enrolment":
                raise Revoked(f"the enrolment key was refused ({detail}); ask IT for a new one")
            raise Revoked(f"the central server refused this kiosk ({detail}); ask IT to enrol it")
        raise Refused(
            f"the central server would not accept the {what} ({code}: {detail})", code, detail
        )


def _printable(text: str) -> str:
    # A host name is the device name; the server refuses control characters in names.
    return "".join(c for c in text if c.isprintable()).strip()


def _refuses_reports(reply: requests.Response) -> bool:
    """A 422 from a server from before protocol 1.1, which knows no ``device`` field."""
    if reply.status_code != 422:
        return False
    try:
        detail = str(reply.json().get("detail"))
    except (ValueError, AttributeError):
        return False
    return "device: Extra inputs are not permitted" in detail


def _detail(reply: requests.Response) -> str:
    try:
        detail = reply.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail)[:200] if detail else reply.reason or "no reason given"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
