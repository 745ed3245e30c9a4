"""Signing in and out: the sign-in form (a wrong email and a wrong password read the same),
a new session at every sign-in, and signing out that ends the session on the server.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync.server.sessions import Outcome
from sync.server.web import auth
from sync.server.web.render import error_summary, page
from sync.server.web.security import safe_next

router = APIRouter()
LONDON = ZoneInfo("Europe/London")
WRONG = "The email or password is not right"


def _target(value: str) -> str:
    target = safe_next(value)
    # Never back to the sign-in or sign-out page itself.
    return "/" if target.startswith((auth.LOGIN_PATH, "/logout")) else target


def _form(
    request: Request,
    target: str,
    status: int = 200,
    email: str = "",
    errors: dict[str, str] | None = None,
    problem: str = "",
    signed_out: bool = False,
) -> Response:
    token = auth.login_csrf_token(request)
    errors = errors or {}
    summary = error_summary(errors)
    if WRONG in errors.values():
        summary = [{"text": WRONG, "href": "#email"}]
    if problem:
        summary = [{"text": problem, "href": ""}]
    response = page(
        request,
        "login.html",
        status=status,
        csrf_token=token,
        next=target,
        email=email,
        errors=errors,
        summary=summary,
        signed_out=signed_out,
    )
    auth.set_login_cookie(response, request, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    next: Annotated[str, Query()] = "",
    signed_out: Annotated[str, Query()] = "",
) -> Response:
    target = _target(next)
    if auth.load_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _form(request, target, signed_out=bool(signed_out))


def _when(retry_at: datetime | None, now: datetime) -> str:
    if retry_at is None:
        return "later"
    minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
    clock = retry_at.astimezone(LONDON).strftime("%H:%M")
    return f"in {minutes} minute{'s' if minutes != 1 else ''}, at {clock}"


@router.post("/login", response_class=HTMLResponse)
def sign_in(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    target = _target(next)
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return _form(request, target, 400, email, errors)
    web = auth.web_app(request)
    result = web.sessions.sign_in(
        email,
        password,
        address=request.client.host if request.client else "",
        ending=request.cookies.get(auth.SESSION_COOKIE, ""),
    )
    now = web.now()
    if result.outcome is Outcome.SIGNED_IN:
        response = RedirectResponse(target, status_code=303)
        auth.set_session_cookie(response, request, result.session_id)
        return response
    if result.outcome is Outcome.LOCKED:
        problem = (
            "This account is locked after too many wrong passwords. "
            f"Try again {_when(result.retry_at, now)}."
        )
        return _form(request, target, 429, email, problem=problem)
    if result.outcome is Outcome.NETWORK_LOCKED:
        problem = (
            "There have been too many failed sign-ins from your network. "
            f"Try again {_when(result.retry_at, now)}."
        )
        return _form(request, target, 429, email, problem=problem)
    if result.outcome is Outcome.DISABLED:
        problem = (
            "This account has been turned off. If you still need it, ask an admin in "
            "your trust to set it up again."
        )
        return _form(request, target, 403, email, problem=problem)
    return _form(request, target, 401, email, {"email": WRONG, "password": WRONG})


@router.post("/logout")
def sign_out(request: Request) -> Response:
    session_id = request.cookies.get(auth.SESSION_COOKIE, "")
    if session_id:
        auth.web_app(request).sessions.sign_out(session_id)
    response = RedirectResponse(f"{auth.LOGIN_PATH}?signed_out=1", status_code=303)
    auth.clear_session_cookie(response, request)
    return response
