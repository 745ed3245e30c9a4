"""Redaction of identifiers that people type into free-text comments.

NHS numbers, UK phone numbers, email addresses and postcodes become a marker before a comment is
stored; feedback is anonymous. Names cannot be found reliably and are left.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable

NUMBER_MARKER = "[number removed]"
EMAIL_MARKER = "[email removed]"
POSTCODE_MARKER = "[postcode removed]"

# --- Folding --------------------------------------------------------------------------------
# The patterns below are written for ASCII, but a comment may hold another script's digits
# ("٩٤٣", "۹۴۳", "९४३", "９４３"), full-width forms ("＠", "ＳＷ１Ａ"), typographic dashes and
# the minus sign ("07700–900–123"), or zero-width spaces. They are matched on a folded copy in
# which each such character becomes its ASCII original. The fold is one character for one, so
# every match position is also valid in the comment as typed: markers are cut from the original
# and whatever is not an identifier is stored exactly as it was written.
_FOLDED_PUNCTUATION = {
    # Soft hyphen, hyphens, figure dash, en and em dashes, bar, hyphen bullet, minus sign,
    # two- and three-em dashes, small em dash and small hyphen-minus.
    **dict.fromkeys("\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212", "-"),
    **dict.fromkeys("\u2e3a\u2e3b\ufe58\ufe63", "-"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),  # curly quotes round a quoted local part
    # Zero-width spaces, non-joiner, joiner and word joiner: invisible between digits.
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "),
    "\ufe6b": "@",  # small commercial at; the full-width one is in the block below
    "\u2024": ".",  # one dot leader
    "\u2044": "/",  # fraction slash
    "\u2215": "/",  # division slash
    "\ufe59": "(",  # small parentheses
    "\ufe5a": ")",
    "\ufe62": "+",  # small plus
}
_FULL_WIDTH = range(0xFF01, 0xFF5F)  # "！" to "～", each 0xFEE0 above its ASCII original
_FOLD_CACHE_LIMIT = 20_000  # distinct characters remembered; the rest are worked out each time


class _Fold(dict[int, int]):
    """A str.translate table filled in as characters are first met.

    Working it out for all of Unicode up front would delay start-up by a noticeable fraction of
    a second; a comment only ever holds a few dozen distinct non-ASCII characters.
    """

    def __missing__(self, code: int) -> int:
        char = chr(code)
        folded = code
        if char in _FOLDED_PUNCTUATION:
            folded = ord(_FOLDED_PUNCTUATION[char])
        elif code in _FULL_WIDTH:
            folded = code - 0xFEE0
        else:
            # Every script's decimal digits (str.isdecimal), not superscripts or circled digits:
            # "m²" is not part of a number.
            digit = unicodedata.decimal(char, -1)
            if digit >= 0:
                folded = ord("0") + digit
        if len(self) < _FOLD_CACHE_LIMIT:
            self[code] = folded
        return folded


_FOLD = _Fold()

# --- Numbers --------------------------------------------------------------------------------

# Horizontal white space only (space, tab, no-break and thin spaces): a number broken over two
# lines of a comment is rare, and letting newlines in would glue unrelated lines' numbers.
_GAP = r"[^\S\r\n]"

# What people put between an NHS number's digit groups: nothing, spaces, or up to two of
# - . / ( ) [ ] with spaces around ("943 476 5919", "943 - 476 - 5919", "(943) 476 5919").
# Possessive, as a separator is never followed by more separator: no backtracking on long runs.
_SEP = rf"{_GAP}*+(?:[-./()\[\]]{_GAP}*+){{0,2}}"

# Phone numbers may bracket the area code ("(0161) 496 0000", "[07700] 900123"), so any short
# run of spaces and - . / ( ) [ ] will do. "/" is safe because a phone's first group has three
# digits ("07700/900123", or "07" and then three) and a date's has two ("01/03/2026 10").
_PHONE_SEP = rf"(?:{_GAP}|[-./()\[\]]){{0,5}}+"

# A number starts where no digit run ends just before it (so "12.03.2026" is not split into a
# fresh number at "03") and stops where no digit run carries on ("10.30", "10:30"). _BEGUN is
# written after a number's first character, not before it, so every pattern below opens with a
# plain character and `re` can skip straight to candidates: redact runs on the UI thread.
_BEGUN = r"(?<!\d.)(?<!\d[-./:].)"
_ENDED = r"(?![-./:]?\d)"

# Ten digits written as an NHS number is: 3-3-4 with separators, or in one run. These go even
# with a bad check digit: most likely a mistyped NHS number or a hospital number, and a missed
# identifier is worse than an eager scrub. "(?=\D)" makes a separator non-empty.
_OPENING = rf"(?:[(\[](?<!\d.){_GAP}*+\d|\d{_BEGUN})"
_NHS_SHAPED = re.compile(
    rf"{_OPENING}(?:\d\d(?=\D){_SEP}\d{{3}}(?=\D){_SEP}\d{{4}}|\d{{9}}){_ENDED}"
)

# Any ten digits with separators between any of them, perhaps opening with a bracket. Whether
# they are an NHS number is decided in _nhs_number_marker: a regex cannot test the check digit.
# This runs after _NHS_SHAPED, so a kept match ("2024 943 476", not a valid number) cannot hide
# a 3-3-4 number overlapping it ("2024 943 476 5919").
_NHS_NUMBER = re.compile(rf"{_OPENING}(?:{_SEP}\d){{9}}{_ENDED}")

# A run of up to six digit groups, each of up to four digits (a date-time is three to six), with
# the separators dates and times use. Only looked for round a possible NHS number.
_DATE_TIME = re.compile(
    rf"(?<!\d)\d{{1,4}}(?:(?:{_GAP}{{0,2}}[-./:]{_GAP}{{0,2}}|{_GAP}{{1,3}})\d{{1,4}}){{2,5}}"
    rf"(?![-./:]?\d)"
)
# How far a date-time can reach either side of ten of its digits: four digits, three separators.
_DATE_TIME_REACH = 20

# UK phone numbers. Only a digit is forbidden in front of them, not a letter, so numbers glued
# to a word are caught too ("mob07700900123", "tel:07700900123"). The look-ahead for the
# characters a phone number can open with makes `re` pass over other positions at once; it is
# not otherwise needed (it more than halves the time on ordinary text).
_PHONE = re.compile(
    rf"""
    (?=[+(\[04])
    (?:
        # Country code (+44, 0044, a bare 44, or bracketed: "(+44)"), perhaps the trunk 0
        # people keep ("(0)20", "+44 020"), then the national number of 9 or 10 digits.
        (?: \+{_BEGUN}44 | 0{_BEGUN}044 | 4{_BEGUN}4 | [(\[]{_BEGUN}(?:\+|00)44[)\]] )
        {_SEP} (?:\(0\){_SEP} | 0{_SEP})? \(?
        [1-9] (?:{_PHONE_SEP}\d){{8,9}}
      |
        # Trunk 0 then 9 or 10 digits. The first group has at least three digits ("020",
        # "0161", "07700"): that keeps dates such as "01.03.2026 10" out. The exception is a
        # mobile split after its "07" ("07 700 900 123"): then the next group starts with three
        # digits, where a date's day or month has two ("07 03 2026 10 30").
        (?: [(\[]{_BEGUN}0 | 0{_BEGUN} )
        (?: [1-9]\d (?:{_PHONE_SEP}\d){{7,8}} | 7{_PHONE_SEP}\d{{3}} (?:{_PHONE_SEP}\d){{6}} )
    )
    {_ENDED}
    """,
    re.VERBOSE,
)

# A mobile written without its trunk 0 ("tel 7700 900123", "call me on 7700900123"). Ten digits
# from 7 are too common a shape to remove on their own, so _bare_mobile_marker also wants a
# phone word just before; the word stays. The pattern opens with the digit, not the word, so
# `re` can skip straight to the few candidates.
_BARE_MOBILE = re.compile(rf"(?:[(\[](?<!\d.)7|7{_BEGUN})(?:{_PHONE_SEP}\d){{9}}{_ENDED}")
_PHONE_WORDS = ("tel", "telephone", "phone", "ph", "mob", "mobile", "cell", "landline")
_PHONE_WORDS_MORE = ("call", "ring", "text", "txt", "whatsapp", "contact", "reach", "number", "no")
# The phone word is looked for at the end of the text before a candidate. `re` only searches
# forwards, so the pattern is written backwards ("call me on" is "no em llac") and anchored at
# the start of the reversed text: one attempt instead of one per position.
_GLUE = rf"{_GAP}{{0,3}}[:.,#\-]?{_GAP}{{0,3}}"
_PHONE_WORD_BEFORE_REVERSED = re.compile(
    rf"{_GLUE}(?:(?:em|no|si|ta){_GLUE}){{0,2}}"
    rf"(?:{'|'.join(word[::-1] for word in (*_PHONE_WORDS, *_PHONE_WORDS_MORE))})(?!\w)",
    re.IGNORECASE,
)
_PHONE_WORD_REACH = 40  # "telephone" and "me on" with the most glue allowed, and one more

# --- Emails ---------------------------------------------------------------------------------

# Ordinary addresses, quoted local parts ('"jane doe"@example.com') and IP-literal domains
# ("jane@[192.168.0.1]"); "jane@192.168.0.1" is already a dotted domain.
_EMAIL = re.compile(
    r"""
    (?: "[^"\r\n@]{1,64}" | (?<![\w.+\-])[\w.+\-]+ ) @
    (?: \[ (?:IPv6:)? [0-9A-F:.]+ \] | [\w\-]+ (?:\.[\w\-]+)+ )
    """,
    re.VERBOSE | re.IGNORECASE,
)

# Addresses spelt out to dodge filters: "jane at example dot com", "jane [at] nhs [dot] net",
# "jane(at)example.com", "jane -at- example -dot- com", "jane @ example . com". "at" and "dot"
# are ordinary words ("I sat at the table", "the dot on the chart"), so the whole
# word-at-word-dot-tld shape is required and the last label must be a common top-level domain;
# "arrived at 10.30" and "at home.it" are not addresses. A spaced " . " counts as a dot only
# after an "@" sign (the conditional on "sign"): "sat at home . me too" is prose.
_AT = r"(?: (?P<sign>\s*@\s*) | \s*[\[({<\-]\s*at\s*[\])}>\-]\s* | \s+at\s+ )"
_DOT = r"(?: (?(sign)\s*\.\s*|\.) | \s*[\[({<\-]\s*dot\s*[\])}>\-]\s* | \s+dot\s+ )"
# Parts cannot run over a glued "-at-" or "-dot-", and are possessive: otherwise every hyphen
# in "a-dot-b-dot-c-..." could be either and the match would take exponential time.
_LOCAL = r"(?<![\w.+\-]) (?:[\w.+]|-(?!at-))++"
_LABEL = r"(?:\w|-(?!dot-))++"
_TLDS = (
    *("com", "net", "org", "uk", "co", "nhs", "gov", "ac", "edu", "io", "info", "biz", "me"),
    *("ie", "eu", "us", "ca", "au", "de", "fr", "scot", "wales", "cymru", "london", "online"),
    "email",
)
_SPELT_EMAIL = re.compile(
    rf"{_LOCAL} {_AT} {_LABEL} (?:{_DOT}{_LABEL})* {_DOT} (?:{'|'.join(_TLDS)})\b",
    re.IGNORECASE | re.VERBOSE,
)
# A spelt address ends in "dot <tld>" or ".<tld>", or has an "@": otherwise it is not tried.
_SPELT_EMAIL_HINTS = ("@", "dot", *(f".{tld}" for tld in _TLDS))

# --- Postcodes ------------------------------------------------------------------------------

# The six outward shapes (A9, A99, AA9, AA99, A9A, AA9A) then the inward code (digit and two
# letters, never C I K M O V), joined by spaces, nothing or a hyphen; also Girobank's GIR 0AA
# and the overseas territories' "ASCN 1ZZ" style. The first letter is matched before the
# word-start check for speed, as with _BEGUN. "rest" is the outward code after its first letter.
_POSTCODE = re.compile(
    rf"""
    [A-Z] (?<!\w.)
    (?:
        (?<=G)IR (?:{_GAP}*-?{_GAP}*) 0AA
      | [A-Z]{{3}} (?:{_GAP}*-?{_GAP}*) 1ZZ
      | (?P<rest>[A-Z]?\d[A-Z\d]?) (?:{_GAP}*-?{_GAP}*) (?P<inward>\d[ABD-HJLNP-UW-Z]{{2}})
    )
    \b
    """,
    re.VERBOSE | re.IGNORECASE,
)

# A ward label directly in front, perhaps with a colon, makes a postcode shape a ward's name:
# "ward B2 3AB", "side room: B2 3AB". Searched in the few characters before a match only (the
# look-behind still sees the character before that window).
_WARD_LABEL = re.compile(
    rf"(?<!\w)(?:ward|bay|bed|room|theatre)(?:{_GAP}{{0,4}}[:\-]{_GAP}{{0,4}}|{_GAP}{{1,4}})\Z",
    re.IGNORECASE,
)
_WARD_LABEL_REACH = 16  # "theatre", four spaces, a colon and four spaces

# Inward codes that read as English ordinals ("room B12 3rd floor").
_ORDINALS = frozenset(
    f"{digit}{'st' if digit == 1 else 'nd' if digit == 2 else 'rd' if digit == 3 else 'th'}"
    for digit in range(10)
)

_DIGITS = "0123456789"
_DIGIT_RUN = re.compile(r"\d+")

_Marker = Callable[[re.Match[str]], str | None]


def is_valid_nhs_number(digits: str) -> bool:
    """Whether ten digits (of any script) pass the NHS number modulus-11 check."""
    if len(digits) != 10 or not digits.isdecimal():
        return False
    # Bytes are their character codes: no int() per digit, as this runs for every candidate.
    codes = (digits if digits.isascii() else digits.translate(_FOLD)).encode("ascii")
    total: int = sum(map(operator.mul, codes[:9], range(10, 1, -1))) - ord("0") * 54
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == codes[9] - ord("0")


def _is_date_time(groups: list[str]) -> bool:
    """Whether digit groups are a date, perhaps with a time: "2024 11 27 14 05", "1 3 1950 9".

    The date has a year from 1900 to 2099 first or last, day and month in either order; the
    time has an hour, perhaps minutes and seconds.
    """
    sizes = [len(group) for group in groups]
    if not 3 <= len(groups) <= 6 or any(size > 2 for size in sizes[3:]):
        return False
    if sizes[0] == 4 and max(sizes[1:3]) <= 2:
        year, first, second = groups[:3]
    elif sizes[2] == 4 and max(sizes[:2]) <= 2:
        first, second, year = groups[:3]
    else:
        return False
    low, high = sorted((int(first), int(second)))
    hour, *rest = [*map(int, groups[3:]), 0]
    return (
        year[:2] in ("19", "20")
        and 1 <= low <= 12
        and high <= 31
        and hour <= 23
        and all(part <= 59 for part in rest)
    )


def _in_date_time(match: re.Match[str]) -> bool:
    """Whether *match* lies inside a date-time ("2024 11 27 14 05", "01 01 1950 00.00").

    Ten digits of a date-time typed with spaces pass the NHS check one time in eleven. The
    whole run of digit groups round the match is judged, not the ten digits matched, which may
    be any ten of them ("01 1950 00.00" of "01 01 1950 00.00"). NHS numbers are written 3-3-4
    or in one run, never like a date.
    """
    start, end = match.span()
    low, high = max(0, start - _DATE_TIME_REACH), end + _DATE_TIME_REACH
    near = match.string[low:high]
    if "19" not in near and "20" not in near:  # no year: the usual case, and a cheap test
        return False
    for run in _DATE_TIME.finditer(match.string, low, high):
        if run.start() > start:
            break
        if run.end() >= end:
            return _is_date_time(_DIGIT_RUN.findall(run.group(0)))
    return False


def _nhs_number_marker(match: re.Match[str]) -> str | None:
    # A valid check digit is an NHS number however it is grouped, unless it is part of a
    # date-time.
    digits = "".join(_DIGIT_RUN.findall(match.group(0)))
    if is_valid_nhs_number(digits) and not _in_date_time(match):
        return NUMBER_MARKER
    return None


def _postcode_marker(match: re.Match[str]) -> str | None:
    start = match.start()
    rest = match.group("rest")
    # "ward B2 3AB" names a ward: one letter and digits, the shape of a bay or ward label. A
    # longer outward code ("room LS1 4AP", "Theatre SW1A 1AA") is an address.
    if (
        rest is not None
        and rest.isdigit()
        and _WARD_LABEL.search(match.string, max(0, start - _WARD_LABEL_REACH), start)
    ):
        return None
    inward = match.group("inward")
    if inward and not inward[1:].isupper() and inward.lower() in _ORDINALS:
        # "B12 3rd": a lower-case ordinal is a floor or a position. An all-capitals "3RD" is
        # still treated as a postcode.
        return None
    return POSTCODE_MARKER


def _cut(pattern: re.Pattern[str], marker: _Marker, text: str, folded: str) -> tuple[str, str]:
    """Replace *pattern*'s matches in *folded* with their markers, in both *text* and *folded*.

    *marker* gives the replacement for a match, or None to keep it. Text between matches is
    copied from *text*, so it keeps the characters the writer typed; markers are ASCII, so both
    results stay aligned.
    """
    pieces: list[str] = []
    folded_pieces: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        replacement = marker(match)
        if replacement is None:
            continue
        start, end = match.span()
        pieces += (text[last:start], replacement)
        folded_pieces += (folded[last:start], replacement)
        last = end
    if not pieces:
        return text, folded
    pieces.append(text[last:])
    new_text = "".join(pieces)
    if text is folded:  # an ASCII comment: one string serves as both
        return new_text, new_text
    folded_pieces.append(folded[last:])
    return new_text, "".join(folded_pieces)


def _bare_mobile_marker(match: re.Match[str]) -> str | None:
    start = match.start()
    before = match.string[max(0, start - _PHONE_WORD_REACH) : start]
    return NUMBER_MARKER if _PHONE_WORD_BEFORE_REVERSED.match(before[::-1]) else None


def _always(marker: str) -> _Marker:
    return lambda _match: marker


def redact(text: str) -> str:
    """Return *text* with NHS numbers, UK phone numbers, emails and postcodes replaced."""
    # Matched on the folded copy, cut from the original (see _Fold). Most comments are ASCII,
    # which needs no folding.
    folded = text if text.isascii() else text.translate(_FOLD)
    # Emails first: their domains may hold digits (IP literals) that the number rules would
    # half-eat. Phones before NHS numbers, so "+44 20 7946 0958" goes whole rather than
    # leaving "+44 " behind when its last ten digits happen to pass the NHS check. Each rule
    # is skipped when a cheap look shows it cannot match: most comments hold no identifier.
    if "@" in folded:
        text, folded = _cut(_EMAIL, _always(EMAIL_MARKER), text, folded)
    lowered = folded.lower()
    if any(hint in lowered for hint in _SPELT_EMAIL_HINTS):
        text, folded = _cut(_SPELT_EMAIL, _always(EMAIL_MARKER), text, folded)
    digits = sum(map(folded.count, _DIGITS))
    if digits >= 10:  # the shortest phone or NHS number has ten digits
        text, folded = _cut(_PHONE, _always(NUMBER_MARKER), text, folded)
        text, folded = _cut(_BARE_MOBILE, _bare_mobile_marker, text, folded)
        text, folded = _cut(_NHS_SHAPED, _always(NUMBER_MARKER), text, folded)
        text, folded = _cut(_NHS_NUMBER, _nhs_number_marker, text, folded)
    if digits:
        text, folded = _cut(_POSTCODE, _postcode_marker, text, folded)
    return text
