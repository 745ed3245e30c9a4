"""The FFT rules both ends need: the six codes, modes, totals, percentages, suppression,
calendar months and periods, and the NHS submission CSV.

The rules are NHS England's (shared FFT.md, "The numbers"): "Don't know" is in the
denominator; percentages round half up from exact counts; what leaves the ward is
suppressed by place total, with a second level and a cascade, so no hidden count can be
worked out from a sibling or a parent; and figures are by calendar month of the ward's date.
The kiosk imports this at start-up, so it stays import-light (no pydantic).
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args

from sync.spreadsheet import csv_text

QUESTION = "Overall, how was your experience of our service?"

#: The six answers in FFT order. The codes are what NHS England counts.
CODES: dict[int, str] = {
    1: "Very good",
    2: "Good",
    3: "Neither good nor poor",
    4: "Poor",
    5: "Very poor",
    6: "Don't know",
}
POSITIVE = (1, 2)
NEGATIVE = (4, 5)

#: Collection modes NHS England breaks organisation-level counts down by.
Mode = Literal[
    "SMS",
    "Electronic Discharge",
    "Electronic Home",
    "Paper Discharge",
    "Paper Home",
    "Telephone",
    "Online",
    "Other",
]
MODES: tuple[str, ...] = get_args(Mode)

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "*"


@dataclass(frozen=True)
class FFTCounts:
    """Counts of the six answers for one place and period.

    Attributes:
        by_code: responses per FFT code, every code 1-6 present.
        excluded: responses left out of the figures (flagged, e.g. ``repeat-tap``).
    """

    by_code: Mapping[int, int]
    excluded: int = 0

    @classmethod
    def from_mapping(cls, counts: Mapping[int, int], excluded: int = 0) -> FFTCounts:
        return cls({code: int(counts.get(code, 0)) for code in CODES}, excluded)

    @property
    def total(self) -> int:
        """Total responses: the sum of all six codes, "Don't know" included."""
        return sum(self.by_code.values())

    @property
    def positive(self) -> int:
        """Very good + Good."""
        return sum(self.by_code[c] for c in POSITIVE)

    @property
    def negative(self) -> int:
        """Poor + Very poor."""
        return sum(self.by_code[c] for c in NEGATIVE)

    @property
    def percent_positive(self) -> float | None:
        """(Very good + Good) / total, as an exact percentage; None with no responses."""
        return _percent(self.positive, self.total)

    @property
    def percent_negative(self) -> float | None:
        """(Poor + Very poor) / total, as an exact percentage; None with no responses."""
        return _percent(self.negative, self.total)


def _percent(part: int, total: int) -> float | None:
    return None if total == 0 else 100.0 * part / total


def rounded_percent(part: int, total: int, places: int = 0) -> Decimal | None:
    """*part* / *total* as a percentage rounded half up to *places* decimals, from the exact
    counts (never from a figure already rounded). None when *total* is 0.

    NHS England rounds half up (Excel's ``0%``); Python's ``round`` rounds half to even.
    """
    if total == 0:
        return None
    scale = 10**places
    # Integer arithmetic: floor(100 * scale * part / total + 1/2), exactly.
    units = (200 * scale * part + total) // (2 * total)
    return Decimal(units).scaleb(-places)


def whole_percent(part: int, total: int) -> str:
    """A percentage as NHS England publishes it, e.g. ``63%``; a dash with no responses."""
    value = rounded_percent(part, total)
    return "–" if value is None else f"{value}%"


# -- suppression -------------------------------------------------------------------------

#: A place in the hierarchy: ``(org,)``, ``(org, site)`` or ``(org, site, ward)``.
Place = tuple[str, ...]


def first_level(total: int) -> bool:
    """A place with 1 to 4 responses has its whole breakdown hidden; 0 is not suppressed."""
    return 0 < total < SUPPRESSION_THRESHOLD


def hidden_places(ward_totals: Mapping[tuple[str, str, str], int]) -> frozenset[Place]:
    """Every place whose breakdown NHS England hides when it publishes the month.

    :param ward_totals: total responses of every ward, keyed ``(org, site, ward)``. Site and
        organisation totals are their sums.
    :returns: the hidden places at all three levels. Totals are always shown; what is hidden
        is a place's six counts, its percentages and (for an organisation) its mode counts.
    """
    totals: dict[Place, int] = {}
    children: dict[Place, list[Place]] = defaultdict(list)
    for (org, site, ward), total in ward_totals.items():
        for place in ((org,), (org, site), (org, site, ward)):
            if place not in totals:
                totals[place] = 0
                if len(place) > 1:
                    children[place[:-1]].append(place)
            totals[place] += total

    first = {place for place, total in totals.items() if first_level(total)}
    hidden = set(first)

    def two_smallest(parent: Place) -> list[Place]:
        # Rank within the parent: places with responses, smallest total first, then by name
        # (NHS England breaks ties by specialty first; a kiosk has none).
        ranked = sorted(
            (child for child in children[parent] if totals[child] > 0),
            key=lambda child: (totals[child], child[-1]),
        )
        return ranked[:2]

    # Second level: a hidden smallest place could be worked out from its parent's total
    # unless the next smallest is hidden too.
    for parent in children:
        smallest = two_smallest(parent)
        if len(smallest) == 2 and smallest[0] in first:
            hidden.add(smallest[1])
    # Cascade, top down, so a site hidden by its organisation hides its own wards in turn.
    for parent in sorted(children, key=len):
        if parent in hidden:
            hidden.update(two_smallest(parent))
    return frozenset(hidden)


def roll_up(
    ward_values: Iterable[tuple[tuple[str, str, str], Mapping[str, int]]],
) -> dict[Place, dict[str, int]]:
    """Sum per-ward figures (counts by code or by mode, keyed by text) to every level."""
    summed: dict[Place, dict[str, int]] = {}
    for (org, site, ward), values in ward_values:
        for place in ((org,), (org, site), (org, site, ward)):
            into = summed.setdefault(place, {})
            for key, n in values.items():
                into[key] = into.get(key, 0) + n
    return summed


# -- months and periods -----------------------------------------------------------------

#: The first and last years a ``YYYY-MM`` period may name.
FIRST_YEAR, LAST_YEAR = 2000, 9998


class PeriodError(ValueError):
    """The period is not a month written ``YYYY-MM``; the message says what to send."""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last ward date of a calendar month (NHS England reports by calendar month)."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_period(period: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month.

    :raises PeriodError: for anything else, or a year outside ``FIRST_YEAR``-``LAST_YEAR``.
    """
    # ASCII digits only: "\d" would also take Arabic-Indic and full-width digits.
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"period {period!r} must be a month written YYYY-MM, e.g. 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            f"period {period!r} is not a month the FFT has figures for; choose a month "
            f"from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return month_bounds(year, month)


#: The periods staff choose from, in the order of their buttons, with the buttons' words.
PERIODS = {
    "today": "Today",
    "last-7-days": "Last 7 days",
    "this-month": "This month",
    "last-month": "Last month",
}


def period(name: str, today: date) -> tuple[date, date]:
    """First and last ward date of ``today``, ``last-7-days``, ``this-month``, ``last-month``.

    :raises ValueError: for a name not in ``PERIODS``.
    """
    if name == "today":
        return today, today
    if name == "last-7-days":
        return today - timedelta(days=6), today
    if name == "this-month":
        return today.replace(day=1), today
    if name == "last-month":
        last = today.replace(day=1) - timedelta(days=1)
        return month_bounds(last.year, last.month)
    raise ValueError(f"unknown period {name!r}")


# -- the monthly submission ----------------------------------------------------------------


def financial_year(year: int, month: int) -> str:
    """NHS financial year label for a calendar month, e.g. ``2026_27`` for November 2026."""
    start = year if month >= 4 else year - 1
    return f"{start}_{(start + 1) % 100:02d}"


#: NHS England's ward-level submission columns, in order ("Dont Know" without the apostrophe).
SUBMISSION_COLUMNS = [
    "Yearnumber",
    "Periodname",
    "Org code",
    "Site code",
    "Ward name",
    "Spec 1",
    "Spec 2",
    "1 Very Good SUM",
    "2 Good SUM",
    "3 Neither Good nor Poor SUM",
    "4 Poor SUM",
    "5 Very Poor SUM",
    "6 Dont Know SUM",
    "Total Responses",
    "Total Eligible",
]


def submission_row(
    year: int,
    month: int,
    org_code: str,
    site_code: str,
    ward_name: str,
    counts: Mapping[int, int | str],
    total: int | str,
) -> list[str]:
    """One row of the monthly submission. Spec 1/2 and Total Eligible are left empty: a
    kiosk cannot know them."""
    return [
        financial_year(year, month),
        calendar.month_name[month].upper(),
        org_code,
        site_code,
        ward_name,
        "",
        "",
        *(str(counts.get(code, 0)) for code in CODES),
        str(total),
        "",
    ]


def submission_csv(rows: Sequence[Sequence[str]]) -> str:
    """The submission as CSV; a ward name a device sent can never become a formula."""
    return csv_text(SUBMISSION_COLUMNS, rows)
