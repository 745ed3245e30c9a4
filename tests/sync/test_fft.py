"""FFT arithmetic and suppression as NHS England defines them (shared FFT.md, "The numbers")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kiosk.board import board_text
from sync.fft import (
    MODES,
    PERIODS,
    FFTCounts,
    Mode,
    PeriodError,
    financial_year,
    hidden_places,
    month_bounds,
    parse_period,
    period,
    rounded_percent,
    whole_percent,
)


def test_dont_know_is_in_the_denominator():
    counts = FFTCounts.from_mapping({1: 6, 2: 2, 4: 1, 5: 1, 6: 10})
    assert counts.total == 20
    assert counts.percent_positive == pytest.approx(40.0)
    assert counts.percent_negative == pytest.approx(10.0)


def test_no_responses_gives_no_percentage():
    counts = FFTCounts.from_mapping({})
    assert counts.total == 0 and counts.percent_positive is None
    assert rounded_percent(0, 0) is None and whole_percent(0, 0) == "–"


def test_financial_year_runs_april_to_march():
    assert financial_year(2026, 11) == "2026_27"
    assert financial_year(2027, 3) == "2026_27"
    assert financial_year(2027, 4) == "2027_28"


# -- months, periods and modes ------------------------------------------------------------


def test_month_bounds_are_calendar_months_leap_years_included():
    assert month_bounds(2026, 11) == (date(2026, 11, 1), date(2026, 11, 30))
    assert month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_period_is_a_month_written_yyyy_mm():
    assert parse_period("2026-11") == month_bounds(2026, 11)
    assert parse_period("2000-01")[0] == date(2000, 1, 1)
    assert parse_period("9998-12")[1] == date(9998, 12, 31)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("November", "YYYY-MM"),
        ("2026-13", "YYYY-MM"),
        ("2026-00", "YYYY-MM"),
        ("2026-1", "YYYY-MM"),
        ("٢٠٢٦-١١", "YYYY-MM"),  # Arabic-Indic digits are digits to "\d", not to NHS England
        ("２０２６-１１", "YYYY-MM"),
        ("1999-12", "choose a month from 2000 to 9998"),
        ("9999-01", "choose a month from 2000 to 9998"),
    ],
)
def test_anything_else_is_a_period_error_that_says_what_to_send(text, says):
    with pytest.raises(PeriodError, match=says):
        parse_period(text)


def test_periods_by_ward_date():
    today = date(2026, 3, 3)
    assert period("today", today) == (today, today)
    assert period("last-7-days", today) == (date(2026, 2, 25), today)
    assert period("this-month", today) == (date(2026, 3, 1), today)
    assert period("last-month", today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period("last-month", date(2026, 1, 31)) == month_bounds(2025, 12)
    assert list(PERIODS) == ["today", "last-7-days", "this-month", "last-month"]
    with pytest.raises(ValueError, match="unknown period"):
        period("yesterday", today)


def test_modes_are_the_literal_the_wire_checks():
    assert MODES == (
        "SMS",
        "Electronic Discharge",
        "Electronic Home",
        "Paper Discharge",
        "Paper Home",
        "Telephone",
        "Online",
        "Other",
    )
    from sync import protocol

    assert protocol.Response.model_fields["mode"].annotation is Mode


def test_fft_stays_import_light_for_the_kiosk_start_up():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, sync.fft; print(sorted(m for m in sys.modules if 'pydantic' in m))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# -- rounding ---------------------------------------------------------------------------


def test_percentages_round_half_up_not_half_to_even():
    assert round(62.5) == 62  # Python's banker's rounding, which NHS England does not use
    assert rounded_percent(5, 8) == Decimal("63")  # 62.5 %
    assert rounded_percent(1, 16, places=1) == Decimal("6.3")  # 6.25 %
    assert whole_percent(5, 8) == "63%"


def test_whole_percents_come_from_exact_counts_not_the_one_decimal_figure():
    # 889 / 2000 = 44.45 %: one decimal gives 44.5, and rounding that again gives 45.
    assert rounded_percent(889, 2000, places=1) == Decimal("44.5")
    assert rounded_percent(889, 2000) == Decimal("44")


@pytest.mark.parametrize("total", range(1, 200))
def test_rounding_agrees_with_exact_decimal_arithmetic(total):
    for part in range(total + 1):
        exact = Decimal(100 * part) / Decimal(total)
        assert rounded_percent(part, total) == exact.quantize(Decimal(1), "ROUND_HALF_UP")
        assert rounded_percent(part, total, 1) == exact.quantize(Decimal("0.1"), "ROUND_HALF_UP")


# -- suppression: the worked examples of the issue ----------------------------------------


def _hidden(wards):
    return hidden_places({key: sum(counts) for key, counts in wards.items()})


def test_a_ward_of_eleven_shows_every_count():
    wards = {("RWD", "RWDLA", "Ward 7"): [1, 0, 5, 2, 1, 2]}
    assert _hidden(wards) == frozenset()


def test_a_ward_of_three_hides_its_whole_breakdown_even_the_zeros():
    wards = {("RWD", "RWDLA", "Ward 7"): [0, 0, 3, 0, 0, 0]}
    # The ward, and so its site and organisation (which hold the same three answers).
    assert _hidden(wards) == {("RWD",), ("RWD", "RWDLA"), ("RWD", "RWDLA", "Ward 7")}


def test_a_place_with_no_responses_is_not_suppressed():
    wards = {("RWD", "RWDLA", "Ward 7"): [0] * 6, ("RWD", "RWDLA", "Ward 8"): [9, 1, 0, 0, 0, 0]}
    assert _hidden(wards) == frozenset()


def test_second_level_hides_the_sibling_that_would_give_the_small_one_away():
    # Org [111,36,85,15,17,19]; site A [111,36,85,15,17,17]; site B is two "Don't know".
    wards = {
        ("RXX", "A", "Ward 1"): [100, 30, 80, 10, 15, 15],
        ("RXX", "A", "Ward 2"): [11, 6, 5, 5, 2, 2],
        ("RXX", "B", "Ward 3"): [0, 0, 0, 0, 0, 2],
    }
    hidden = _hidden(wards)
    assert ("RXX", "B") in hidden  # first level: 2 responses
    assert ("RXX", "A") in hidden  # second level: else B = org - A
    assert ("RXX",) not in hidden
    # Cascade: a hidden site hides its two smallest wards.
    assert {("RXX", "A", "Ward 1"), ("RXX", "A", "Ward 2"), ("RXX", "B", "Ward 3")} <= hidden


def test_ties_are_ranked_by_name():
    wards = {
        ("RWD", "S", "Ward C"): [2, 0, 0, 0, 0, 0],
        ("RWD", "S", "Ward B"): [9, 1, 0, 0, 0, 0],
        ("RWD", "S", "Ward A"): [9, 1, 0, 0, 0, 0],
    }
    hidden = _hidden(wards)
    assert ("RWD", "S", "Ward A") in hidden and ("RWD", "S", "Ward B") not in hidden


def test_the_cascade_reaches_wards_of_a_site_hidden_only_by_its_organisation():
    # The org has 4 responses (first level); its sites and their two smallest wards follow.
    wards = {
        ("RWD", "S1", "W1"): [1, 0, 0, 0, 0, 0],
        ("RWD", "S1", "W2"): [1, 0, 0, 0, 0, 0],
        ("RWD", "S1", "W3"): [0, 0, 0, 0, 0, 0],
        ("RWD", "S2", "W4"): [2, 0, 0, 0, 0, 0],
    }
    hidden = _hidden(wards)
    assert {("RWD",), ("RWD", "S1"), ("RWD", "S2")} <= hidden
    assert {("RWD", "S1", "W1"), ("RWD", "S1", "W2"), ("RWD", "S2", "W4")} <= hidden
    assert ("RWD", "S1", "W3") not in hidden  # no responses: nothing to hide


# -- the public board ----------------------------------------------------------------------


def test_the_board_of_a_small_ward_shows_only_its_total():
    text = board_text("Ward 7", date(2026, 11, 1), FFTCounts.from_mapping({3: 3}))
    assert "Total: 3" in text
    for words in ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor"):
        assert f"\n{words}: *" in text
    assert "%" not in text


def test_the_board_of_a_ward_of_eleven_shows_every_count_and_a_whole_percent():
    counts = FFTCounts.from_mapping({1: 1, 3: 5, 4: 2, 5: 1, 6: 2})
    text = board_text("Ward 7", date(2026, 11, 1), counts, "We did: quieter bins.")
    assert "Very good: 1\nGood: 0\nNeither good nor poor: 5\nPoor: 2\nVery poor: 1" in text
    assert "Don't know: 2\nTotal: 11" in text
    assert "9% said their experience was good" in text  # 1/11 = 9.09 %
    assert text.endswith("You said, we did:\nWe did: quieter bins.")
