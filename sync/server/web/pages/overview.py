"""The Overview: one row per ward the user may see for a month, with its responses,
% positive and negative, the change since last month and a 12-month sparkline; filtered by
site and sorted on the server, so it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sync import fft
from sync.server import figures
from sync.server.web.auth import CurrentUser, PageError, web_app
from sync.server.web.render import page
from sync.server.web.sparkline import month_name, months_back, positive_sparkline, shared_floor

router = APIRouter()
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Column:
    """A sortable column: its heading, and the order a first click sorts it in."""

    heading: str
    first_order: str


COLUMNS = {
    "ward": Column("Ward", "asc"),
    "responses": Column("Responses", "desc"),
    "positive": Column("% positive", "desc"),
    "negative": Column("% negative", "desc"),
    "change": Column("Change in % positive", "desc"),
}
DEFAULT_SORT = "ward"


def this_month(now: date) -> date:
    return now.replace(day=1)


def _figure(ward: figures.WardMonth, column: str) -> float | None:
    """The ward's figure in a numeric column, exact (not rounded) so that sorting is true."""
    if column == "responses":
        return float(ward.counts.total)
    if column == "positive":
        return ward.counts.percent_positive
    if column == "negative":
        return ward.counts.percent_negative
    change = ward.change_positive
    return None if change is None else float(change)


def _by_name(ward: figures.WardMonth) -> tuple[str, str, str]:
    place = ward.place
    return (place.ward_name.casefold(), place.site_code, place.org_code)


def sort_wards(
    wards: Sequence[figures.WardMonth], column: str, order: str
) -> list[figures.WardMonth]:
    """*wards* sorted by *column* in *order*; wards with no figure for it come last either
    way, and ties go by ward name."""
    by_name = sorted(wards, key=_by_name)
    if column == "ward":
        return by_name[::-1] if order == "desc" else by_name
    known = [w for w in by_name if _figure(w, column) is not None]
    # Python's sort is stable, so equal figures stay in name order.
    known.sort(key=lambda w: _figure(w, column) or 0.0, reverse=order == "desc")
    return known + [w for w in by_name if _figure(w, column) is None]


def change_words(change: Decimal | None) -> str:
    """The change in % positive, in words, so it never rests on colour: "up 5 points"."""
    if change is None:
        return ""
    if change == 0:
        return "no change"
    size = abs(change)
    size = size.quantize(Decimal(1)) if size == size.to_integral_value() else size
    unit = "point" if size == 1 else "points"
    return f"{'up' if change > 0 else 'down'} {size} {unit}"


def _site_param(value: str) -> tuple[str, str] | None:
    org, slash, site = value.partition("/")
    return (org, site) if slash and org and site else None


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    user: CurrentUser,
    month: str = "",
    site: str = "",
    sort: str = DEFAULT_SORT,
    order: str = "",
) -> HTMLResponse:
    web = web_app(request)
    today = web.now().astimezone(LONDON).date()
    try:
        first, _ = fft.parse_period(month or today.strftime("%Y-%m"))
    except fft.PeriodError as exc:
        raise PageError(
            400,
            "There is no overview for that month",
            f"The month in the web address is not one we can show: {exc}.",
            ("/", "Go to this month's overview"),
        ) from None
    sites = figures.sites(web.engine, user.scope)
    chosen = _site_param(site) if site else None
    if site and chosen not in sites:
        raise PageError(
            400,
            "There is no such site",
            f"None of your wards is at the site {site!r}. Choose a site from the list on "
            "the overview.",
        )
    if sort not in COLUMNS:
        sort = DEFAULT_SORT
    if order not in ("asc", "desc"):
        order = COLUMNS[sort].first_order
    wards = sort_wards(figures.wards_for_month(web.engine, first, user.scope, chosen), sort, order)

    def link(**changes: str) -> str:
        query = {"month": first.strftime("%Y-%m"), "site": site, "sort": sort, "order": order}
        query.update(changes)
        if query["sort"] == DEFAULT_SORT and query["order"] == COLUMNS[DEFAULT_SORT].first_order:
            del query["sort"], query["order"]
        return "/?" + urlencode({k: v for k, v in query.items() if v})

    months = months_back(first, 12)
    floor = shared_floor([ward.trend for ward in wards])
    previous, following = months_back(first, 2)[0], _next(first)
    return page(
        request,
        "overview.html",
        month=first,
        month_name=month_name(first),
        month_value=first.strftime("%Y-%m"),
        sites=[{"value": f"{o}/{s}", "label": f"{s} ({o})"} for o, s in sites],
        site=site,
        sort=sort,
        order=order,
        headings=[_heading(key, sort, order, link) for key in COLUMNS],
        rows=[_row(ward, months, first, floor) for ward in wards],
        previous={"href": link(month=previous.strftime("%Y-%m")), "label": month_name(previous)},
        next=(
            {"href": link(month=following.strftime("%Y-%m")), "label": month_name(following)}
            if following <= this_month(today)
            else None
        ),
    )


def _next(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _heading(key: str, sort: str, order: str, link: Callable[..., str]) -> dict[str, Any]:
    column = COLUMNS[key]
    if key == sort:
        aria_sort = "ascending" if order == "asc" else "descending"
        href = link(sort=key, order="desc" if order == "asc" else "asc")
    else:
        aria_sort, href = None, link(sort=key, order=column.first_order)
    return {
        "key": key,
        "text": column.heading,
        "href": href,
        "aria_sort": aria_sort,
        "numeric": key != "ward",
    }


def _row(ward: figures.WardMonth, months: list[date], first: date, floor: int) -> dict[str, Any]:
    place, counts = ward.place, ward.counts
    trend = list(ward.trend)
    return {
        "ward": place.ward_name,
        "site": place.site_code,
        "org": place.org_code,
        "href": "/ward?"
        + urlencode(
            {
                "org": place.org_code,
                "site": place.site_code,
                "ward": place.ward_name,
                "month": first.strftime("%Y-%m"),
            }
        ),
        "responses": counts.total,
        "positive": fft.whole_percent(counts.positive, counts.total) if counts.total else "",
        "negative": fft.whole_percent(counts.negative, counts.total) if counts.total else "",
        "change": change_words(ward.change_positive),
        "no_responses": ward.no_responses,
        "sparkline": positive_sparkline(months[len(months) - len(trend) :], trend, floor),
    }
