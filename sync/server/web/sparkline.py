"""Small trend charts drawn on the server as inline SVG: no script, and a screen reader hears
the figures themselves from the chart's ``aria-label``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise

from markupsafe import Markup, escape

from sync import fft

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WIDTH, HEIGHT, PAD = 72, 32, 3
# NHS blue for the line, mid grey for the 0% and 100% guides (3:1 against white and more).
LINE, GUIDE = "#005eb8", "#768692"


def month_name(month: date) -> str:
    """``November 2026``: English, whatever the server's locale."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def months_back(last: date, count: int) -> list[date]:
    """The first days of the *count* months ending with *last*'s, oldest first."""
    index = last.year * 12 + last.month - 1
    return [date((i) // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def shared_floor(trends: Sequence[Sequence[fft.FFTCounts]]) -> int:
    """The % positive that the bottom of every sparkline on a page stands for: a round ten
    below the lowest month, so that wards between 70% and 90% do not draw flat lines, and
    so that one page's sparklines can be compared with each other."""
    values = [
        p for t in trends for c in t if (p := fft.rounded_percent(c.positive, c.total)) is not None
    ]
    lowest = min(values, default=Decimal(0))
    return max(0, int(lowest) // 10 * 10 - 10)


def positive_sparkline(
    months: Sequence[date], trend: Sequence[fft.FFTCounts], floor: int = 0
) -> Markup:
    """% positive for each month, as a line over ``WIDTH`` x ``HEIGHT`` pixels from *floor*
    (the solid guide) to 100% (the dotted one).

    A month with no responses is a gap in the line; a month on its own between two gaps is a
    dot. The ``aria-label`` reads every month's figure, e.g. "% positive, December 2025 to
    November 2026: December 2025 80%, January 2026 no responses, ...".
    """
    values = [fft.rounded_percent(c.positive, c.total) for c in trend]
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    floor = min(max(floor, 0), 90)

    def y(value: float) -> float:
        share = (max(value, floor) - floor) / (100 - floor)
        return round(HEIGHT - PAD - share * (HEIGHT - 2 * PAD), 1)

    points = [
        None if value is None else (round(PAD + i * step, 1), y(float(value)))
        for i, value in enumerate(values)
    ]
    shapes = [
        f'<line x1="0" y1="{y(0)}" x2="{WIDTH}" y2="{y(0)}" stroke="{GUIDE}" stroke-width="1"/>',
        f'<line x1="0" y1="{y(100)}" x2="{WIDTH}" y2="{y(100)}" stroke="{GUIDE}" '
        'stroke-width="1" stroke-dasharray="2 2"/>',
    ]
    run: list[tuple[float, float]] = []
    for point in [*points, None]:
        if point is not None:
            run.append(point)
            continue
        if len(run) > 1:
            line = " ".join(f"{x},{y_}" for x, y_ in run)
            shapes.append(
                f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
        elif run:
            shapes.append(f'<circle cx="{run[0][0]}" cy="{run[0][1]}" r="2" fill="{LINE}"/>')
        run = []
    if points and points[-1] is not None:  # this month, marked
        shapes.append(f'<circle cx="{points[-1][0]}" cy="{points[-1][1]}" r="3" fill="{LINE}"/>')

    said = ", ".join(
        f"{month_name(month)} {'no responses' if value is None else f'{value}%'}"
        for month, value in zip(months, values, strict=True)
    )
    span = f"{month_name(months[0])} to {month_name(months[-1])}" if months else ""
    label = escape(f"% positive, {span}: {said}")
    return Markup(
        f'<svg class="app-sparkline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-label="{label}">{"".join(shapes)}</svg>'
    )


# -- the ward page's charts ----------------------------------------------------------------
# Drawn on a 360 x 180 grid, about a phone's width, so their words stay readable when the
# chart fills a phone and when it is scaled up on a desktop (``.app-chart`` in site.css).

CHART_WIDTH, CHART_HEIGHT = 360, 180
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 34, 6, 12, 24
# The NHS frontend's text colour, for the axes' words.
TEXT = "#212b32"


def _axis_top(largest: int) -> int:
    """The top of a count axis: *largest* rounded up to 1, 2 or 5 times a power of ten."""
    step = 1
    while True:
        for top in (step, 2 * step, 5 * step):
            if top >= largest:
                return top
        step *= 10


def _chart(title: str, shapes: list[str]) -> Markup:
    return Markup(
        f'<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" '
        f'height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        f'focusable="false"><title>{escape(title)}</title>{"".join(shapes)}</svg>'
    )


def _text(x: float, y: float, words: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="12" fill="{TEXT}" text-anchor="{anchor}">'
        f"{escape(words)}</text>"
    )


def _frame(labels: Sequence[str], label_every: int, top: str) -> tuple[list[str], float]:
    """The axes' guides and words: a solid base line (0), a dotted top line labelled *top*,
    and every *label_every*-th of *labels* under its slot. Returns the shapes and the width
    of one slot."""
    base, ceiling = CHART_HEIGHT - CHART_BOTTOM, CHART_TOP
    slot = (CHART_WIDTH - CHART_LEFT - CHART_RIGHT) / max(len(labels), 1)
    shapes = [
        f'<line x1="{CHART_LEFT}" y1="{base}" x2="{CHART_WIDTH - CHART_RIGHT}" y2="{base}" '
        f'stroke="{GUIDE}" stroke-width="1"/>',
        f'<line x1="{CHART_LEFT}" y1="{ceiling}" x2="{CHART_WIDTH - CHART_RIGHT}" '
        f'y2="{ceiling}" stroke="{GUIDE}" stroke-width="1" stroke-dasharray="3 3"/>',
        _text(CHART_LEFT - 4, base + 4, "0", "end"),
        _text(CHART_LEFT - 4, ceiling + 4, top, "end"),
    ]
    for i, label in enumerate(labels):
        if i % label_every == 0:
            shapes.append(_text(round(CHART_LEFT + (i + 0.5) * slot, 1), CHART_HEIGHT - 6, label))
    return shapes, slot


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], label_every: int = 1
) -> Markup:
    """One bar per value (responses per month or per day), over a count axis from 0.

    :param title: the chart's accessible name; it should say where its table is.
    :param labels: each bar's short name under it (``Nov``, ``14``).
    :param label_every: name only every n-th bar, where a name for each would not fit.
    """
    top = _axis_top(max(values, default=0))
    shapes, slot = _frame(labels, label_every, str(top))
    base = CHART_HEIGHT - CHART_BOTTOM
    room = base - CHART_TOP
    for i, value in enumerate(values):
        if value <= 0:
            continue
        height = max(round(room * value / top, 1), 1)
        x = round(CHART_LEFT + i * slot + slot * 0.15, 1)
        shapes.append(
            f'<rect x="{x}" y="{round(base - height, 1)}" width="{round(slot * 0.7, 1)}" '
            f'height="{height}" fill="{LINE}"/>'
        )
    return _chart(title, shapes)


def percent_chart(title: str, labels: Sequence[str], values: Sequence[Decimal | None]) -> Markup:
    """A percentage per slot (% positive per month) as a line from 0% to 100%, with a dot on
    each figure; a slot with no figure (no responses) is a gap in the line, not a 0."""
    shapes, slot = _frame(labels, 1, "100%")
    base = CHART_HEIGHT - CHART_BOTTOM
    room = base - CHART_TOP
    points = [
        None
        if value is None
        else (round(CHART_LEFT + (i + 0.5) * slot, 1), round(base - room * float(value) / 100, 1))
        for i, value in enumerate(values)
    ]
    for start, end in pairwise(points):
        if start is not None and end is not None:
            shapes.append(
                f'<line x1="{start[0]}" y1="{start[1]}" x2="{end[0]}" y2="{end[1]}" '
                f'stroke="{LINE}" stroke-width="2" stroke-linecap="round"/>'
            )
    shapes += [f'<circle cx="{p[0]}" cy="{p[1]}" r="3" fill="{LINE}"/>' for p in points if p]
    return _chart(title, shapes)
