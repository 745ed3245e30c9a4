"""Who is asking, and may they: the session cookie, the page dependencies (``CurrentUser``,
``AdminUser``, ``require_ward``) and the CSRF check every state-changing request passes.

Page modules use these and never read cookies or sessions themselves.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine

from sync.server import accounts, sessions
from sync.server.devices import Place

SESSION_COOKIE = "ward_session"
#: The login form's CSRF token before there is a session: the form's hidden field must
#: equal this cookie (double submit), so another site cannot sign a browser in as itself.
LOGIN_CSRF_COOKIE = "ward_login_csrf"
CSRF_FIELD = "csrf_token"
LOGIN_PATH = "/login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PageError(Exception):
    """A page that cannot be shown: rendered as an NHS-style error page with *status*.

    Attributes:
        heading: the page's heading, e.g. "Page not found".
        message: a sentence saying what happened and what to do.
        link: where to go next, as (path, words).
    """

    def __init__(
        self,
        status: int,
        heading: str,
        message: str,
        link: tuple[str, str] = ("/", "Go to the overview"),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.heading = heading
        self.message = message
        self.link = link


class SignInRequired(Exception):
    """No live session: the browser is sent to sign in, and then back to *target*."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def not_found() -> PageError:
    return PageError(
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you "
        "copied the whole address. You can go back to the overview.",
    )


def forbidden() -> PageError:
    return PageError(
        403,
        "You cannot see this page",
        "This page is for admins. If you need it for your work, ask an admin in your trust.",
    )


def csrf_refused(signing_in: bool = False) -> PageError:
    if signing_in:
        return PageError(
            403,
            "The sign-in page had expired",
            "The sign-in form was not sent from this service's own sign-in page, or it was "
            "open too long. Sign in again from a fresh page. Your browser must allow "
            "cookies from this site.",
            (LOGIN_PATH, "Sign in again"),
        )
    return PageError(
        403,
        "This form has expired",
        "The form was not sent from a page of this service, or your session has ended. "
        "Go back, reload the page (sign in again if asked) and send the form again. Your "
        "browser must allow cookies from this site.",
    )


@dataclass(frozen=True)
class WebApp:
    """What every page needs: the database, its users and sessions, and the clock.

    Attributes:
        styled: whether the NHS frontend's CSS and JS were found (``./dev`` installs them).
    """

    accounts: accounts.Accounts
    sessions: sessions.Sessions
    styled: bool

    @property
    def engine(self) -> Engine:
        return self.accounts.engine

    def now(self) -> datetime:
        return self.sessions.now()


def web_app(request: Request) -> WebApp:
    web: WebApp = request.app.state.web
    return web


def load_session(request: Request) -> sessions.Session | None:
    """The request's live session, looked up once per request."""
    if not hasattr(request.state, "session"):
        session_id = request.cookies.get(SESSION_COOKIE, "")
        request.state.session = web_app(request).sessions.session(session_id)
    found: sessions.Session | None = request.state.session
    return found


def _target(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def signed_in(request: Request) -> sessions.Session:
    session = load_session(request)
    if session is None:
        raise SignInRequired(_target(request))
    return session


def current_user(session: Annotated[sessions.Session, Depends(signed_in)]) -> accounts.User:
    return session.user


CurrentUser = Annotated[accounts.User, Depends(current_user)]


def require_admin(user: CurrentUser) -> accounts.User:
    """The signed-in user, if an admin; anyone else gets the 403 page."""
    if not user.is_admin:
        raise forbidden()
    return user


AdminUser = Annotated[accounts.User, Depends(require_admin)]


def require_ward(user: accounts.User, place: Place) -> None:
    """Refuse a ward outside the user's wards with the 404 page (a 403 would tell a ward
    user that the other ward exists)."""
    if not user.may_see(place):
        raise not_found()


async def check_csrf(request: Request) -> None:
    """Every request that changes something must carry the form field ``csrf_token``: the
    session's token, or on the sign-in form the pre-session cookie's. Applied to every page
    router by ``web.install``, so a new form cannot forget it."""
    if request.method in SAFE_METHODS:
        return
    signing_in = request.url.path == LOGIN_PATH
    # Browsers say where a request came from; one from another site is refused outright.
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise csrf_refused(signing_in)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not sent:
        raise csrf_refused(signing_in)
    if signing_in:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        session = await run_in_threadpool(load_session, request)
        expected = session.csrf_token if session else ""
    if not expected or not hmac.compare_digest(sent.encode(errors="replace"), expected.encode()):
        raise csrf_refused(signing_in)


def login_csrf_token(request: Request) -> str:
    """The sign-in form's token: the browser's cookie if it has a sound one, else a new one
    (kept, so two sign-in tabs both work)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return token if 40 <= len(token) <= 64 and token.isascii() else secrets.token_urlsafe(32)


def _secure(request: Request) -> bool:
    # Behind a TLS proxy, uvicorn's --proxy-headers makes the scheme the browser's.
    return request.url.scheme == "https"


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    # Strict: the sign-in form is only ever posted from this site's own sign-in page.
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path=LOGIN_PATH,
    )


def set_session_cookie(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )


def login_url(target: str) -> str:
    return LOGIN_PATH if target in ("", "/") else f"{LOGIN_PATH}?next={quote(target, safe='/')}"
