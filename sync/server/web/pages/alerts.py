"""Alerts: what was raised (safeguarding words, a very negative comment, a jump in %
negative), newest first, for the wards the user may see (an admin: every ward); each with how
its messages went, a link to the comment, and an Acknowledge button (audited). An alert's own
page (``/alerts/<id>``, where e-mails and Teams cards link) shows the comment itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync import fft
from sync.safeguarding import DEFAULT_WORDS, marked
from sync.server import accounts
from sync.server.accounts import place_words
from sync.server.alerts import listing
from sync.server.alerts.raising import KINDS
from sync.server.alerts.sender import QUEUE_WITHIN
from sync.server.devices import Place
from sync.server.web import times
from sync.server.web.auth import CurrentUser, not_found, require_ward, web_app
from sync.server.web.render import page

router = APIRouter()
PER_PAGE = 50
LAST_PAGE = 1_000_000
ACKNOWLEDGED = "alert acknowledged"
KIND_COLOURS = {"safeguarding": "red", "very_negative": "orange", "negative_jump": "yellow"}
CHANNELS = {"email": "E-mail", "webhook": "Webhook"}


def _number(value: str, largest: int) -> int:
    if not value:
        return 1
    # At most 12 digits before int(): a typed address of a million digits stays cheap.
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        raise not_found()
    if not 1 <= int(value) <= largest:
        raise not_found()
    return int(value)


def _sending(request: Request) -> bool:
    """Whether this server sends alerts (its config has e-mail or a webhook)."""
    config = getattr(request.app.state, "alert_config", None)
    return config is not None and config.alerts is not None


def _ward_link(place: Place, month: str = "") -> str:
    query = [("org", place.org_code), ("site", place.site_code), ("ward", place.ward_name)]
    if month:
        query.append(("month", month))
    return f"/ward?{urlencode(query)}"


def delivery_state(alert: listing.Alert, sending: bool) -> dict[str, str]:
    """How an alert's messages went, in a few words (``text``), a tag ``colour`` and a
    sentence more (``detail``) when something needs attention."""
    states = [d.state for d in alert.deliveries]
    if not states:
        if alert.queued_at is None:
            if sending:
                return {"text": "Sending", "colour": "blue", "detail": ""}
            return {
                "text": "Not sent",
                "colour": "grey",
                "detail": "This server has no e-mail or webhook set up (see the README's "
                "Alerts section), so alerts are only listed here.",
            }
        if alert.raised_at < alert.queued_at - QUEUE_WITHIN:
            why = "It was raised before sending was set up."
        else:
            why = "Nobody was set to receive it: link ward users to this ward, or add recipients."
        return {"text": "Not sent", "colour": "grey", "detail": why}
    failing = [d for d in alert.deliveries if d.state in ("failed", "retrying")]
    if any(d.state == "failed" for d in failing):
        worst = next(d for d in failing if d.state == "failed")
        return {
            "text": "Failed",
            "colour": "red",
            "detail": f"Gave up after {worst.attempts} tries: {worst.last_error or 'no reason'}.",
        }
    if failing:
        first = failing[0]
        when = times.london(first.next_try_at) if first.next_try_at else "shortly"
        return {
            "text": "Retrying",
            "colour": "orange",
            "detail": f"{first.attempts} failed {'try' if first.attempts == 1 else 'tries'}, "
            f"next at {when}: {first.last_error or 'no reason'}.",
        }
    if "pending" in states:
        return {"text": "Sending", "colour": "blue", "detail": ""}
    if "held" in states:
        return {
            "text": "Held back",
            "colour": "grey",
            "detail": "Over the hourly limit for this ward: it goes in one digest message soon.",
        }
    sent = sum(1 for s in states if s == "sent")
    digested = sum(1 for s in states if s == "digested")
    detail = f"To {sent} {'recipient' if sent == 1 else 'recipients'}" if sent else ""
    if digested:
        detail += ("; " if detail else "") + f"{digested} in a digest"
    return {"text": "Sent", "colour": "green", "detail": detail + "."}


def _row(alert: listing.Alert, sending: bool, now: datetime) -> dict[str, Any]:
    return {
        "id": alert.id,
        "href": f"/alerts/{alert.id}",
        "kind": KINDS.get(alert.kind, alert.kind),
        "colour": KIND_COLOURS.get(alert.kind, "grey"),
        "ward": alert.place.ward_name,
        "place": place_words(alert.place),
        "ward_href": _ward_link(alert.place),
        "when": times.when(alert.raised_at, now, short=True),
        "details": alert.details,
        "delivery": delivery_state(alert, sending),
        "acknowledged": (
            {"by": alert.acknowledged_by, "when": times.when(alert.acknowledged_at, now, True)}
            if alert.acknowledged_at
            else None
        ),
        "has_comment": alert.response_id is not None,
    }


def _place(org: str, site: str, ward: str, user: accounts.User) -> Place | None:
    """The ward the list is narrowed to (a digest's link), if the address names one."""
    if not (org or site or ward):
        return None
    fits = len(org) <= 9 and len(site) <= 9 and len(ward) <= 100
    if not (fits and (org + site + ward).isprintable()):
        raise not_found()
    place = Place(org, site, ward)
    require_ward(user, place)
    return place


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    user: CurrentUser,
    number_: Annotated[str, Query(alias="page")] = "",
    org: str = "",
    site: str = "",
    ward: str = "",
    acknowledged: str = "",
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    number = _number(number_, LAST_PAGE)
    place = _place(org, site, ward, user)
    found, total = listing.page_of_alerts(
        web.engine, user.scope, (number - 1) * PER_PAGE, PER_PAGE, place
    )
    pages = max(1, -(-total // PER_PAGE))
    sending = _sending(request)
    narrowed = [("org", org), ("site", site), ("ward", ward)] if place else []

    def link(to: int) -> dict[str, str]:
        query = narrowed + ([("page", str(to))] if to > 1 else [])
        return {
            "href": "/alerts" + (f"?{urlencode(query)}" if query else ""),
            "label": f"Page {to} of {pages}",
        }

    return page(
        request,
        "alerts.html",
        alerts=[_row(alert, sending, now) for alert in found],
        total=total,
        number=number,
        pages=pages,
        first_shown=(number - 1) * PER_PAGE + 1,
        last_shown=(number - 1) * PER_PAGE + len(found),
        place=place_words(place) if place else "",
        waiting=listing.unacknowledged(web.engine, user.scope, place),
        sending=sending,
        done=_done(acknowledged),
        previous=link(min(number - 1, pages)) if number > 1 else None,
        next=link(number + 1) if number < pages else None,
    )


def _done(acknowledged: str) -> str:
    if acknowledged.isascii() and acknowledged.isdigit() and len(acknowledged) < 12:
        return f"You acknowledged alert {int(acknowledged)}"
    return ""


def _visible(
    request: Request, user: accounts.User, alert_id: int
) -> tuple[listing.Alert, listing.Comment | None]:
    found = listing.one_alert(web_app(request).engine, alert_id)
    if found is None:
        raise not_found()
    require_ward(user, found[0].place)
    return found


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request, user: CurrentUser, alert_id: str, acknowledged: str = ""
) -> HTMLResponse:
    number = _number(alert_id, 2**31 - 1)
    alert, comment = _visible(request, user, number)
    now = web_app(request).now()
    shown_comment = None
    if comment is not None:
        shown_comment = {
            "runs": marked(comment.text, DEFAULT_WORDS),
            "answer": fft.CODES.get(comment.rating, "No answer"),
            "when": times.when(comment.answered_at, now),
            "ward_href": _ward_link(alert.place, comment.local_date.strftime("%Y-%m"))
            + "#comments",
        }
    return page(
        request,
        "alert.html",
        alert=_row(alert, _sending(request), now),
        comment=shown_comment,
        comment_missing=alert.response_id is not None and comment is None,
        deliveries=[
            {
                "channel": CHANNELS.get(d.channel, d.channel),
                "recipient": "Teams or other webhook" if d.channel == "webhook" else d.recipient,
                "state": d.state.capitalize(),
                "attempts": d.attempts,
                "error": d.last_error or "",
                "sent": times.when(d.sent_at, now, short=True),
            }
            for d in alert.deliveries
        ],
        done=_done(acknowledged),
    )


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    user: CurrentUser,
    alert_id: str,
    back: Annotated[str, Form()] = "",
) -> Response:
    number = _number(alert_id, 2**31 - 1)
    alert, _ = _visible(request, user, number)
    web = web_app(request)
    at = web.now()
    with web.engine.begin() as conn:
        if listing.acknowledge_on(conn, number, user.email, at):
            detail = (
                f"alert {number}: {KINDS.get(alert.kind, alert.kind)} on {place_words(alert.place)}"
            )
            accounts.audit(conn, accounts.Actor.of(user), ACKNOWLEDGED, detail, at)
    target = f"/alerts/{number}" if back == "alert" else "/alerts"
    return RedirectResponse(f"{target}?acknowledged={number}", status_code=303)
