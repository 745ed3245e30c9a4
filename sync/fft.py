"""The FFT rules both ends need: the six codes, modes, totals, percentages and suppression.

The rules are NHS England's: "Don't know" is in the denominator, and a published count
below 5 is shown as ``*``, with a second pass so that no hidden count can be worked out.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
MODES = (
    "SMS",
    "Electronic Discharge",
    "Electronic Home",
    "Paper Discharge",
    "Paper Home",
    "Telephone",
    "Online",
    "Other",
)

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
    def percent_positive(self) -> float | None:
        """(Very good + Good) / total, as a percentage; None when there are no responses."""
        return _percent(sum(self.by_code[c] for c in POSITIVE), self.total)

    @property
    def percent_negative(self) -> float | None:
        """(Poor + Very poor) / total, as a percentage; None when there are no responses."""
        return _percent(sum(self.by_code[c] for c in NEGATIVE), self.total)


def _percent(part: int, total: int) -> float | None:
    return None if total == 0 else 100.0 * part / total


def suppress(counts: Mapping[int, int]) -> dict[int, int | str]:
    """Apply FFT suppression to the six counts of one row.

    A count of 1-4 is shown as ``*``. If exactly one cell is hidden, the total would reveal
    it, so the smallest other non-zero cell is hidden too.
    """
    shown: dict[int, int | str] = {c: counts.get(c, 0) for c in CODES}
    hidden = [c for c, n in counts.items() if 0 < n < SUPPRESSION_THRESHOLD]
    if len(hidden) == 1:
        others = [c for c in CODES if c not in hidden and counts.get(c, 0) > 0]
        if others:
            hidden.append(min(others, key=lambda c: (counts[c], c)))
    for code in hidden:
        shown[code] = SUPPRESSED
    return shown


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
