"""The NHS submission: a month's figures as the trust submits them to NHS England (true
counts) beside how NHS England will publish them (small numbers suppressed), the CSV to
upload, and who marked the month as submitted.

Admins only, by design. The return is trust-wide: its site and organisation rows add up
other wards' true counts, and whether a ward is suppressed depends on the wards beside it, so
no part of it can be shown to a ward user without telling them about wards they may not see.
A ward user finds their own ward's figures on its ward page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from sync import fft
from sync.protocol import FFTReport, FFTRow
from sync.server import figures, reports
from sync.server.web import times
from sync.server.web.auth import AdminUser, PageError, web_app
from sync.server.web.render import page
from sync.server.web.sparkline import month_name, months_back

router = APIRouter()
#: Months offered in the month picker, ending with this one.
PICKER_MONTHS = 24
#: The levels of the preview, in the order shown, with their captions.
LEVELS = {"org": "Organisation", "site": "Sites", "ward": "Wards"}


def last_month(today: date) -> date:
    return months_back(today.replace(day=1), 2)[0]


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _month(value: str, today: date) -> date:
    """The chosen month's first day; by default last month, the one a trust submits during
    this month."""
    try:
        first, _ = fft.parse_period(value or last_month(today).strftime("%Y-%m"))
    except fft.PeriodError:
        raise PageError(
            400,
            "There is no submission for that month",
            "The month in the web address must be written as year and month, for example "
            "2026-10. Choose a month from the list on the NHS submission page.",
            ("/submission", "Go to last month's submission"),
        ) from None
    return first


def _link(first: date) -> str:
    return "/submission?" + urlencode({"month": first.strftime("%Y-%m")})


def ended(first: date, today: date) -> bool:
    """Whether the month is over on the ward's calendar, so it can be submitted."""
    return next_month(first) <= today


@router.get("/submission", response_class=HTMLResponse)
def submission_page(
    request: Request, user: AdminUser, month: str = "", marked: str = ""
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    today = times.today(now)
    first = _month(month, today)
    period = first.strftime("%Y-%m")
    found = figures.submission(web.engine, period)
    this = today.replace(day=1)
    previous, following = months_back(first, 2)[0], next_month(first)
    choices = months_back(this, PICKER_MONTHS)[::-1]
    if first not in choices:
        choices.append(first)
    marks = [{"actor": actor, "when": times.london(at)} for actor, at in found.marked]
    return page(
        request,
        "submission.html",
        month_name=month_name(first),
        month_value=period,
        is_last_month=first == last_month(today),
        months=[{"value": m.strftime("%Y-%m"), "label": month_name(m)} for m in choices],
        total=_total(found.true["org"]),
        excluded=found.excluded,
        true_tables=[_table(found.true[level], level, False) for level in LEVELS],
        published_tables=[_table(found.published[level], level, True) for level in LEVELS],
        true_modes=_modes(found.true["org"]),
        published_modes=_modes(found.published["org"]),
        marks=marks,
        # Only after this admin's own mark, so a link cannot show a success that was not.
        marked_now=bool(marked) and any(actor == user.email for actor, _ in found.marked),
        can_mark=ended(first, today),
        csv_href="/submission.csv?" + urlencode({"month": period}),
        previous={"href": _link(previous), "label": month_name(previous)},
        next=(
            {"href": _link(following), "label": month_name(following)}
            if following <= this
            else None
        ),
    )


@router.get("/submission.csv")
def submission_csv(request: Request, user: AdminUser, month: str = "") -> Response:
    """NHS England's ward-level layout with true counts: the very bytes of the API's
    ``GET /api/v1/reports/fft?period=...&format=csv`` for the month."""
    web = web_app(request)
    period = _month(month, times.today(web.now())).strftime("%Y-%m")
    report = reports.fft_report(web.engine, period, "ward")
    return PlainTextResponse(
        reports.report_csv(report),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="fft-{period}-ward.csv"',
            # True counts of every ward: no shared cache or back button should keep them.
            "Cache-Control": "no-store",
        },
    )


@router.post("/submission/mark")
def mark(request: Request, user: AdminUser, month: Annotated[str, Form()] = "") -> Response:
    web = web_app(request)
    now = web.now()
    first = _month(month, times.today(now))
    if not ended(first, times.today(now)):
        raise PageError(
            400,
            f"{month_name(first)} has not ended yet",
            "A month can be marked as submitted once it is over. Submit it to NHS England "
            "during the month after, then mark it here.",
            (_link(first), f"Go back to {month_name(first)}"),
        )
    period = first.strftime("%Y-%m")
    figures.mark_submitted(web.engine, period, user.id, user.email, at=now)
    return RedirectResponse(_link(first) + "&marked=1", status_code=303)


def _total(report: FFTReport) -> int:
    return sum(int(row.total) for row in report.rows)


def _place(row: FFTRow, level: str) -> list[str]:
    if level == "org":
        return [row.org_code]
    if level == "site":
        return [row.site_code or "", row.org_code]
    return [row.ward_name or "", row.site_code or ""]


def _percent(row: FFTRow, codes: tuple[int, ...]) -> str:
    """A percentage as NHS England publishes it (whole, half up, from the exact counts);
    ``*`` where the breakdown is hidden, a dash with no responses."""
    values = [row.counts[str(code)] for code in codes]
    if any(isinstance(value, str) for value in values) or isinstance(row.total, str):
        return fft.SUPPRESSED
    return fft.whole_percent(sum(int(value) for value in values), int(row.total))


def _table(report: FFTReport, level: str, published: bool) -> dict[str, Any]:
    places = {"org": ["Organisation"], "site": ["Site", "Organisation"], "ward": ["Ward", "Site"]}
    headings = [*places[level], *fft.CODES.values(), "Total"]
    if published:
        headings += ["% positive", "% negative"]
    rows = []
    for row in report.rows:
        cells = [str(row.counts[str(code)]) for code in fft.CODES] + [str(row.total)]
        if published:
            cells += [_percent(row, fft.POSITIVE), _percent(row, fft.NEGATIVE)]
        rows.append({"place": _place(row, level), "cells": cells})
    return {
        "id": f"{'published' if published else 'submitted'}-{level}",
        "caption": LEVELS[level],
        "headings": headings,
        "place_columns": len(places[level]),
        "rows": rows,
    }


def _modes(report: FFTReport) -> list[dict[str, Any]]:
    """Each organisation's responses by collection mode (NHS England's organisation level)."""
    return [
        {"org": row.org_code, "modes": [(mode, str(row.modes[mode])) for mode in _in_order(row)]}
        for row in report.rows
        if row.modes
    ]


def _in_order(row: FFTRow) -> list[str]:
    known = [mode for mode in fft.MODES if mode in row.modes]
    return known + sorted(set(row.modes) - set(known))
