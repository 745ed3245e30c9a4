"""Redaction of identifiers in comments."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kiosk.privacy import EMAIL_MARKER, NUMBER_MARKER, POSTCODE_MARKER, is_valid_nhs_number, redact


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


def _squashed(text: str) -> str:
    """*text* without separators, so an identifier left behind shows as one run of characters.

    Letters stay, so numbers from neighbouring words of prose are never joined into one run.
    """
    return re.sub(r"\W", "", text).upper()


digit_strings = st.text(alphabet="0123456789", min_size=9, max_size=9)
nhs_numbers = digit_strings.map(_with_check_digit).filter(lambda n: n is not None)
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

WARD_LABELS = ("ward", "bay", "bed", "room", "side room", "theatre")


# --- Identifiers, written the many ways people write them ----------------------------------

NHS_SEPARATORS = ["", " ", "  ", "-", " - ", ".", "/", "\t"]


@st.composite
def written_nhs_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the ten digits, as written): grouped 3-3-4 with any separators."""
    number = draw(nhs_numbers)
    assert number is not None
    first, second = draw(st.sampled_from(NHS_SEPARATORS)), draw(st.sampled_from(NHS_SEPARATORS))
    return number, f"{number[:3]}{first}{number[3:6]}{second}{number[6:]}"


PHONE_SEPARATORS = ["", " ", "  ", "-", " - ", "."]
# How the national number (without the trunk 0) is grouped: "7700 900123", "20 7946 0958",
# "161 496 0000", "1697 73456", "800 123 456".
PHONE_GROUPINGS = {
    10: [(4, 6), (4, 3, 3), (2, 4, 4), (3, 3, 4), (3, 7), (10,)],
    9: [(3, 3, 3), (4, 5)],
}
PHONE_PREFIXES = ["0", "(0", "+44", "0044", "44", "+44 (0)", "+44(0)", "0044 (0)", "+44 0"]
PHONE_GLUE = ["", "mob", "tel", "tel:", "Tel: ", "mobile ", "phone-"]


@st.composite
def written_phone_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the national number's digits, as written): UK mobiles and landlines, any prefix."""
    length = draw(st.sampled_from([10, 10, 10, 9]))
    leading = draw(st.sampled_from("1237" if length == 10 else "18"))
    national = leading + draw(
        st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1)
    )
    grouping = draw(st.sampled_from(PHONE_GROUPINGS[length]))
    groups, at = [], 0
    for size in grouping:
        groups.append(national[at : at + size])
        at += size
    prefix = draw(st.sampled_from(PHONE_PREFIXES))
    if prefix == "(0":  # "(0161) 496 0000"
        groups[0] = f"(0{groups[0]})"
        prefix = ""
    elif prefix == "0":  # the trunk 0 belongs to the first group: "07700 900123"
        groups[0] = f"0{groups[0]}"
        prefix = ""
    else:
        prefix += draw(st.sampled_from(PHONE_SEPARATORS))
    written = groups[0]
    for group in groups[1:]:
        written += draw(st.sampled_from(PHONE_SEPARATORS)) + group
    return national, draw(st.sampled_from(PHONE_GLUE)) + prefix + written


# The real outward shapes, with the letters the Royal Mail allows in each position.
_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # never Q V X
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I J Z
_THIRD = "ABCDEFGHJKPSTUW"  # A9A
_FOURTH = "ABEHMNPRVWXY"  # AA9A
_INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # never C I K M O V
_digit = st.sampled_from("0123456789")
_nonzero = st.sampled_from("123456789")
outward_codes = st.one_of(
    st.tuples(st.sampled_from(_FIRST), _nonzero),  # A9
    st.tuples(st.sampled_from(_FIRST), _nonzero, _digit),  # A99
    st.tuples(st.sampled_from(_FIRST), st.sampled_from(_SECOND), _digit),  # AA9
    st.tuples(st.sampled_from(_FIRST), st.sampled_from(_SECOND), _nonzero, _digit),  # AA99
    st.tuples(st.sampled_from(_FIRST), _nonzero, st.sampled_from(_THIRD)),  # A9A
    st.tuples(
        st.sampled_from(_FIRST), st.sampled_from(_SECOND), _nonzero, st.sampled_from(_FOURTH)
    ),
).map("".join)
inward_codes = st.tuples(_digit, st.sampled_from(_INWARD), st.sampled_from(_INWARD)).map("".join)
postcodes = st.one_of(st.tuples(outward_codes, inward_codes), st.just(("GIR", "0AA")))
_ORDINALS = {"1ST", "2ND", "3RD", *(f"{d}TH" for d in "0456789")}


@st.composite
def written_postcodes(draw: st.DrawFn) -> str:
    """Postcodes with a space, no space or a hyphen, in any mixture of case."""
    outward, inward = draw(postcodes)
    text = outward + draw(st.sampled_from(["", " ", "-", "  "])) + inward
    upper = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.upper() if up else c.lower() for c, up in zip(text, upper, strict=True))
    # A lower-case ordinal such as "3rd" is read as a floor ("B12 3rd floor"), by design.
    assume(not (inward in _ORDINALS and not text[-2:].isupper()))
    return text


_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
_TLDS = ["com", "net", "org", "uk", "co.uk", "nhs.uk", "nhs.net", "ac.uk", "gov.uk", "io"]
_ip_addresses = st.lists(st.integers(0, 255), min_size=4, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)


@st.composite
def written_emails(draw: st.DrawFn) -> str:
    """Ordinary, spelt-out ("jane at example dot com") and IP-literal addresses."""
    local = draw(_LOCAL)
    if draw(st.booleans()):
        local += draw(st.sampled_from([".", "_", "+", "-"])) + draw(_LOCAL)
    assume(local.lower() not in {"at", "dot"})
    labels = [
        *draw(st.lists(_LABEL, min_size=1, max_size=2)),
        *draw(st.sampled_from(_TLDS)).split("."),
    ]
    form = draw(st.sampled_from(["plain", "spelt", "ip", "bracketed ip"]))
    if form == "plain":
        return f"{local}@{'.'.join(labels)}"
    if form == "ip":
        return f"{local}@{draw(_ip_addresses)}"
    if form == "bracketed ip":
        return f"{local}@[{draw(_ip_addresses)}]"
    at = draw(st.sampled_from([" at ", " AT ", " At ", " [at] ", "[at]", "(at)", " (at) ", " @ "]))
    dot = draw(st.sampled_from([" dot ", " DOT ", " [dot] ", "[dot]", "(dot)", "."]))
    return f"{local}{at}{labels[0]}" + "".join(f"{dot}{label}" for label in labels[1:])


def _no_ward_label_at_the_end(text: str) -> bool:
    return re.search(rf"(?i)\b(?:{'|'.join(WARD_LABELS)})$", text) is None


@settings(max_examples=300)
@given(number=written_nhs_numbers(), before=prose, after=prose)
def test_nhs_numbers_with_any_separators_are_removed(number, before, after):
    digits, written = number
    result = redact(f"{before} {written} {after}")
    assert digits not in _squashed(result)
    assert NUMBER_MARKER in result


@settings(max_examples=300)
@given(number=written_phone_numbers(), before=prose, after=prose)
def test_uk_phone_numbers_in_any_spelling_are_removed(number, before, after):
    national, written = number
    result = redact(f"{before} {written} {after}")
    assert national not in _squashed(result)
    assert NUMBER_MARKER in result


@settings(max_examples=300)
@given(postcode=written_postcodes(), before=prose, after=prose)
def test_postcodes_in_any_spelling_are_removed(postcode, before, after):
    assume(_no_ward_label_at_the_end(before))
    assert redact(f"{before} {postcode} {after}") == f"{before} {POSTCODE_MARKER} {after}"


@settings(max_examples=300)
@given(email=written_emails(), before=prose, after=prose)
def test_emails_in_any_spelling_are_removed(email, before, after):
    assert redact(f"{before} {email} {after}") == f"{before} {EMAIL_MARKER} {after}"


# --- Harmless ward text -------------------------------------------------------------------

# Ordinary words to go between the harmless pieces. No top-level domains ("uk", "me", "co"):
# "nurse at ward dot me" would be an address.
ORDINARY_WORDS = (
    *("the", "nurse", "was", "kind", "and", "I", "sat", "at", "table", "dot", "on", "chart"),
    *("she", "looked", "staff", "food", "cold", "thank", "you", "very", "much", "doctor"),
    *("waited", "for", "hours", "seen", "by", "a", "porter", "lovely", "clean", "night", "ward"),
)
HARMLESS_EXAMPLES = [
    "room B12 3rd floor",
    "ward B2 3AB",
    "10:30",
    "2pm",
    "12/03/2026",
    "12.03.26",
    "waited 45 minutes",
    "3 - 4 hours",
    "bed 12 in bay 3",
    "£5",
    "2024",
    "I sat at the table",
    "the dot on the chart",
    "she looked at me",
    "24/7",
    "Ward 7 Acute Medicine",
    "arrived at 10.30",
]
_small = st.integers(0, 99)
_ordinals = st.integers(1, 9).map(lambda n: f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n, 'th') }")
harmless_pieces = st.one_of(
    st.sampled_from(HARMLESS_EXAMPLES),
    st.builds("{}:{:02d}".format, st.integers(0, 23), st.integers(0, 59)),  # 09:05
    st.builds("{}.{:02d}".format, st.integers(0, 23), st.integers(0, 59)),  # 9.05
    st.builds("{}{}".format, st.integers(1, 12), st.sampled_from(["am", "pm", " am", " pm"])),
    st.builds(
        "{:02d}{sep}{:02d}{sep}{}".format,
        st.integers(1, 31),
        st.integers(1, 12),
        st.one_of(st.integers(2000, 2030), st.integers(0, 99).map("{:02d}".format)),
        sep=st.sampled_from(["/", "."]),
    ),  # 12/03/2026, 05.03.26
    st.builds("waited {} minutes".format, st.integers(1, 999)),
    st.builds("{} - {} hours".format, st.integers(1, 12), st.integers(1, 24)),
    st.builds("bed {} in bay {}".format, _small, _small),
    st.builds("{} {}".format, st.sampled_from(WARD_LABELS), _small),  # bay 3, side room 4
    st.builds("£{}".format, st.integers(0, 999)),
    st.builds("£{}.{:02d}".format, st.integers(0, 99), st.integers(0, 99)),
    st.integers(1950, 2030).map(str),  # years
    st.builds("{} patients".format, st.integers(0, 9999)),  # counts
    st.builds(
        "Ward {} {}".format, st.integers(1, 40), st.sampled_from(["Acute Medicine", "Surgery"])
    ),
    # A ward label before a postcode shape names the ward ("ward B2 3AB").
    st.builds("{} {}".format, st.sampled_from(WARD_LABELS), written_postcodes()),
    # "B12 3rd floor": an ordinal, not an inward code.
    st.builds("{}{} {} floor".format, st.sampled_from("ABCDEFGH"), st.integers(1, 99), _ordinals),
)
harmless_text = st.lists(
    st.tuples(harmless_pieces, st.one_of(st.sampled_from(ORDINARY_WORDS), words)),
    min_size=1,
    max_size=20,
).map(lambda pairs: " ".join(f"{piece} {word}" for piece, word in pairs))


@settings(max_examples=300)
@given(text=harmless_text)
def test_harmless_ward_text_comes_through_unchanged(text):
    assert redact(text) == text


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


@pytest.mark.parametrize(
    ("written", "replaced"),
    [
        # NHS numbers with any separator between the groups.
        ("943.476.5919", NUMBER_MARKER),
        ("943/476/5919", NUMBER_MARKER),
        ("943   476   5919", NUMBER_MARKER),
        ("943\t476\t5919", NUMBER_MARKER),
        ("943 - 476 - 5919", NUMBER_MARKER),
        ("9434765919", NUMBER_MARKER),
        # Written as an NHS number, so removed even though the check digit is wrong.
        ("943 476 5918", NUMBER_MARKER),
        # Phone numbers.
        ("0044 7700 900123", NUMBER_MARKER),
        ("447700900123", NUMBER_MARKER),
        ("07700.900.123", NUMBER_MARKER),
        ("mob07700900123", f"mob{NUMBER_MARKER}"),
        ("tel:07700900123", f"tel:{NUMBER_MARKER}"),
        ("07700 900123", NUMBER_MARKER),
        ("+44 (0)20 7946 0958", NUMBER_MARKER),
        ("+447700900123", NUMBER_MARKER),
        ("(0161) 496 0000", NUMBER_MARKER),
        ("0800 123 456", NUMBER_MARKER),
        # Postcodes.
        ("SW1A-1AA", POSTCODE_MARKER),
        ("GIR 0AA", POSTCODE_MARKER),
        ("gir0aa", POSTCODE_MARKER),
        ("sw1a 1aa", POSTCODE_MARKER),
        ("Sw1A1aA", POSTCODE_MARKER),
        ("B33 8TH", POSTCODE_MARKER),
        ("W1A 0AX", POSTCODE_MARKER),
        # Emails.
        ("jane at example dot com", EMAIL_MARKER),
        ("jane [at] example [dot] co [dot] uk", EMAIL_MARKER),
        ("jane(at)example.com", EMAIL_MARKER),
        ("JANE AT EXAMPLE DOT COM", EMAIL_MARKER),
        ("jane at example.co.uk", EMAIL_MARKER),
        ("jane@[192.168.0.1]", EMAIL_MARKER),
        ("jane@192.168.0.1", EMAIL_MARKER),
    ],
)
def test_identifiers_in_every_spelling_are_removed(written, replaced):
    assert redact(f"it is {written} thanks") == f"it is {replaced} thanks"


@pytest.mark.parametrize(
    "text",
    [
        *HARMLESS_EXAMPLES,
        "side room B2 3AB",
        "B12 3rd floor",
        "the dot on the chart",
        "look at the dot on the chart",
        "open 24/7 on Ward 7 Acute Medicine",
        "on 01.03.2026 10:30 and 01/03/2026 10.30",
        "GIR is not a postcode, nor is AIR 0AA",
    ],
)
def test_harmless_text_is_kept(text):
    assert redact(text) == text
