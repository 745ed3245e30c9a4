"""The trust's web app, served by the central server beside its API: server-rendered Jinja2
pages in the NHS design system, signed-in users, roles and CSRF-protected forms.

``install(app, engine)`` mounts it on the FastAPI app: the page routers (``pages.ROUTERS``),
the static files (``/static``; the NHS frontend's images at ``/assets``, where its CSS looks
for them), the security headers and the NHS-style error pages. A new page is a module in
``pages/`` with a ``router`` (listed in ``pages.ROUTERS``) and a template in ``templates/``.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import API_PREFIX
from sync.server import accounts, database_errors, sessions
from sync.server.web.auth import (
    PageError,
    SignInRequired,
    WebApp,
    check_csrf,
    login_url,
    not_found,
)
from sync.server.web.pages import ROUTERS
from sync.server.web.render import STATIC, VENDOR, error_page
from sync.server.web.security import SecurityHeaders

log = logging.getLogger("sync.server.web")

#: What a request for a missing or refused page shows, by status.
HTTP_PAGES = {
    # A form no page of this service sends: over a field's size or the number of fields.
    400: PageError(
        400,
        "That form could not be read",
        "It was larger, or had more parts, than any form here sends. Go back to the page you "
        "came from, reload it and send the form again.",
    ),
    404: not_found(),
    405: PageError(
        405, "That cannot be done here", "Go back to the page you came from and try again."
    ),
    413: PageError(
        413,
        "That was too large to send",
        "Nothing was changed. Go back to the page you came from, reload it and send the form "
        "again with less in it.",
    ),
}


def vendor_ready() -> bool:
    return (VENDOR / "nhsuk-frontend.min.css").is_file()


def install(app: FastAPI, engine: Engine, now: accounts.Clock = accounts.utc_now) -> None:
    """Serve the web app from *app*, over *engine*, with *now* as the clock."""
    styled = vendor_ready()
    if not styled:
        log.warning(
            "the NHS frontend is not in %s, so the web app's pages are unstyled (they still "
            "work): run ./dev run (or npm ci, then the copy step in ./dev) to install it",
            VENDOR,
        )
    app.state.web = WebApp(accounts.Accounts(engine, now), sessions.Sessions(engine, now), styled)
    for router in ROUTERS:
        for route in router.routes:
            # HEAD is GET without the body (uvicorn drops it): link checkers and monitors
            # ask it, and HTTP says every GET page answers it. Never a change, as GET.
            if isinstance(route, APIRoute) and route.methods and "GET" in route.methods:
                route.methods.add("HEAD")
        app.include_router(router, dependencies=[Depends(check_csrf)], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.mount("/assets", StaticFiles(directory=VENDOR / "assets", check_dir=False), name="assets")

    api_paths = {p for p in (app.docs_url, app.redoc_url, app.openapi_url) if p}
    if app.swagger_ui_oauth2_redirect_url:
        api_paths.add(app.swagger_ui_oauth2_redirect_url)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return await _error_page(request, exc)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(login_url(exc.target), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        # The API (and its docs) keep FastAPI's JSON errors; people get a page.
        if path.startswith(API_PREFIX) or path in api_paths or exc.status_code not in HTTP_PAGES:
            return await http_exception_handler(request, exc)
        response = await _error_page(request, HTTP_PAGES[exc.status_code])
        # A 405's Allow (the methods the address takes), as HTTP asks.
        response.headers.update(exc.headers or {})
        return response

    app.add_middleware(SecurityHeaders, exempt=api_paths)


async def _error_page(request: Request, error: PageError) -> Response:
    """The page for *error*; the database's own 503 when the page cannot be drawn because the
    database cannot serve (the page says who is signed in, which it reads there)."""
    try:
        return await run_in_threadpool(error_page, request, error)
    except (OperationalError, PoolTimeout) as exc:
        if not database_errors.passing(exc):
            raise
        return database_errors.unavailable(request.url.path, exc)
