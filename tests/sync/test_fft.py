"""FFT arithmetic as NHS England defines it."""

from __future__ import annotations

import pytest

from sync.fft import FFTCounts, financial_year, suppress


def test_dont_know_is_in_the_denominator():
    counts = FFTCounts.from_mapping({1: 6, 2: 2, 4: 1, 5: 1, 6: 10})
    assert counts.total == 20
    assert counts.percent_positive == pytest.approx(40.0)
    assert counts.percent_negative == pytest.approx(10.0)


def test_no_responses_gives_no_percentage():
    counts = FFTCounts.from_mapping({})
    assert counts.total == 0 and counts.percent_positive is None


def test_suppression_hides_small_counts_and_one_more_when_alone():
    assert suppress({1: 20, 2: 3, 3: 0, 4: 8, 5: 0, 6: 12}) == {
        1: 20,
        2: "*",
        3: 0,
        4: "*",
        5: 0,
        6: 12,
    }
    assert suppress({1: 20, 2: 3, 3: 4, 4: 8, 5: 0, 6: 12}) == {
        1: 20,
        2: "*",
        3: "*",
        4: 8,
        5: 0,
        6: 12,
    }
    assert suppress({1: 20, 2: 9}) == {1: 20, 2: 9, 3: 0, 4: 0, 5: 0, 6: 0}


def test_financial_year_runs_april_to_march():
    assert financial_year(2026, 11) == "2026_27"
    assert financial_year(2027, 3) == "2026_27"
    assert financial_year(2027, 4) == "2027_28"
