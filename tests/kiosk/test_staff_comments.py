"""Comments as staff read them: safeguarding ones first, each headed in ward time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import DEFAULT_SAFEGUARDING_WORDS
from kiosk.staff_comments import safeguarding_split, staff_comments
from kiosk.store import LocalStore
from kiosk.survey import load_survey
from tests.helpers import ORIGIN as WARD

LONDON = ZoneInfo("Europe/London")
# 09:30 UTC on 20 July is 10:30 in London (summer time).
MORNING = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)
DAY = date(2026, 7, 20)

COMMENTS = [  # newest first, as the store gives them
    (1, ["staff"], "The nurses on nights were so kind to my mum."),
    (4, ["noise"], "I felt unsafe when the man in the next bed shouted."),
    (2, ["food"], "Food was hot and there was choice."),
    (5, [], "My dad was SCARED to ask for help at night."),
    (3, ["waiting"], "Long wait for the discharge letter."),
]


@pytest.fixture
def commented(store: LocalStore) -> LocalStore:
    """The shared store with COMMENTS given a minute apart, and one rating with no comment."""
    for minutes, (code, themes, text) in enumerate(reversed(COMMENTS)):
        rid = store.record(code, WARD, language="en", at=MORNING + timedelta(minutes=minutes))
        store.add_followup(rid, themes, text)
    store.record(1, WARD, language="en", at=MORNING)  # no comment: never listed
    return store


def as_given(text: str) -> dict[str, object]:
    return {"answered_at": MORNING.isoformat(), "rating": 1, "themes": [], "comment": text}


def test_comments_with_safeguarding_words_are_split_off_in_their_order():
    comments = [as_given(text) for _, _, text in COMMENTS]
    flagged, ordinary = safeguarding_split(comments, DEFAULT_SAFEGUARDING_WORDS)
    assert [c["comment"] for c in flagged] == [
        "I felt unsafe when the man in the next bed shouted.",
        "My dad was SCARED to ask for help at night.",  # whatever the case
    ]
    assert [c["comment"] for c in ordinary] == [
        "The nurses on nights were so kind to my mum.",
        "Food was hot and there was choice.",
        "Long wait for the discharge letter.",
    ]


def test_a_ward_word_in_capitals_still_matches():
    flagged, ordinary = safeguarding_split([as_given("He was shouting at me")], ["Shouting"])
    assert len(flagged) == 1 and ordinary == []


def test_no_words_flag_nothing():
    flagged, ordinary = safeguarding_split([as_given("I felt unsafe")], [])
    assert flagged == [] and len(ordinary) == 1


def test_staff_read_safeguarding_comments_first_then_the_rest_newest_first(commented):
    shown = staff_comments(
        commented, load_survey("fft-inpatient"), LONDON, DEFAULT_SAFEGUARDING_WORDS, DAY, DAY
    )
    assert [c.safeguarding for c in shown] == [True, True, False, False, False]
    assert shown[0].text == (
        "Safeguarding: read now. 20 Jul 10:33 · Poor · Noise\n"
        "I felt unsafe when the man in the next bed shouted."
    )
    assert shown[1].text == (
        "Safeguarding: read now. 20 Jul 10:31 · Very poor\n"
        "My dad was SCARED to ask for help at night."
    )
    assert shown[2].text == (
        "20 Jul 10:34 · Very good · Staff\nThe nurses on nights were so kind to my mum."
    )
    assert shown[3].text.startswith("20 Jul 10:32 · Good · Food and drink\n")
    assert shown[4].text.startswith("20 Jul 10:30 · Neither good nor poor · Waiting\n")


def test_staff_comments_keep_to_the_answers_and_dates_asked_for(commented):
    survey = load_survey("fft-inpatient")
    positive = staff_comments(
        commented, survey, LONDON, DEFAULT_SAFEGUARDING_WORDS, DAY, DAY, codes=(1, 2)
    )
    assert [c.text.splitlines()[1] for c in positive] == [
        "The nurses on nights were so kind to my mum.",
        "Food was hot and there was choice.",
    ]
    day_after = DAY + timedelta(days=1)
    assert staff_comments(commented, survey, LONDON, (), day_after, day_after) == []
