"""The NHS submission: a month's figures as the trust submits them to NHS England (true
counts) beside how NHS England will publish them (small numbers suppressed), the CSV to
upload, and who marked the month as submitted.

An admin sees the whole return and marks the month as submitted. A ward user sees the same
page cut down to the ward rows of their own wards: their true counts (already on their ward
pages) and their rows as NHS England will publish them. Suppression is still worked out over
every ward of the trust, so those rows are exactly what NHS England will publish for anyone
to read. Site and organisation rows, the trust's collection modes and its repeat-tap count
add up other wards' true counts, so a ward user gets none of them: their totals and repeat
taps are their own wards' only. Their CSV is NHS England's ward-level layout with only their
rows, and only an admin may mark a month as submitted (the patient experience team makes the
trust's submission).
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
from sync.server.devices import Place
from sync.server.figures import Scope
from sync.server.web import times
from sync.server.web.auth import AdminUser, CurrentUser, PageError, web_app
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
    request: Request, user: CurrentUser, month: str = "", marked: str = ""
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    today = times.today(now)
    first = _month(month, today)
    period = first.strftime("%Y-%m")
    found = figures.submission(web.engine, period)
    scope = user.scope
    # A ward user's page holds their own ward rows only (see the module's docstring).
    levels = list(LEVELS) if scope is None else ["ward"]
    true = {level: only(found.true[level], scope) for level in levels}
    published = {level: only(found.published[level], scope) for level in levels}
    this = today.replace(day=1)
    previous, following = months_back(first, 2)[0], next_month(first)
    choices = months_back(this, PICKER_MONTHS)[::-1]
    if first not in choices:
        choices.append(first)
    marks = [{"actor": actor, "when": times.london(at)} for actor, at in found.marked]
    return page(
        request,
        "submission.html",
        whole_trust=scope is None,
        yours="your ward" if len(user.wards) == 1 else "your wards",
        month_name=month_name(first),
        month_value=period,
        is_last_month=first == last_month(today),
        months=[{"value": m.strftime("%Y-%m"), "label": month_name(m)} for m in choices],
        total=_total(true["ward"]),
        excluded=sum(row.excluded for row in true["ward"].rows),
        true_tables=[_table(true[level], level, False, scope is None) for level in levels],
        published_tables=[_table(published[level], level, True, scope is None) for level in levels],
        true_modes=_modes(true["org"]) if scope is None else [],
        published_modes=_modes(published["org"]) if scope is None else [],
        marks=marks,
        # Only after this admin's own mark, so a link cannot show a success that was not.
        marked_now=bool(marked) and any(actor == user.email for actor, _ in found.marked),
        can_mark=user.is_admin and ended(first, today),
        ended=ended(first, today),
        csv_href="/submission.csv?" + urlencode({"month": period}),
        previous={"href": _link(previous), "label": month_name(previous)},
        next=(
            {"href": _link(following), "label": month_name(following)}
            if following <= this
            else None
        ),
    )


@router.get("/submission.csv")
def submission_csv(request: Request, user: CurrentUser, month: str = "") -> Response:
    """NHS England's ward-level layout with true counts: for an admin, the very bytes of the
    API's ``GET /api/v1/reports/fft?period=...&format=csv`` for the month; for a ward user,
    the same with only their wards' rows."""
    web = web_app(request)
    period = _month(month, times.today(web.now())).strftime("%Y-%m")
    report = only(reports.fft_report(web.engine, period, "ward"), user.scope)
    return PlainTextResponse(
        reports.report_csv(report),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="fft-{period}-ward.csv"',
            # True counts: no shared cache or back button should keep them.
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


def only(report: FFTReport, scope: Scope) -> FFTReport:
    """*report* (at ward level, for a ward user's *scope*) with only the rows of the wards in
    *scope*; the whole of it for None (an admin)."""
    if scope is None:
        return report
    rows = [
        row
        for row in report.rows
        if Place(row.org_code, row.site_code or "", row.ward_name or "") in scope
    ]
    return report.model_copy(update={"rows": rows})


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


def _table(report: FFTReport, level: str, published: bool, whole_trust: bool) -> dict[str, Any]:
    """A preview table. Site and ward rows of the whole trust fold away behind "Show the N
    ward rows": 300 wards twice over would bury the rest of the page, on a phone most."""
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
        "fold": _fold(level, len(rows)) if whole_trust and level != "org" else "",
        "version": "as NHS England will publish them" if published else "as submitted",
    }


def _fold(level: str, count: int) -> str:
    """The words that unfold a level's rows: "Show the 6 ward rows", "Show the site row"."""
    place = LEVELS[level].lower().removesuffix("s")
    return f"Show the {place} row" if count == 1 else f"Show the {count} {place} rows"


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
