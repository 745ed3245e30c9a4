"""Every page of the web app, once: how the browser gets to it and who may see it. The
accessibility test and the screenshots walk this list, so a new page is one line here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import sqlalchemy as sa

from sync.server import comment_tags, schema
from sync.server.alerts.raising import NewAlert, insert_alerts
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


def _tagged(what: str) -> Visit:
    """Ward 7's comments tagged as the tagging worker stores them (those it has not tagged),
    then *what*: ``ward`` filtered by a theme, or ``comment``, the first comment's page."""

    def visit(browser: Browser, trust: Trust) -> None:
        table, themes = schema.responses, comment_tags.framework_themes()
        with trust.engine.begin() as conn:
            query = (
                sa.select(table.c.id)
                .where(table.c.ward_name == WARD_7.ward_name, table.c.comment.is_not(None))
                .order_by(table.c.id)
            )
            ids = conn.execute(query).scalars().all()
            done = set(conn.execute(sa.select(schema.comment_tags.c.response_id)).scalars())
            for n, found in enumerate(ids):
                if found not in done:
                    conn.execute(schema.comment_tags.insert().values(
                        response_id=found, themes=json.dumps(themes[n % 5 : n % 5 + 2]),
                        sentiment=n % 5 + 1, model_version="browser-tests",
                        tagged_at=datetime.now(UTC),
                    ))  # fmt: skip
        filtered = ward_path(WARD_7, trust.month) + "&" + urlencode({"topic": themes[0]})
        browser.open(filtered if what == "ward" else f"/comments/{ids[0]}")

    return visit


def _alerts(what: str) -> Visit:
    """Alerts raised for Ward 7's comments and Ward 3's % negative (once; one acknowledged,
    one whose e-mail keeps failing), then *what*: ``list``, or ``alert``, the first's page."""

    def visit(browser: Browser, trust: Trust) -> None:
        now, table = datetime.now(UTC), schema.responses
        commented = (
            sa.select(table.c.id)
            .where(table.c.ward_name == WARD_7.ward_name, table.c.comment.is_not(None))
            .order_by(table.c.id)
        )
        ward_7 = (WARD_7.org_code, WARD_7.site_code, WARD_7.ward_name)
        ward_3 = (WARD_3.org_code, WARD_3.site_code, WARD_3.ward_name)
        with trust.engine.begin() as conn:
            ids = list(conn.execute(commented).scalars())[:2]
            insert_alerts(conn, [
                NewAlert("safeguarding", ward_7, f"response:{ids[0]}", "A comment holds "
                         "safeguarding words; the patient answered 'Poor'.", ids[0]),
                NewAlert("very_negative", ward_7, f"response:{ids[1]}", "A comment was tagged "
                         "very negative (5 of 5); the patient answered 'Very poor'.", ids[1]),
                NewAlert("negative_jump", ward_3, "negative_jump:browser", "% negative 8% → 31%: "
                         "9 of 29 in the 7 days to today, against 6 of 75 in the 28 days before."),
            ], now)  # fmt: skip
            first = conn.execute(sa.select(sa.func.min(schema.alerts.c.id))).scalar_one()
            conn.execute(schema.alerts.update().where(schema.alerts.c.id == first + 1).values(
                acknowledged_by=ADMIN.email, acknowledged_at=now))  # fmt: skip
            if not conn.execute(sa.select(schema.alert_deliveries.c.id)).first():
                conn.execute(schema.alert_deliveries.insert().values(
                    alert_id=first, org_code="RWD", site_code="RWDLA", ward_name="Ward 7",
                    channel="email", recipient=WARD_USER.email, state="retrying", attempts=2,
                    last_error="the mail server smtp.trust.nhs.uk:587 could not be reached "
                    "(Connection refused)", created_at=now, next_try_at=now,
                ))  # fmt: skip
        browser.open("/alerts" if what == "list" else f"/alerts/{first}")

    return visit


PAGES = (
    Page("login", "/login", at("/login"), who=None),
    Page("overview", "/", at("/?month={month}")),
    Page("overview-ward-user", "/", at("/?month={month}"), who=WARD_USER),
    Page("ward", "/ward", _ward_7),
    Page("ward-tagged", "/ward", _tagged("ward")),
    Page("comment", "/comments/{response_id}", _tagged("comment")),
    Page("comment-ward-user", "/comments/{response_id}", _tagged("comment"), who=WARD_USER),
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
    Page("alerts", "/alerts", _alerts("list")),
    Page("alerts-ward-user", "/alerts", _alerts("list"), who=WARD_USER),
    Page("alert", "/alerts/{alert_id}", _alerts("alert")),
    Page("error", "/", at("/no-such-page")),
)


def routes() -> set[str]:
    """Every path the web app's routers serve."""
    return {getattr(route, "path", "") for router in ROUTERS for route in router.routes}


def built(page: Page) -> bool:
    return page.route in routes()
