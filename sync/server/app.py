"""The server's HTTP API: FastAPI routes over devices, ingest and reports, as the protocol says;
and the trust's web app beside it (``sync.server.web``).

``create_app`` is the factory; ``python -m sync.server serve`` runs it under uvicorn. Every
error reply is ``{"detail": "..."}`` with a sentence a person can act on.
"""

import hmac
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync import fft
from sync.protocol import (
    API_PREFIX,
    MAX_BODY_BYTES,
    Batch,
    BatchResult,
    DeviceInfo,
    DeviceReport,
    EnrollReply,
    EnrollRequest,
    ErrorReply,
    FFTReport,
    Health,
)
from sync.server import accounts, database_errors, devices, reports, schema, web
from sync.server.alerts import settings as alert_settings
from sync.server.alerts.worker import AlertWorker
from sync.server.ingest import ingest
from sync.server.tagging_worker import TaggingWorker

log = logging.getLogger("sync.server")

bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorReply} for code in (400, 401, 403, 409, 413, 422, 503)
}


class BodyLimit:
    """Refuses request bodies over *limit* bytes with 413, before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge(self.limit)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await _too_large(self.limit, send)


class _BodyTooLarge(HTTPException):
    # An HTTPException, so a route that reads its body through FastAPI (which turns any other
    # error while reading into "400: error parsing the body") still answers 413.
    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_words(limit))


def _too_large_words(limit: int) -> str:
    return f"the request body is over {limit // (1024 * 1024)} MB; send smaller batches"


async def _too_large(limit: int, send: Send) -> None:
    body = ErrorReply(detail=_too_large_words(limit)).model_dump_json()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def create_app(
    engine: Engine,
    admin_token: str | None = None,
    now: accounts.Clock = accounts.utc_now,
    tagger: TaggingWorker | None = None,
    alerts: AlertWorker | None = None,
) -> FastAPI:
    """The API and the web app over *engine*. Reports need *admin_token*; without one they
    are refused. *now* is the web app's clock (sessions, sign-in locks); tests pass their own.
    *tagger* tags new comments in the background while the app runs (``serve`` gives one);
    without it nothing is tagged unless ``tagging.run_once`` is called. *alerts* checks
    wards' % negative and sends alerts in the background likewise (``serve`` gives one).
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if tagger is not None:
            tagger.start()
        if alerts is not None:
            alerts.start()
        try:
            yield
        finally:
            if tagger is not None:
                await run_in_threadpool(tagger.stop)
            if alerts is not None:
                await run_in_threadpool(alerts.stop)

    app = FastAPI(
        title="Ward feedback central server",
        version="1",
        description="Receives NHS Friends and Family Test responses from ward kiosks.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors()[:5]:
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            problems.append(f"{where or 'body'}: {error.get('msg', 'is invalid')}")
        more = len(exc.errors()) - len(problems)
        detail = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
        return JSONResponse(status_code=422, content={"detail": f"invalid request: {detail}"})

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # Validation should refuse such values first; this keeps a gap from becoming a 500.
        log.warning("refused a value the database cannot store: %s", exc.orig)
        return JSONResponse(
            status_code=422,
            content={
                "detail": "the request holds a value the database cannot store (for "
                "example a character it does not allow); correct it and send again"
            },
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> Response:
        if not database_errors.passing(exc):
            raise exc  # a bug or a schema out of step: a 500, with its traceback logged
        return database_errors.unavailable(request.url.path, exc)

    def device_for(credentials: Credentials) -> devices.Device:
        if credentials is None:
            raise HTTPException(401, "send the device token as 'Authorization: Bearer <token>'")
        device = devices.device_for_token(engine, credentials.credentials)
        if device is None:
            raise HTTPException(401, "unknown device token; enrol this kiosk again")
        if device.revoked:
            raise HTTPException(401, "this device was revoked; ask IT to enrol it again")
        return device

    def require_admin(credentials: Credentials) -> None:
        if not admin_token:
            raise HTTPException(
                403, "reports are disabled on this server: set WARD_SYNC_ADMIN_TOKEN and restart"
            )
        if credentials is None or not hmac.compare_digest(
            credentials.credentials.encode(), admin_token.encode()
        ):
            raise HTTPException(401, "send the admin token as 'Authorization: Bearer <token>'")

    @app.get(f"{API_PREFIX}/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok")

    @app.get(f"{API_PREFIX}/devices/me", response_model=DeviceInfo, responses=ERRORS)
    def whoami(device: Annotated[devices.Device, Depends(device_for)]) -> DeviceInfo:
        """Who this device token belongs to: for a kiosk's self-test."""
        return DeviceInfo(
            device_id=device.device_id,
            org_code=device.org_code,
            site_code=device.site_code,
            ward_name=device.ward_name,
        )

    @app.post(
        f"{API_PREFIX}/devices/enroll",
        response_model=EnrollReply,
        status_code=status.HTTP_201_CREATED,
        responses=ERRORS,
    )
    def enroll(request: EnrollRequest, credentials: Credentials) -> EnrollReply:
        """Enrol a device. A device already enrolled is enrolled again only with its own
        current token as the Bearer token, or after an admin revokes it."""
        try:
            token, place = devices.enroll(
                engine,
                request.enrollment_key,
                str(request.device_id),
                request.name,
                request.app_version,
                current_token=credentials.credentials if credentials else None,
            )
        except devices.EnrollmentRefused:
            raise HTTPException(
                403, "the enrollment key is unknown, revoked, expired or used up; ask IT for one"
            ) from None
        except devices.DeviceTaken:
            raise HTTPException(
                409,
                f"device {request.device_id} is already enrolled; enrol it again from the "
                "device itself, or ask IT to revoke it first (python -m sync.server devices "
                "revoke)",
            ) from None
        log.info("enrolled device %s for %s %s", request.device_id, place.org_code, place.ward_name)
        return EnrollReply(
            device_token=token,
            org_code=place.org_code,
            site_code=place.site_code,
            ward_name=place.ward_name,
        )

    @app.post(
        f"{API_PREFIX}/responses/batch",
        response_model=BatchResult,
        responses=ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}},
            }
        },
    )
    async def push_batch(request: Request, credentials: Credentials) -> Response:
        if credentials is None:
            raise HTTPException(401, "send the device token as 'Authorization: Bearer <token>'")
        # Parsed and validated in one pass by pydantic's own JSON parser: several times faster
        # than decoding to Python objects first, and it refuses invalid UTF-8 and absurd
        # nesting by itself.
        try:
            batch = Batch.model_validate_json(await request.body())
        except ValidationError as exc:
            # Only an enrolled device hears what is wrong with a body; anyone else hears
            # about their token. (A good body has its token checked inside the batch's own
            # transaction below, which saves a round trip on the busy path.)
            await run_in_threadpool(device_for, credentials)
            raise RequestValidationError(exc.errors(include_url=False)) from None
        # The token is checked inside the batch's own transaction. The tagging worker
        # waits while batches are being stored, so tagging never slows a kiosk's batch.
        try:
            with tagger.ingesting() if tagger is not None else nullcontext():
                result = await run_in_threadpool(
                    ingest,
                    engine,
                    credentials.credentials,
                    str(batch.batch_id),
                    batch.responses,
                    batch.device,
                )
        except devices.NotAuthorised as exc:
            raise HTTPException(401, str(exc)) from None
        log.info(
            "batch %s: %d accepted, %d duplicate, %d rejected",
            batch.batch_id,
            len(result.accepted),
            len(result.duplicate),
            len(result.rejected),
        )
        return Response(result.model_dump_json(), media_type="application/json")

    @app.post(
        f"{API_PREFIX}/devices/heartbeat",
        response_model=Health,
        responses=ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/DeviceReport"}}
                },
            }
        },
    )
    async def heartbeat(request: Request, credentials: Credentials) -> Health:
        """A kiosk with nothing to send says how it is (protocol 1.1)."""
        # The token first, as for a batch: only an enrolled device hears about its body.
        device = await run_in_threadpool(device_for, credentials)
        try:
            report = DeviceReport.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        if not await run_in_threadpool(
            devices.record_heartbeat, engine, device.device_id, report
        ):
            raise HTTPException(401, "this device was revoked; ask IT to enrol it again")
        return Health(status="ok")

    @app.get(
        f"{API_PREFIX}/reports/fft",
        response_model=FFTReport,
        responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
        dependencies=[Depends(require_admin)],
    )
    def fft_report(
        period: Annotated[str, Query(description="the month, YYYY-MM")],
        level: Literal["ward", "site", "org"] = "ward",
        format: Literal["json", "csv"] = "json",
        suppress: bool = False,
        include_flagged: bool = False,
        by_survey: Annotated[
            bool, Query(description="each row's counts per survey version too (JSON only)")
        ] = False,
    ) -> Response | FFTReport:
        if by_survey and format == "csv":
            raise HTTPException(
                400,
                "by_survey is JSON only (NHS England's CSV has no survey column); "
                "leave out format=csv",
            )
        try:
            report = reports.fft_report(engine, period, level, suppress, include_flagged, by_survey)
        except fft.PeriodError as exc:
            raise HTTPException(400, str(exc)) from None
        if by_survey:  # its rows carry by_survey, which the FFTReport model would drop
            return JSONResponse(report.model_dump(mode="json"))
        if format == "csv":
            return PlainTextResponse(
                reports.report_csv(report),
                media_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="fft-{period}-{level}.csv"'},
            )
        return report

    # The Alerts page says whether alerts are sent, or only listed there.
    app.state.alert_config = alerts.config if alerts is not None else None
    web.install(app, engine, now)
    app.add_middleware(BodyLimit)
    _publish(app, Batch, DeviceReport)
    return app


def app_from_environment() -> FastAPI:
    """The app for uvicorn worker processes (``--workers``): database, token and whether to
    tag comments from the environment that ``serve`` sets. Each process tags for itself."""
    engine = schema.open_database(os.environ["WARD_SYNC_DB_URL"])
    return create_app(
        engine,
        os.environ.get("WARD_SYNC_ADMIN_TOKEN") or None,
        tagger=TaggingWorker(engine) if os.environ.get(TAGGING_ENV, "1") == "1" else None,
        alerts=AlertWorker(engine, alert_settings.load(alert_settings.config_path(None))),
    )


#: "0" turns the background comment tagging off in ``serve``'s worker processes.
TAGGING_ENV = "WARD_SYNC_TAGGING"


def _publish(app: FastAPI, *models: type[Batch | DeviceReport]) -> None:
    """Put models that routes read by hand into the OpenAPI document's components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
