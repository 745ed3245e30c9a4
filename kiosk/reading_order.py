"""The order a keyboard or a single switch visits the controls on screen: reading order, read
from where the controls are (rows from the top, each from its leading edge, so right to left
for Urdu), and the switch's cycle through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """Where a control is on screen, in pixels from the window's top-left corner."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


def reading_order(boxes: Sequence[Box], rtl: bool = False) -> list[int]:
    """The indexes of *boxes* in reading order.

    A box joins the row above it when its middle lies within that row's first box, so a row
    of buttons of slightly different heights still reads as one row. Within a row the boxes
    run from the leading edge: left to right, or right to left when *rtl*.
    """
    rows: list[list[int]] = []
    for index in sorted(range(len(boxes)), key=lambda i: (boxes[i].top, i)):
        box = boxes[index]
        if rows:
            first = boxes[rows[-1][0]]
            if first.top <= box.middle < first.bottom:
                rows[-1].append(index)
                continue
        rows.append([index])
    order: list[int] = []
    for row in rows:
        if rtl:
            order.extend(sorted(row, key=lambda i: (-boxes[i].right, i)))
        else:
            order.extend(sorted(row, key=lambda i: (boxes[i].left, i)))
    return order


def scan_start(on_screen: Sequence[bool]) -> int:
    """Where a switch's highlight starts on a new screen: its first control below the top bar
    (the answers, not the language buttons), or the first of all if the screen has none.

    :param on_screen: for each control in reading order, whether it belongs to the screen
        itself rather than the bar above it.
    """
    return next((i for i, own in enumerate(on_screen) if own), 0)


def scan_next(current: int | None, count: int) -> int | None:
    """The control a switch's highlight moves to from *current*, wrapping round at the end;
    None when there is nothing to highlight."""
    if count <= 0:
        return None
    if current is None or not 0 <= current < count:
        return 0
    return (current + 1) % count
