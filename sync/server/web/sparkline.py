"""Small trend charts drawn on the server as inline SVG: no script, and a screen reader hears
the figures themselves from the chart's ``aria-label``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

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
