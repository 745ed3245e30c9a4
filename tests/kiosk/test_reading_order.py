"""``kiosk.reading_order``: the order a keyboard or a switch visits controls, read from where
they are on screen, and the switch's cycle."""

from __future__ import annotations

from kiosk.reading_order import Box, reading_order, scan_next, scan_start

# A top bar of three languages and two toggles, then a row of three answers.
BAR = [Box(16, 10, 100, 80), Box(130, 10, 100, 80), Box(900, 10, 150, 80), Box(244, 12, 60, 76)]
ANSWERS = [Box(500, 300, 180, 280), Box(32, 300, 180, 280), Box(266, 300, 180, 280)]


def test_rows_from_the_top_each_from_the_left():
    assert reading_order(BAR + ANSWERS) == [0, 1, 3, 2, 5, 6, 4]


def test_right_to_left_reads_each_row_from_the_right():
    assert reading_order(BAR + ANSWERS, rtl=True) == [2, 3, 1, 0, 4, 6, 5]


def test_a_box_below_the_middle_of_a_row_starts_a_new_row():
    upper, lower = Box(0, 0, 100, 100), Box(200, 60, 100, 100)
    assert reading_order([lower, upper]) == [1, 0]
    column = [Box(0, 200, 300, 90), Box(0, 0, 300, 90), Box(0, 100, 300, 90)]
    assert reading_order(column) == [1, 2, 0]


def test_the_switch_starts_on_the_screen_below_the_bar_and_wraps():
    assert scan_start([False, False, True, True]) == 2
    assert scan_start([False, False]) == 0
    assert scan_next(None, 4) == 0
    assert scan_next(2, 4) == 3
    assert scan_next(3, 4) == 0
    assert scan_next(7, 4) == 0
    assert scan_next(0, 0) is None
