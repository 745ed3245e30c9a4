"""Redaction of identifiers that people type into free-text comments.

NHS numbers, UK phone numbers, email addresses and postcodes become a marker before a comment is
stored; feedback is anonymous. Names cannot be found reliably and are left.
"""

from __future__ import annotations

import re

NUMBER_MARKER = "[number removed]"
EMAIL_MARKER = "[email removed]"
POSTCODE_MARKER = "[postcode removed]"

# Horizontal white space only (space, tab, no-break space): a number broken over two lines of
# a comment is rare, and letting newlines in would glue unrelated lines' numbers together.
_GAP = r"[^\S\r\n]"

# What people put between digit groups: nothing, any run of spaces or tabs, or one of - . /
# with optional spaces around it ("943 476 5919", "943.476.5919", "943 - 476 - 5919").
_SEP = rf"(?:{_GAP}*[-./]{_GAP}*|{_GAP}+)"

# Phone numbers also bracket the area code ("(0161) 496 0000", "(01000)-000000"), so any short
# run of spaces, - . ( ) will do. No "/": a date followed by a time ("01/03/2026 10") would
# otherwise read as a phone number.
_PHONE_SEP = rf"(?:(?:{_GAP}|[-.()]){{1,5}})"

# A number starts where no digit run ends just before it (so "12.03.2026" is not split into a
# fresh number at "03") and stops where no digit run carries on ("10.30", "10:30"). _BEGUN is
# written after a number's first character, not before it, so every pattern below opens with a
# plain character and `re` can skip straight to candidates: redact runs on the UI thread.
_BEGUN = r"(?<!\d.)(?<!\d[-./:].)"
_ENDED = r"(?![-./:]?\d)"

# Any ten digits with separators between any of them. Whether they are an NHS number is
# decided in _replace_nhs_number, because the check digit cannot be tested by a regex.
_NHS_NUMBER = re.compile(rf"\d{_BEGUN}(?:{_SEP}?\d){{9}}{_ENDED}")

# UK phone numbers. Only a digit is forbidden in front of them, not a letter, so numbers glued
# to a word are caught too ("mob07700900123", "tel:07700900123").
_PHONE = re.compile(
    rf"""
    (?:
        # Country code (+44, 0044 or a bare 44), perhaps the trunk 0 people keep ("(0)20",
        # "+44 020"), then the national number of 9 or 10 digits.
        (?: \+{_BEGUN}44 | 0{_BEGUN}044 | 4{_BEGUN}4 ) {_SEP}? (?:\(0\){_SEP}? | 0{_SEP}?)? \(?
        [1-9] (?:{_PHONE_SEP}?\d){{8,9}}
      |
        # Trunk 0 then 9 or 10 digits. The first group has at least three digits ("020",
        # "0161", "07700"): that keeps dates such as "01.03.2026 10" out.
        (?: \({_BEGUN}0 | 0{_BEGUN} ) [1-9]\d (?:{_PHONE_SEP}?\d){{7,8}}
    )
    {_ENDED}
    """,
    re.VERBOSE,
)

# Ordinary addresses, including IP-literal domains ("jane@[192.168.0.1]"); "jane@192.168.0.1"
# is already a dotted domain.
_EMAIL = re.compile(
    r"""
    (?<![\w.+\-]) [\w.+\-]+ @
    (?: \[ (?:IPv6:)? [0-9A-F:.]+ \] | [\w\-]+ (?:\.[\w\-]+)+ )
    """,
    re.VERBOSE | re.IGNORECASE,
)

# Addresses spelt out to dodge filters: "jane at example dot com", "jane [at] nhs [dot] net",
# "jane(at)example.com". "at" and "dot" are ordinary words ("I sat at the table", "the dot on
# the chart"), so the whole word-at-word-dot-tld shape is required and the last label must be a
# common top-level domain; "arrived at 10.30" and "at home.it" are not addresses.
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_TLDS = (
    *("com", "net", "org", "uk", "co", "nhs", "gov", "ac", "edu", "io", "info", "biz", "me"),
    *("ie", "eu", "us", "ca", "au", "de", "fr", "scot", "wales", "cymru", "london", "online"),
    "email",
)
_SPELT_EMAIL = re.compile(
    rf"(?<![\w.+\-])[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}(?:{'|'.join(_TLDS)})\b",
    re.IGNORECASE,
)
# A spelt address ends in "dot <tld>" or ".<tld>": without either, the slow pattern is skipped.
_SPELT_EMAIL_HINTS = ("dot", *(f".{tld}" for tld in _TLDS))

# Postcodes: the six outward shapes (A9, A99, AA9, AA99, A9A, AA9A) then the inward code
# (digit and two letters, never C I K M O V), joined by spaces, nothing or a hyphen; also
# Girobank's GIR 0AA and the overseas territories' "ASCN 1ZZ" style. The first letter is
# matched before the word-start check for speed, as with _BEGUN.
_POSTCODE = re.compile(
    rf"""
    [A-Z] (?<!\w.)
    (?:
        (?<=G)IR (?:{_GAP}*-?{_GAP}*) 0AA
      | [A-Z]{{3}} (?:{_GAP}*-?{_GAP}*) 1ZZ
      | [A-Z]?\d[A-Z\d]? (?:{_GAP}*-?{_GAP}*) (?P<inward>\d[ABD-HJLNP-UW-Z]{{2}})
    )
    \b
    """,
    re.VERBOSE | re.IGNORECASE,
)

# A ward label directly in front makes a postcode shape a ward's name: "ward B2 3AB",
# "side room B2 3AB". Searched in the few characters before a match only.
_WARD_LABEL = re.compile(rf"(?:^|\W)(?:ward|bay|bed|room|theatre){_GAP}{{1,4}}\Z", re.IGNORECASE)
_WARD_LABEL_REACH = 12  # a boundary character, "theatre" and four spaces

# Inward codes that read as English ordinals ("room B12 3rd floor").
_ORDINALS = frozenset(
    f"{digit}{'st' if digit == 1 else 'nd' if digit == 2 else 'rd' if digit == 3 else 'th'}"
    for digit in range(10)
)

_DIGITS = "0123456789"


def is_valid_nhs_number(digits: str) -> bool:
    """Whether ten digits pass the NHS number modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _replace_nhs_number(match: re.Match[str]) -> str:
    written = match.group(0)
    groups = [len(group) for group in re.findall(r"\d+", written)]
    digits = "".join(re.findall(r"\d", written))
    # A valid check digit is an NHS number however it is grouped. Written as an NHS number is
    # (3-3-4 or ten in a row) it is removed even with a bad check digit: most likely a mistyped
    # NHS number or a hospital number, and a missed identifier is worse than an eager scrub.
    if is_valid_nhs_number(digits) or groups in ([3, 3, 4], [10]):
        return NUMBER_MARKER
    return written


def _replace_postcode(match: re.Match[str]) -> str:
    start = match.start()
    if _WARD_LABEL.search(match.string, max(0, start - _WARD_LABEL_REACH), start):
        return match.group(0)  # "ward B2 3AB" names a ward, not an address
    inward = match.group("inward")
    if inward and not inward[1:].isupper() and inward.lower() in _ORDINALS:
        # "B12 3rd": a lower-case ordinal is a floor or a position. An all-capitals "3RD" is
        # still treated as a postcode.
        return match.group(0)
    return POSTCODE_MARKER


def redact(text: str) -> str:
    """Return *text* with NHS numbers, UK phone numbers, emails and postcodes replaced."""
    # Emails first: their domains may hold digits (IP literals) that the number rules would
    # half-eat. Phones before NHS numbers, so "+44 20 7946 0958" goes whole rather than
    # leaving "+44 " behind when its last ten digits happen to pass the NHS check. Each rule
    # is skipped when a cheap look shows it cannot match: most comments hold no identifier.
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MARKER, text)
    lowered = text.lower()
    if any(hint in lowered for hint in _SPELT_EMAIL_HINTS):
        text = _SPELT_EMAIL.sub(EMAIL_MARKER, text)
    digits = sum(map(text.count, _DIGITS))
    if digits >= 10:  # the shortest phone or NHS number has ten digits
        text = _PHONE.sub(NUMBER_MARKER, text)
        text = _NHS_NUMBER.sub(_replace_nhs_number, text)
    if digits:
        text = _POSTCODE.sub(_replace_postcode, text)
    return text
