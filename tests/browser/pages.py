"""Every page of the web app, once: how the browser gets to it and who may see it. The
accessibility test and the screenshots walk this list, so a new page is one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa

from sync.server import schema
from sync.server.devices import Place
from sync.server.web.pages import ROUTERS
from tests.browser.browser import Browser
from tests.browser.site import ADMIN, WARD_3, WARD_7, WARD_12, WARD_USER, Person, Trust

Visit = Callable[[Browser, Trust], None]


@dataclass(frozen=True)
class Page:
    """A page to visit.

    Attributes:
        name: its screenshots' name, ``docs/screenshots/web/<name>-<width>.png``.
        route: the route that serves it, as its router declares it.
        visit: takes the browser there, signed in as ``who`` already.
        who: who is signed in to see it; None for signed out.
    """

    name: str
    route: str
    visit: Visit
    who: Person | None = ADMIN

    def __str__(self) -> str:
        return self.name


def at(path: str) -> Visit:
    """Open *path*; ``{month}`` in it is the month the tests look at closely."""

    def visit(browser: Browser, trust: Trust) -> None:
        browser.open(path.format(month=trust.month))

    return visit


def ward_path(place: Place, month: str) -> str:
    """The ward page's address, as the Overview links it."""
    query = {"org": place.org_code, "site": place.site_code, "ward": place.ward_name}
    return "/ward?" + urlencode({**query, "month": month})


def _ward_7(browser: Browser, trust: Trust) -> None:
    browser.open(ward_path(WARD_7, trust.month))


def _new_key(browser: Browser, trust: Trust) -> None:
    """The page that shows a new enrolment key once, reached through its form."""
    browser.open("/devices/keys/new")
    for label, value in (
        ("Organisation ODS code", WARD_12.org_code),
        ("Site ODS code", WARD_12.site_code),
        ("Ward name", WARD_12.ward_name),
    ):
        browser.field(label).clear()
        browser.field(label).send_keys(value)
    browser.press(browser.button("Make key"))


def _ward_user(path: str) -> Visit:
    """*path* with ``{id}``: the ward user's id."""

    def visit(browser: Browser, trust: Trust) -> None:
        with trust.engine.connect() as conn:
            found = conn.execute(
                sa.select(schema.users.c.id).where(schema.users.c.email == WARD_USER.email)
            ).scalar_one()
        browser.open(path.format(id=found))

    return visit


def _revoke_kiosk(browser: Browser, trust: Trust) -> None:
    with trust.engine.connect() as conn:
        found = conn.execute(
            sa.select(schema.devices.c.device_id).where(
                schema.devices.c.ward_name == WARD_3.ward_name
            )
        ).scalar_one()
    browser.open(f"/devices/kiosks/{found}/revoke")


PAGES = (
    Page("login", "/login", at("/login"), who=None),
    Page("overview", "/", at("/?month={month}")),
    Page("overview-ward-user", "/", at("/?month={month}"), who=WARD_USER),
    Page("ward", "/ward", _ward_7),
    Page("submission", "/submission", at("/submission?month={month}")),
    Page("submission-ward-user", "/submission", at("/submission?month={month}"), who=WARD_USER),
    Page("devices", "/devices", at("/devices")),
    Page("kiosk-revoke", "/devices/kiosks/{device_id}/revoke", _revoke_kiosk),
    Page("key-new", "/devices/keys/new", at("/devices/keys/new")),
    Page("key-created", "/devices/keys/new", _new_key),
    Page("users", "/users", at("/users")),
    Page("user-new", "/users/new", at("/users/new")),
    Page("user-password", "/users/{user_id}/password", _ward_user("/users/{id}/password")),
    Page("user-disable", "/users/{user_id}/disable", _ward_user("/users/{id}/disable")),
    Page("audit", "/audit", at("/audit")),
    Page("error", "/", at("/no-such-page")),
)


def routes() -> set[str]:
    """Every path the web app's routers serve."""
    return {getattr(route, "path", "") for router in ROUTERS for route in router.routes}


def built(page: Page) -> bool:
    return page.route in routes()
