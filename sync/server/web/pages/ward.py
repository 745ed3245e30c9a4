"""The Ward page: one ward's month, its figures true and as NHS England will publish them, its
last 12 months and each day, what its comments talk about (the tagger's framework themes, see
``ward_topics``), the theme chips patients tapped, and its comments with their tags (searched,
filtered, a page at a time, safeguarding ones pinned: see ``ward_comments``); and the month's
responses as a CSV download.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from sync import fft, safeguarding
from sync.server import comment_tags, figures, reports
from sync.server.devices import Place
from sync.server.ward_responses import ward_comments_mentioning
from sync.server.web.auth import CurrentUser, PageError, not_found, require_ward, web_app
from sync.server.web.pages import ward_comments as listing
from sync.server.web.pages.comment import CORRECTIONS_CSV
from sync.server.web.pages.ward_topics import topics
from sync.server.web.render import page
from sync.server.web.sparkline import bar_chart, month_name, months_back, percent_chart

router = APIRouter()
LONDON = ZoneInfo("Europe/London")
#: The most safeguarding comments pinned above the list (the newest).
PINNED_LIMIT = 200
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Each chart's name ends by saying where its figures are as text.
TABLE_BELOW = "The figures are also in a table after the chart."


def _link(path: str, place: Place, month: date, extra: Sequence[tuple[str, str]] = ()) -> str:
    """An address of this page (or its CSV) for *place* and *month*, with *extra* pairs."""
    base = [
        ("org", place.org_code),
        ("site", place.site_code),
        ("ward", place.ward_name),
        ("month", month.strftime("%Y-%m")),
    ]
    return f"{path}?{urlencode([*base, *extra])}"


def _chosen_ward(request: Request, user: CurrentUser, org: str, site: str, ward: str) -> Place:
    """The ward the address names, if the user may see it and the server knows it."""
    if not (org.strip() and site.strip() and ward.strip()):
        raise PageError(
            400,
            "The web address does not say which ward",
            "A ward's page needs its organisation, site and ward name in the address. Open the "
            "ward from its name on the overview.",
        )
    place = Place(org, site, ward)
    fits = len(org) <= 9 and len(site) <= 9 and len(ward) <= 100
    if not (fits and listing.plain(org + site + ward)):
        raise not_found()
    require_ward(user, place)
    if not figures.known_wards(web_app(request).engine, frozenset({place})):
        raise not_found()
    return place


def _month(value: str, today: date, place: Place) -> tuple[date, date]:
    try:
        return fft.parse_period(value or today.strftime("%Y-%m"))
    except fft.PeriodError as exc:
        raise PageError(
            400,
            "There is no ward page for that month",
            f"The month in the web address is not one we can show: {exc}. Choose a month "
            "with the month picker, or go to this month's page.",
            (_link("/ward", place, today), "Go to this month's page for the ward"),
        ) from None


@router.get("/ward", response_class=HTMLResponse)
def ward_page(
    request: Request,
    user: CurrentUser,
    org: str = "",
    site: str = "",
    ward: str = "",
    month: str = "",
    q: str = "",
    rating: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies it)
    theme: str = "",
    topic: str = "",
    sentiment: str = "",
    page_number: Annotated[str, Query(alias="page")] = "1",
) -> HTMLResponse:
    web = web_app(request)
    today = web.now().astimezone(LONDON).date()
    place = _chosen_ward(request, user, org, site, ward)
    first, last = _month(month, today, place)
    back = _link("/ward", place, first) + "#comments"
    filters = listing.filters(q, rating, theme, topic, sentiment, back)
    number = listing.page_number(page_number, back)
    engine = web.engine

    wards = figures.wards_for_month(engine, first, frozenset({place}))
    trend = wards[0].trend if wards else (fft.FFTCounts.from_mapping({}),) * figures.TREND_MONTHS
    counts = trend[-1]
    period = first.strftime("%Y-%m")
    published = _published(reports.month_counts(engine, first, last, False), period, place)
    shown_to = min(last, today)
    daily = figures.ward_daily(engine, place, first, shown_to)
    themes = figures.ward_themes(engine, place, first, last)

    def filtered_link(key: str, value: str) -> str:
        return _link("/ward", place, first, [(key, value)]) + "#comments"

    talked_about = topics(engine, place, first, last, filtered_link)
    words = safeguarding.DEFAULT_WORDS
    pinned, pinned_total = ward_comments_mentioning(engine, place, first, last, words, PINNED_LIMIT)
    pinned_tags = comment_tags.tags_for(engine, (c.id for c in pinned))
    listed, matching = listing.comments_page(engine, place, first, last, filters, number)
    pages = max(1, -(-matching // listing.PER_PAGE))
    if number > pages:  # a page past the end (the filters changed): show the last one
        number = pages
        listed, matching = listing.comments_page(engine, place, first, last, filters, number)

    def comments_link(page_to: int) -> str:
        extra = filters.query() + ([("page", str(page_to))] if page_to > 1 else [])
        return _link("/ward", place, first, extra) + "#comments"

    months = months_back(first, figures.TREND_MONTHS)
    previous, following = months_back(first, 2)[0], _next(first)
    known_topics = [
        *comment_tags.framework_themes(),
        *(row["name"] for row in talked_about["rows"]),
    ]
    return page(
        request,
        "ward.html",
        place=place,
        month_name=month_name(first),
        month_value=period,
        month_running=first <= today <= last,
        figures_rows=_figure_rows(counts, published),
        excluded=counts.excluded,
        hidden=published.hidden,
        hidden_reason=_hidden_reason(counts.total) if published.hidden else "",
        trend=_trend(months, trend),
        days=_daily(first, shown_to, daily),
        topics=talked_about,
        themes=[
            {"words": listing.theme_words(t), "n": n, "href": filtered_link("theme", t)}
            for t, n in themes.items()
        ],
        theme_choices=listing.chip_choices(themes, filters.theme),
        topic_choices=listing.topic_choices(known_topics, filters.topic),
        sentiment_choices=listing.sentiment_choices(filters.sentiment),
        answers=[{"code": code, "words": words_} for code, words_ in fft.CODES.items()],
        filters=filters,
        filtered=bool(filters.query()),
        pinned=[listing.comment_item(c, pinned_tags.get(c.id), words) for c in pinned],
        pinned_total=pinned_total,
        comments=[listing.comment_item(c, tags, words) for c, tags in listed],
        matching=matching,
        first_shown=(number - 1) * listing.PER_PAGE + 1,
        last_shown=(number - 1) * listing.PER_PAGE + len(listed),
        comment_pages=listing.pagination(number, pages, comments_link),
        clear_href=back,
        csv_href=_link("/ward/responses.csv", place, first),
        corrections_href=CORRECTIONS_CSV if user.is_admin else "",
        previous=_month_link(place, previous) if previous.year >= fft.FIRST_YEAR else None,
        next=_month_link(place, following) if following <= today.replace(day=1) else None,
    )


@router.get("/ward/responses.csv")
def ward_responses_csv(
    request: Request,
    user: CurrentUser,
    org: str = "",
    site: str = "",
    ward: str = "",
    month: str = "",
) -> Response:
    """Every response of the ward in the month, oldest first; every cell spreadsheet-safe."""
    web = web_app(request)
    today = web.now().astimezone(LONDON).date()
    place = _chosen_ward(request, user, org, site, ward)
    first, last = _month(month, today, place)
    body = figures.ward_responses_csv(web.engine, place, first, last)
    filename = f"{csv_name(place)}-{first:%Y-%m}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_name(place: Place) -> str:
    """The ward as a file name any system takes: ASCII letters, digits and hyphens, e.g.
    ``RWD-RWDLA-Ward-7``. Letters with accents lose them; other characters become hyphens."""
    words = f"{place.org_code} {place.site_code} {place.ward_name}"
    ascii_only = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "-", ascii_only).strip("-")
    return name[:80].rstrip("-") or "ward"


# -- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The ward's row as NHS England will publish it: counts by code (or ``*``), and whether
    its breakdown is hidden."""

    counts: dict[int, int | str]
    hidden: bool


def _published(rows: list[dict[str, Any]], period: str, place: Place) -> Published:
    """Suppression worked out over every ward of the trust that month, as the NHS submission
    page's published view does: whether a ward is hidden depends on its neighbours."""
    report = reports.build_report(rows, period, "ward", suppress=True)
    key = (place.org_code, place.site_code, place.ward_name)
    for row in report.rows:
        if (row.org_code, row.site_code, row.ward_name) == key:
            counts = {int(code): value for code, value in row.counts.items()}
            return Published(counts, any(v == fft.SUPPRESSED for v in counts.values()))
    return Published(dict.fromkeys(fft.CODES, 0), False)  # no responses: nothing to hide


def _percent(part: int, total: int) -> str:
    return fft.whole_percent(part, total) if total else ""


def _figure_rows(counts: fft.FFTCounts, published: Published) -> list[dict[str, Any]]:
    """The table's rows: each answer, the total and both percentages, true and published
    ("" for a percentage with no responses)."""
    total = counts.total
    hidden = fft.SUPPRESSED if published.hidden else None
    rows: list[dict[str, Any]] = [
        {"label": words, "true": counts.by_code[code], "published": published.counts[code]}
        for code, words in fft.CODES.items()
    ]
    rows.append({"label": "Total responses", "true": total, "published": total})
    for label, part in (("% positive", counts.positive), ("% negative", counts.negative)):
        value = _percent(part, total)
        rows.append({"label": label, "true": value, "published": hidden or value})
    return rows


def _hidden_reason(total: int) -> str:
    if fft.first_level(total):
        return (
            f"This ward had {total} {'response' if total == 1 else 'responses'}, so NHS "
            "England will publish only its total."
        )
    return (
        "This ward had 5 or more responses, but NHS England will still hide its breakdown: "
        "with it shown, a smaller ward's hidden figures at this site (or this site's) could "
        "be worked out by subtraction."
    )


def _trend(months: list[date], trend: tuple[fft.FFTCounts, ...]) -> dict[str, Any]:
    """The last 12 months: a row each for the table, and the two charts drawn from them."""
    span = f"{month_name(months[0])} to {month_name(months[-1])}"
    labels = [month_name(m)[:3] for m in months]
    return {
        "rows": [
            {
                "month": month_name(month),
                "responses": c.total,
                "positive": _percent(c.positive, c.total),
                "negative": _percent(c.negative, c.total),
            }
            for month, c in zip(months, trend, strict=True)
        ],
        "charts": [
            bar_chart(
                f"Responses each month, {span}. {TABLE_BELOW}", labels, [c.total for c in trend]
            ),
            percent_chart(
                f"% positive each month, {span}; months with no responses are gaps in the "
                f"line. {TABLE_BELOW}",
                labels,
                [fft.rounded_percent(c.positive, c.total) for c in trend],
            ),
        ],
    }


def _daily(first: date, last: date, daily: dict[date, fft.FFTCounts]) -> dict[str, Any]:
    """Each day from *first* to *last* (none if the month is still to come): a row each for
    the table, and the chart."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    none = fft.FFTCounts.from_mapping({})
    counts = [daily.get(day, none) for day in days]
    rows = [
        {
            "date": f"{WEEKDAYS[day.weekday()]} {day.day} {month_name(day)}",
            "iso": day.isoformat(),
            "responses": c.total,
            "positive": _percent(c.positive, c.total),
        }
        for day, c in zip(days, counts, strict=True)
    ]
    title = f"Responses each day, {first.day} to {last.day} {month_name(first)}. {TABLE_BELOW}"
    labels = [str(day.day) for day in days]
    every = 7 if len(days) > 10 else 1
    chart = bar_chart(title, labels, [c.total for c in counts], every) if days else None
    return {"rows": rows, "chart": chart}


# -- months ----------------------------------------------------------------------------------


def _next(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _month_link(place: Place, month: date) -> dict[str, str]:
    return {"href": _link("/ward", place, month), "label": month_name(month)}
