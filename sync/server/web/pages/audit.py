"""Audit: every admin action, newest first, 50 a page: when, who (an admin's email, or
"command line" for the server's commands) and what. Admins only; filtered by action.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sync.server import figures
from sync.server.web import times
from sync.server.web.auth import AdminUser, not_found, web_app
from sync.server.web.render import page

router = APIRouter()
PER_PAGE = 50
#: Far beyond any trust's log (50 million entries), so a typed page number stays a number.
LAST_PAGE = 1_000_000


def _page_number(value: str) -> int:
    if not value:
        return 1
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value[:8]) <= LAST_PAGE:
        raise not_found()
    return int(value)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: AdminUser,
    number_: Annotated[str, Query(alias="page")] = "",
    action: str = "",
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    number = _page_number(number_)
    actions = figures.audit_actions(web.engine)
    if action not in actions:
        action = ""
    entries, total = figures.audit_entries(
        web.engine, (number - 1) * PER_PAGE, PER_PAGE, action or None
    )
    pages = max(1, -(-total // PER_PAGE))

    def link(to: int) -> dict[str, str]:
        query = {"action": action, "page": str(to) if to > 1 else ""}
        shown = urlencode({key: value for key, value in query.items() if value})
        return {"href": "/audit" + (f"?{shown}" if shown else ""), "label": f"Page {to} of {pages}"}

    return page(
        request,
        "audit.html",
        entries=[
            {
                "when": times.when(entry.at, now),
                "actor": entry.actor,
                "action": entry.action,
                "detail": entry.detail,
            }
            for entry in entries
        ],
        total=total,
        number=number,
        pages=pages,
        first_shown=(number - 1) * PER_PAGE + 1,
        last_shown=(number - 1) * PER_PAGE + len(entries),
        actions=actions,
        action=action,
        previous=link(min(number - 1, pages)) if number > 1 else None,
        next=link(number + 1) if number < pages else None,
    )
