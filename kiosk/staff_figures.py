"""The Results page's figures for a period of ward dates, worded as staff read them, and the
responses each day for its chart. The store counts and ``sync.fft`` does the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.store import LocalStore
from kiosk.survey import Survey
from sync import fft

# Up to this many days, each bar is labelled "03 Nov"; beyond it only "03", so labels fit.
DAY_AND_MONTH_UP_TO = 10


@dataclass(frozen=True)
class Results:
    """The figures beside the chart.

    Attributes:
        counts: each FFT code's count, as shown beside its words (repeat taps left out).
        total, positive, negative: "Total responses: 10", "Positive: 50%", "Negative: 20%".
        excluded: how many repeat taps were left out of these figures.
        themes: the theme chips chosen, most chosen first.
    """

    counts: dict[int, str]
    total: str
    positive: str
    negative: str
    excluded: str
    themes: str


@dataclass(frozen=True)
class DailySeries:
    """Responses each day, one stacked bar a day.

    Attributes:
        labels: each day's label under its bar, first to last.
        by_code: for each FFT code (in ``fft.CODES`` order), its count on each day.
        most: the busiest day's total, at least 1, for the height of the axis.
    """

    labels: list[str]
    by_code: dict[int, list[int]]
    most: int


def theme_words(survey: Survey, theme: str) -> str:
    """A theme's words in the survey's first language; a theme from an older survey version
    (no longer in it) is shown by its id."""
    try:
        return survey.theme_text(theme, survey.default_language)
    except KeyError:
        return theme


def results(store: LocalStore, survey: Survey, first: date, last: date) -> Results:
    """The figures for ward dates *first* to *last* inclusive."""
    counts = store.counts(first, last)
    chosen = store.theme_counts(first, last)
    named = [f"{theme_words(survey, theme)} {n}" for theme, n in chosen.items()]
    return Results(
        counts={code: str(counts.by_code[code]) for code in fft.CODES},
        total=f"Total responses: {counts.total}",
        positive=f"Positive: {fft.whole_percent(counts.positive, counts.total)}",
        negative=f"Negative: {fft.whole_percent(counts.negative, counts.total)}",
        excluded=f"Repeat taps left out of these figures: {counts.excluded}",
        themes="Themes chosen: " + (", ".join(named) or "none"),
    )


def daily_series(store: LocalStore, first: date, last: date) -> DailySeries:
    """Responses each ward date from *first* to *last*, days with none included as zeros."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    daily = store.daily_counts(first, last)
    pattern = "%d %b" if len(days) <= DAY_AND_MONTH_UP_TO else "%d"
    return DailySeries(
        labels=[day.strftime(pattern) for day in days],
        by_code={code: [daily.get(day, {}).get(code, 0) for day in days] for code in fft.CODES},
        most=max(1, max((sum(daily.get(day, {}).values()) for day in days), default=0)),
    )
