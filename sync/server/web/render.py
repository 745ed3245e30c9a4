"""Turning a template into a page: the Jinja2 environment (autoescape on for every template),
what every page's template is given (the user, the header's navigation, the CSRF field), and
the NHS-style error pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from sqlalchemy.engine import Engine

from sync.server.schema import tagger_status
from sync.server.web.auth import CSRF_FIELD, PageError, load_session, web_app

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
#: Where ./dev copies the NHS frontend's built CSS, JS and assets (git-ignored).
VENDOR = STATIC / "vendor" / "nhsuk-frontend"
SERVICE_NAME = "Ward feedback"


@dataclass(frozen=True)
class NavItem:
    """A link in the header's navigation; ``admin`` ones are shown to admins only."""

    label: str
    href: str
    admin: bool = False


#: The header's navigation, in order. A new page adds its entry here.
NAVIGATION = (
    NavItem("Overview", "/"),
    # A ward user sees their own wards' rows of it (see pages/submission.py).
    NavItem("NHS submission", "/submission"),
    NavItem("Alerts", "/alerts"),
    NavItem("Devices", "/devices", admin=True),
    NavItem("Users", "/users", admin=True),
    NavItem("Audit", "/audit", admin=True),
)


@jinja2.pass_context
def csrf_field(context: jinja2.runtime.Context) -> Markup:
    """``{{ csrf_field() }}`` inside every ``<form method="post">``: the hidden token that
    ``auth.check_csrf`` wants."""
    token = context.get("csrf_token") or ""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name: text from kiosks is never markup
    undefined=jinja2.StrictUndefined,  # a misspelt variable fails the test, not the reader
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(csrf_field=csrf_field, service_name=SERVICE_NAME)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render *template* with *context* and what every page is given:

    ``user`` (None when signed out), ``csrf_token``, ``navigation`` (the user's header
    links, each with ``current``), ``styled`` and ``path``. Call it from a plain ``def`` route:
    it may look up the session in the database.
    """
    session = load_session(request)
    user = session.user if session else None
    path = request.url.path
    navigation = [
        {"label": item.label, "href": item.href, "current": _current(item.href, path)}
        for item in NAVIGATION
        if user is not None and (user.is_admin or not item.admin)
    ]
    values: dict[str, Any] = {
        "user": user,
        "csrf_token": session.csrf_token if session else "",
        "navigation": navigation,
        "styled": web_app(request).styled,
        "path": path,
        # Admins hear when comments are not being tagged (the model failed to load).
        "tagging_problem": _tagging_problem(web_app(request).engine)
        if user and user.is_admin
        else None,
    }
    values.update(context)
    html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def _tagging_problem(engine: Engine) -> str | None:
    """What the tagging workers last said when their model is not working, else None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(tagger_status.c.state, tagger_status.c.detail)).first()
    return row.detail if row is not None and row.state != "ready" else None


def error_summary(errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's entries for a form's *errors* (field id -> message), each linking
    to its field, in the order the fields were checked."""
    return [{"text": text, "href": f"#{field}"} for field, text in errors.items()]


def _current(href: str, path: str) -> bool:
    return path == href if href == "/" else path == href or path.startswith(href + "/")


def error_page(request: Request, error: PageError) -> HTMLResponse:
    return page(
        request,
        "error.html",
        status=error.status,
        heading=error.heading,
        message=error.message,
        link=error.link,
    )
