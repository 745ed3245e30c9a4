"""Redaction of identifiers that people type into free-text comments.

Feedback is anonymous, so NHS numbers, phone numbers, email addresses and postcodes are
replaced by a marker before a comment is stored. Names cannot be found reliably and are left.
"""

from __future__ import annotations

import re

NUMBER_MARKER = "[number removed]"
EMAIL_MARKER = "[email removed]"
POSTCODE_MARKER = "[postcode removed]"

# Ten digits, each optionally separated by one space or dash ("943 476 5919", "943-476-5919").
_NHS_NUMBER = re.compile(r"(?<![\d])\d(?:[ \-]?\d){9}(?![\d])")

# UK phone numbers: 0 or +44 (optionally "(0)"), then 9 or 10 more digits in any grouping.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[ \-]?(?:\(0\)[ \-]?)?|\(?0)\d(?:[ \-()]{0,2}\d){8,9}(?![\d])"
)

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)

# The UK postcode shapes (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA).
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)


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
    digits = re.sub(r"\D", "", match.group(0))
    return NUMBER_MARKER if is_valid_nhs_number(digits) else match.group(0)


def redact(text: str) -> str:
    """Return *text* with NHS numbers, UK phone numbers, emails and postcodes replaced."""
    text = _EMAIL.sub(EMAIL_MARKER, text)
    text = _NHS_NUMBER.sub(_replace_nhs_number, text)
    text = _PHONE.sub(NUMBER_MARKER, text)
    return _POSTCODE.sub(POSTCODE_MARKER, text)
