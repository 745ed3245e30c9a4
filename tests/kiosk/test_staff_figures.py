"""The Results page's figures, worded from a real store, without a window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kiosk.staff_figures import daily_series, results, theme_words
from kiosk.survey import load_survey
from tests.helpers import ORIGIN as WARD

NOV_3 = date(2026, 11, 3)


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_results_word_the_hand_computed_figures(store):
    for code in [1, 1, 1, 1, 2, 3, 4, 4, 6, 6]:
        store.record(code, WARD, language="en", at=at_noon(NOV_3))
    store.record(5, WARD, language="en", flags=["repeat-tap"], at=at_noon(NOV_3))
    rid = store.record(4, WARD, language="en", at=at_noon(NOV_3 - timedelta(days=1)))
    store.add_followup(rid, ["noise", "staff"], "")
    rid = store.record(1, WARD, language="en", at=at_noon(NOV_3 - timedelta(days=1)))
    store.add_followup(rid, ["staff"], "")

    shown = results(store, load_survey("fft-inpatient"), NOV_3, NOV_3)
    # 1 x4, 2 x1, 3 x1, 4 x2, 5 x0, 6 x2 = 10: positive 5/10, negative 2/10.
    assert shown.counts == {1: "4", 2: "1", 3: "1", 4: "2", 5: "0", 6: "2"}
    assert shown.total == "Total responses: 10"
    assert shown.positive == "Positive: 50%"
    assert shown.negative == "Negative: 20%"
    assert shown.excluded == "Repeat taps left out of these figures: 1"
    assert shown.themes == "Themes chosen: none"

    two_days = results(store, load_survey("fft-inpatient"), NOV_3 - timedelta(days=1), NOV_3)
    assert two_days.total == "Total responses: 12"
    assert two_days.themes == "Themes chosen: Staff 2, Noise 1"  # most chosen first


def test_an_empty_period_has_no_percentages_to_divide_by_zero(store):
    shown = results(store, load_survey("fft-inpatient"), NOV_3, NOV_3)
    assert shown.total == "Total responses: 0"
    assert shown.counts == dict.fromkeys(range(1, 7), "0")
    assert shown.positive.startswith("Positive: ") and shown.negative.startswith("Negative: ")


def test_a_theme_no_longer_in_the_survey_is_shown_by_its_id():
    survey = load_survey("fft-inpatient")
    assert theme_words(survey, "food") == "Food and drink"
    assert theme_words(survey, "parking") == "parking"


def test_daily_series_has_a_bar_for_every_day_even_an_empty_one(store):
    for code in [1, 1, 5]:
        store.record(code, WARD, language="en", at=at_noon(NOV_3))
    store.record(2, WARD, language="en", at=at_noon(NOV_3 + timedelta(days=2)))
    store.record(2, WARD, language="en", flags=["repeat-tap"], at=at_noon(NOV_3))

    daily = daily_series(store, NOV_3, NOV_3 + timedelta(days=2))
    assert daily.labels == ["03 Nov", "04 Nov", "05 Nov"]
    assert daily.by_code[1] == [2, 0, 0]
    assert daily.by_code[2] == [0, 0, 1]  # the repeat tap is left out, as in the counts
    assert daily.by_code[5] == [1, 0, 0]
    assert daily.most == 3


def test_a_long_period_labels_days_by_number_alone_and_an_empty_one_has_a_scale(store):
    daily = daily_series(store, date(2026, 11, 1), date(2026, 11, 30))
    assert daily.labels[:3] == ["01", "02", "03"] and len(daily.labels) == 30
    assert all(values == [0] * 30 for values in daily.by_code.values())
    assert daily.most == 1
