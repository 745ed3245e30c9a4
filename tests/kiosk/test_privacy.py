"""Redaction of identifiers in comments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.privacy import EMAIL_MARKER, NUMBER_MARKER, POSTCODE_MARKER, is_valid_nhs_number, redact


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


nhs_numbers = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(_with_check_digit)
    .filter(lambda n: n is not None)
)
separators = st.sampled_from(["{}{}{} {}{}{} {}{}{}{}", "{}{}{}-{}{}{}-{}{}{}{}", "{}" * 10])
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'", min_size=1)
# Ordinary prose: words, each perhaps followed by a small number or punctuation ("bed 12",
# "waited 45 minutes", "10:30"), never a run of digit groups that reads like a phone number.
extras = st.one_of(
    st.just(""),
    st.integers(0, 999).map(lambda n: f" {n}"),
    st.sampled_from([",", ".", "!", "?", " -", " (ok)", " £5", " 10:30", " 3rd", " 24/7"]),
)
prose = st.lists(st.tuples(words, extras).map("".join), max_size=40).map(" ".join)


@given(number=nhs_numbers, shape=separators, before=prose, after=prose)
def test_valid_nhs_numbers_are_always_removed(number, shape, before, after):
    written = shape.format(*number)
    result = redact(f"{before} {written} {after}")
    assert number not in result.replace(" ", "").replace("-", "")
    assert NUMBER_MARKER in result


@given(text=prose)
def test_ordinary_prose_comes_through_unchanged(text):
    assert redact(text) == text


def test_the_nhs_check_digit():
    assert is_valid_nhs_number("9434765919")
    assert not is_valid_nhs_number("9434765918")
    assert not is_valid_nhs_number("943476591")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring 07700 900123 please", f"ring {NUMBER_MARKER} please"),
        ("+44 (0)20 7946 0958", NUMBER_MARKER),
        ("+447700900123", NUMBER_MARKER),
        ("(0161) 496 0000", NUMBER_MARKER),
        ("mail jo.bloggs+ward@nhs.net now", f"mail {EMAIL_MARKER} now"),
        ("I live at SW1A 1AA.", f"I live at {POSTCODE_MARKER}."),
        ("postcode ls1 4ap", f"postcode {POSTCODE_MARKER}"),
        ("M1 1AE and B33 8TH", f"{POSTCODE_MARKER} and {POSTCODE_MARKER}"),
        ("nhs no 943-476-5919", f"nhs no {NUMBER_MARKER}"),
        ("bed 12 in bay 3, waited 45 minutes", "bed 12 in bay 3, waited 45 minutes"),
    ],
)
def test_identifiers_are_replaced_with_markers(text, expected):
    assert redact(text) == expected
