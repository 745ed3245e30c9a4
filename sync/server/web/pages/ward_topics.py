"""The Ward page's "What comments talk about": the framework themes the comments were tagged
with (by the model, or as a person corrected them), month by month for 12 months; this month's
top themes against the 3 months before, with a chart each; and how the comments feel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.engine import Engine

from sync import fft
from sync.server import comment_tags
from sync.server.devices import Place
from sync.server.web.sparkline import bar_chart, month_name, months_back

#: Top themes shown with a trend and a chart.
TOP = 3
#: Months before this one that its count is compared with.
BEFORE = 3
#: A change smaller than this many comments a month is "about the same", whatever its share.
SMALL = 2
#: A change under this share of the months before is "about the same".
STEADY = Decimal("0.25")
TREND_MONTHS = 12


def _average(values: list[int]) -> Decimal:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def trend(now: int, before: list[int]) -> dict[str, str]:
    """This month's count against the average of the months *before*: the arrow's direction
    (``up``, ``down``, ``same``), its text alternative and the words beside it."""
    average = _average(before)
    shown = f"{average.normalize():f}"
    change = Decimal(now) - average
    if average == 0 and now > 0:
        return {"way": "up", "arrow": "Up", "words": f"up from none in the {BEFORE} months before"}
    if abs(change) < SMALL or abs(change) <= average * STEADY:
        way, arrow, words = "same", "About the same", "about the same as"
    elif change > 0:
        way, arrow, words = "up", "Up", "up from"
    else:
        way, arrow, words = "down", "Down", "down from"
    return {
        "way": way,
        "arrow": arrow,
        "words": f"{words} an average of {shown} a month in the {BEFORE} months before",
    }


def topics(
    engine: Engine,
    place: Place,
    first: date,
    last: date,
    link: Callable[[str, str], str],
) -> dict[str, Any]:
    """The section's figures for the month starting *first* (ward dates up to *last*).

    :param link: the page's address for comments filtered by (query key, value).
    """
    months = months_back(first, TREND_MONTHS)
    found = comment_tags.ward_theme_months(engine, place, months, last)
    span = f"{month_name(months[0])} to {month_name(months[-1])}"
    labels = [month_name(m)[:3] for m in months]
    ranked = sorted(found.counts.items(), key=lambda item: (-item[1][-1], -sum(item[1]), item[0]))
    top = []
    for name, counts in [(n, c) for n, c in ranked if c[-1] > 0][:TOP]:
        title = (
            f"Comments about {name} each month, {span}. The figures are also in the table "
            "after the charts."
        )
        top.append(
            {
                "name": name,
                "now": counts[-1],
                "trend": trend(counts[-1], counts[-1 - BEFORE : -1]),
                "chart": bar_chart(title, labels, counts),
                "href": link("topic", name),
            }
        )
    rows = [
        {"name": name, "counts": counts, "href": link("topic", name)}
        for name, counts in ranked
        if any(counts)
    ]
    return {
        "top": top,
        "months": [month_name(m) for m in months],
        "short_months": labels,
        "rows": rows,
        "comments": found.comments[-1],
        "tagged": found.tagged[-1],
        "tagged_total": sum(found.tagged),
        "sentiments": _sentiments(found.sentiments[-1], found.tagged[-1], link),
    }


def _sentiments(
    counts: dict[int | None, int], tagged: int, link: Callable[[str, str], str]
) -> list[dict[str, Any]]:
    """This month's tagged comments by sentiment, very positive first; "Not given" last, if
    any (a person may correct the themes and leave the sentiment out)."""
    rows = [
        {
            "words": words,
            "n": counts.get(level, 0),
            "percent": fft.whole_percent(counts.get(level, 0), tagged) if tagged else "",
            "href": link("sentiment", str(level)),
        }
        for level, words in comment_tags.SENTIMENTS.items()
    ]
    if counts.get(None):
        rows.append(
            {
                "words": "Not given",
                "n": counts[None],
                "percent": fft.whole_percent(counts[None], tagged),
                "href": "",
            }
        )
    return rows
