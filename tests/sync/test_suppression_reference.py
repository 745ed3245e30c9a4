"""Differential test of FFT suppression against an independent reference implementation.

The reference here (``_reference_hidden``) was written from shared FFT.md ("The numbers",
steps 1-6) alone, before reading the project's ``sync.fft.hidden_places`` or
``sync.server.reports``, and in a different style: flat tables of rows per level (organisation,
site, ward) with an explicit rank column and one flag column per rule (first level, second
level, cascade), the way NHS England's pipeline works with dataframes, but in plain Python.

Rules as read from FFT.md, and the choices this file makes where the text leaves room:

1. First level: a place with a total of 1 to 4 is hidden; 0 is not.
2. Rank: within each parent (the sites of an organisation, the wards of a site), places with at
   least one response are ranked by total, smallest first, ties broken by name. "Name" is
   taken as the plain string (code point) order of the site code or ward name, with no case
   folding or natural number order ("Ward 10" comes before "Ward 9", "Ward B" before
   "ward a"). Organisations have no parent, so they are never ranked and never second-level
   or cascade suppressed. Unlike NHS England's ``rank(method="dense")``, ties never share a
   rank.
3. Second level: the rank-2 place is hidden when the rank-1 place is *first-level*
   suppressed (being hidden by cascade alone does not trigger it).
4. Cascade, top-down: a parent hidden for any reason (first level, second level or cascade)
   hides its rank-1 and rank-2 children.
5. Totals are always shown; percentages (and organisation modes) hidden with the breakdown.
6. Percentages from exact counts, half up, one decimal place in the API.

A consequence worth knowing when reading the coverage checks: with organisations never
ranked, an organisation is hidden only at the first level (total 1-4), and then every site
with responses is itself first-level hidden. So a site is never hidden by cascade *alone*,
and the org -> site -> ward chain of step 4 never changes the outcome on its own: every
cascade that matters comes from a second-level parent (a site hiding its rank-1 and rank-2
wards). The reference still applies the cascade top-down, as FFT.md describes.

Months come from a seeded ``random.Random`` weighted to the edge cases (totals 0-6, ties
between siblings whose plain string order differs from natural or case-folded order, with the
dict order shuffled, single-child parents, large wards), plus a Hypothesis strategy so a
failure shrinks to a small month. The end-to-end test goes through ``fft_report`` on SQLite,
with full six-code breakdowns, collection modes and some flagged (repeat-tap) responses.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from sync.fft import MODES, hidden_places, rounded_percent
from sync.protocol import FFTReport, FFTRow
from sync.server import schema
from sync.server.ingest import add_counts
from sync.server.reports import fft_report

WardKey = tuple[str, str, str]
Key = tuple[str, ...]

# --------------------------------------------------------------------------------------------
# The reference: flat tables, one row per place, one column per rule.
# --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One place in one level's table, like a row of NHS England's dataframes."""

    level: str  # "org", "site" or "ward"
    key: Key
    parent: Key | None  # None for an organisation: it has no parent to be ranked in
    name: str
    total: int
    rank: int = 0  # 0: not ranked (no responses, or an organisation)
    first_level: bool = False
    second_level: bool = False
    cascade: bool = False

    @property
    def hidden(self) -> bool:
        return self.first_level or self.second_level or self.cascade


def _reference_tables(ward_totals: Mapping[WardKey, int]) -> dict[str, list[_Row]]:
    """Steps 1-4 of FFT.md "The numbers", as three flagged tables."""
    site_totals: dict[Key, int] = defaultdict(int)
    org_totals: dict[Key, int] = defaultdict(int)
    for (org, site, _ward), total in ward_totals.items():
        site_totals[(org, site)] += total
        org_totals[(org,)] += total

    tables = {
        "org": [_Row("org", key, None, key[0], total) for key, total in org_totals.items()],
        "site": [_Row("site", key, key[:1], key[1], total) for key, total in site_totals.items()],
        "ward": [_Row("ward", key, key[:2], key[2], total) for key, total in ward_totals.items()],
    }

    # Step 1: first level, on every table.
    for row in itertools.chain.from_iterable(tables.values()):
        row.first_level = 0 < row.total < 5

    # Step 2: rank within parent, places with responses only; ties by name.
    for level in ("site", "ward"):
        ranked = sorted(
            (row for row in tables[level] if row.total > 0),
            key=lambda row: (row.parent, row.total, row.name),
        )
        for _parent, group in itertools.groupby(ranked, key=lambda row: row.parent):
            for position, row in enumerate(group, start=1):
                row.rank = position

    # Step 3: second level. Look rank 1 and rank 2 up by (parent, rank).
    for level in ("site", "ward"):
        by_rank = {(row.parent, row.rank): row for row in tables[level] if row.rank}
        for (parent, rank), row in by_rank.items():
            if rank == 2 and by_rank[(parent, 1)].first_level:
                row.second_level = True

    # Step 4: cascade, top down, so a site hidden by its organisation passes it on.
    for parent_level, level in (("org", "site"), ("site", "ward")):
        parent_hidden = {row.key: row.hidden for row in tables[parent_level]}
        for row in tables[level]:
            if row.rank in (1, 2) and row.parent is not None and parent_hidden[row.parent]:
                row.cascade = True

    return tables


def _reference_hidden(ward_totals: Mapping[WardKey, int]) -> frozenset[Key]:
    """Every place whose breakdown is hidden, at every level, per FFT.md."""
    tables = _reference_tables(ward_totals)
    return frozenset(
        row.key for row in itertools.chain.from_iterable(tables.values()) if row.hidden
    )


def _half_up(part: int, total: int, places: int) -> Decimal | None:
    """*part*/*total* as a percentage, half up to *places* decimals, by exact fractions."""
    if total == 0:
        return None
    scale = 10**places
    scaled = floor(Fraction(100 * part * scale, total) + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


def _percent_1dp(part: int, total: int) -> float | None:
    """What the API should carry: exact value, ``quantize`` to 0.1 half up."""
    if total == 0:
        return None
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(100 * part) / Decimal(total)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------------
# Generated months.
# --------------------------------------------------------------------------------------------

_ORGS = ("RWD", "RX1", "R0A")
_SITE_SUFFIXES = ("LA", "LB", "9", "10", "H1", "AB")
# Names whose string order disagrees with natural or case-folded order, so a tie-break by
# anything else than the name shows.
_WARDS = ("Ward 9", "Ward 10", "ward a", "Ward B", "Ash", "Birch", "Cedar", "ITU", "A&E")


def _random_total(rng: random.Random, siblings: Sequence[int], large: int) -> int:
    kind = rng.choices(
        ("zero", "small", "five", "six", "tie", "medium", "large"),
        weights=(10, 34, 12, 6, 18, 10, 10),
    )[0]
    if kind == "tie":
        return rng.choice(siblings) if siblings else rng.randint(1, 6)
    if kind == "zero":
        return 0
    if kind == "small":
        return rng.randint(1, 4)
    if kind == "five":
        return 5
    if kind == "six":
        return 6
    if kind == "medium":
        return rng.randint(7, 20)
    return rng.choice((16, 80, rng.randint(21, large)))


# Sibling pairs whose plain string order differs from natural or case-folded order.
_WARD_PAIRS = (("Ward 9", "Ward 10"), ("ward a", "Ward B"))
_SITE_PAIR = ("10", "9")


def _tied_after_a_small_one(rng: random.Random, large: int) -> tuple[int, int]:
    """A first-level total, and a bigger total two siblings share: the name decides which of
    the two is rank 2 (second level, cascade) and which rank 3."""
    small = rng.randint(1, 4)
    return small, rng.choice((rng.randint(small + 1, 6), 5, rng.randint(7, large)))


def _random_wards(rng: random.Random, large: int) -> list[tuple[str, int]]:
    if rng.random() < 0.2:  # a tie decided by the ward names
        small, tied = _tied_after_a_small_one(rng, large)
        pair = rng.choice(_WARD_PAIRS)
        others = [name for name in _WARDS if name not in pair]
        wards = [(rng.choice(others), small), (pair[0], tied), (pair[1], tied)]
        rng.shuffle(wards)
        return wards
    totals: list[int] = []
    names = rng.sample(_WARDS, rng.choices(range(1, 7), weights=(4, 3, 2, 2, 1, 1))[0])
    for _name in names:
        totals.append(_random_total(rng, totals, large))
    return list(zip(names, totals, strict=True))


def _random_month(rng: random.Random, large: int = 3000) -> dict[WardKey, int]:
    """One month's ward totals. Dict order is shuffled: no rule may depend on it."""
    wards: list[tuple[WardKey, int]] = []
    for org in rng.sample(_ORGS, rng.choices((1, 2, 3), weights=(3, 3, 2))[0]):
        if rng.random() < 0.2:  # a tie decided by the site codes
            small, tied = _tied_after_a_small_one(rng, large)
            sites = [("LA", small), (_SITE_PAIR[0], tied), (_SITE_PAIR[1], tied)]
            for suffix, total in sites:
                split = rng.randint(0, total) if rng.random() < 0.5 else total
                names = rng.sample(_WARDS, 2)
                wards.append(((org, org + suffix, names[0]), split))
                if split != total:
                    wards.append(((org, org + suffix, names[1]), total - split))
            continue
        site_count = rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 2))[0]
        for suffix in rng.sample(_SITE_SUFFIXES, site_count):
            for ward, total in _random_wards(rng, large):
                wards.append(((org, org + suffix, ward), total))
    rng.shuffle(wards)
    return dict(wards)


def _compact(ward_totals: Mapping[WardKey, int]) -> str:
    """A month on one line: ``RWD{RWDLA[Ward 9=3 Ward 10=3] ...}``."""
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for (org, site, ward), total in sorted(ward_totals.items()):
        tree[org][site].append(f"{ward}={total}")
    return " ".join(
        org + "{" + " ".join(f"{site}[{' '.join(w)}]" for site, w in sites.items()) + "}"
        for org, sites in tree.items()
    )


def _explain(ward_totals: Mapping[WardKey, int]) -> str:
    """The reference's flags for every place, for a failure message."""
    lines = []
    for level, rows in _reference_tables(ward_totals).items():
        for row in sorted(rows, key=lambda r: r.key):
            flags = "".join(
                letter
                for letter, on in (
                    ("F", row.first_level),
                    ("S", row.second_level),
                    ("C", row.cascade),
                )
                if on
            )
            lines.append(
                f"  {level:4} {'/'.join(row.key)} total={row.total} rank={row.rank} {flags or '-'}"
            )
    return "\n".join(lines)


def _assert_same_hidden(ward_totals: Mapping[WardKey, int]) -> None:
    project = hidden_places(ward_totals)
    reference = _reference_hidden(ward_totals)
    assert project == reference, (
        f"month {_compact(ward_totals)}\n"
        f"  hidden by the project only: {sorted(project - reference)}\n"
        f"  hidden by the reference only: {sorted(reference - project)}\n"
        f"reference flags (F first, S second, C cascade):\n{_explain(ward_totals)}"
    )


@dataclass
class _Coverage:
    """How often each edge case came up, so a weakened generator fails loudly."""

    counts: Counter[str] = field(default_factory=Counter)

    def see(self, ward_totals: Mapping[WardKey, int]) -> None:
        tables = _reference_tables(ward_totals)
        seen = self.counts
        seen["months"] += 1
        for row in itertools.chain.from_iterable(tables.values()):
            seen[f"{row.level} places"] += 1
            seen["hidden"] += row.hidden
            seen["first level"] += row.first_level
            seen["second level only"] += row.second_level and not row.first_level
            seen["cascade only"] += row.cascade and not (row.first_level or row.second_level)
            seen["total 0"] += row.total == 0
            seen["total 5"] += row.total == 5
        sites = {row.key: row for row in tables["site"]}
        for row in tables["ward"]:
            site = sites[row.key[:2]]
            seen["ward cascade from a second-level site"] += row.cascade and (
                site.second_level and not site.first_level
            )
        for level in ("site", "ward"):
            children: dict[Key | None, list[_Row]] = defaultdict(list)
            for row in tables[level]:
                children[row.parent].append(row)
            for rows in children.values():
                ranked = {row.rank: row for row in rows if row.rank}
                seen["single-child parents"] += len(rows) == 1
                if 1 in ranked and 2 in ranked and ranked[1].total == ranked[2].total:
                    seen["rank 1/2 tied on total"] += 1
                    seen["rank 1/2 tie with first level"] += ranked[1].first_level
        seen["org places hidden"] += sum(row.hidden for row in tables["org"])


def _months(seed: int, count: int, large: int = 3000) -> list[dict[WardKey, int]]:
    rng = random.Random(seed)
    return [_random_month(rng, large) for _ in range(count)]


# --------------------------------------------------------------------------------------------
# Test A: hidden_places against the reference.
# --------------------------------------------------------------------------------------------

MONTHS_A = 1000


def test_hidden_places_agrees_with_the_reference_over_generated_months() -> None:
    coverage = _Coverage()
    for month in _months(seed=20261110, count=MONTHS_A):
        coverage.see(month)
        _assert_same_hidden(month)
    seen = coverage.counts
    # The generator must keep reaching every rule and edge case.
    for case in (
        "second level only",
        "cascade only",
        "ward cascade from a second-level site",
        "rank 1/2 tied on total",
        "rank 1/2 tie with first level",
        "single-child parents",
        "org places hidden",
        "total 0",
        "total 5",
    ):
        assert seen[case] >= 50, f"too few {case!r}: {dict(seen)}"


@st.composite
def _month_strategy(draw: st.DrawFn) -> dict[WardKey, int]:
    total = st.one_of(st.sampled_from((0, 1, 2, 3, 4, 5, 6)), st.integers(0, 4000))
    wards: dict[WardKey, int] = {}
    for org in draw(st.lists(st.sampled_from(_ORGS), min_size=1, max_size=3, unique=True)):
        suffixes = draw(
            st.lists(st.sampled_from(_SITE_SUFFIXES), min_size=1, max_size=4, unique=True)
        )
        for suffix in suffixes:
            names = draw(st.lists(st.sampled_from(_WARDS), min_size=1, max_size=6, unique=True))
            totals: list[int] = []
            for name in names:
                tie = bool(totals) and draw(st.booleans())
                value = draw(st.sampled_from(totals)) if tie else draw(total)
                totals.append(value)
                wards[(org, org + suffix, name)] = value
    return wards


@settings(max_examples=300, deadline=None)
@given(_month_strategy())
def test_hidden_places_agrees_with_the_reference_shrinkably(month: dict[WardKey, int]) -> None:
    _assert_same_hidden(month)


# --------------------------------------------------------------------------------------------
# Test C: the worked examples of the issue, through the reference and the project.
# --------------------------------------------------------------------------------------------

_CODES = range(1, 7)
_ALL_HIDDEN = {str(code): "*" for code in _CODES}


def _breakdown(counts: Sequence[int]) -> dict[str, int]:
    return {str(code): n for code, n in zip(_CODES, counts, strict=True)}


@dataclass(frozen=True)
class _Response:
    org: str
    site: str
    ward: str
    rating: int
    mode: str = "Other"
    flagged: bool = False  # e.g. a repeat tap: left out of the figures unless asked for


def _responses(org: str, site: str, ward: str, counts: Sequence[int]) -> list[_Response]:
    return [
        _Response(org, site, ward, code)
        for code, n in zip(_CODES, counts, strict=True)
        for _ in range(n)
    ]


_DAY = dt.date(2026, 11, 10)
_ANSWERED = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
_PERIOD = "2026-11"


def _insert(engine: Engine, responses: Iterable[_Response]) -> None:
    rows: list[dict[str, Any]] = [
        {
            "id": str(uuid.uuid4()),
            "device_id": "device",
            "batch_id": "batch",
            "received_at": _ANSWERED,
            "content_hash": "0" * 64,
            "survey_id": "fft-inpatient",
            "survey_version": 1,
            "answered_at": _ANSWERED,
            "local_date": _DAY,
            "rating": r.rating,
            "answers": "{}",
            "comment": None,
            "language": "en",
            "mode": r.mode,
            "org_code": r.org,
            "site_code": r.site,
            "ward_name": r.ward,
            "flags": '["repeat-tap"]' if r.flagged else "[]",
        }
        for r in responses
    ]
    if rows:
        with engine.begin() as conn:
            conn.execute(schema.responses.insert(), rows)
            add_counts(conn, rows)  # as ingest does: the reports read the running figures


def _row_key(row: FFTRow, level: str) -> Key:
    if level == "org":
        return (row.org_code,)
    assert row.site_code is not None
    if level == "site":
        return (row.org_code, row.site_code)
    assert row.ward_name is not None
    return (row.org_code, row.site_code, row.ward_name)


def _rows(report: FFTReport, level: str) -> dict[Key, FFTRow]:
    rows = {_row_key(row, level): row for row in report.rows}
    assert len(rows) == len(report.rows), "a place appears twice in the report"
    return rows


def test_a_ward_of_eleven_shows_all_six_counts(tmp_path: Path) -> None:
    counts = [1, 0, 5, 2, 1, 2]
    key = ("RWD", "RWDLA", "Ward 7")
    assert _reference_hidden({key: 11}) == frozenset() == hidden_places({key: 11})
    engine = schema.open_database(f"sqlite:///{tmp_path / 's.db'}")
    _insert(engine, _responses(*key, counts))
    row = _rows(fft_report(engine, _PERIOD, "ward", suppress=True), "ward")[key]
    assert row.counts == _breakdown(counts) and row.total == 11
    assert row.percent_positive == 9.1 == _percent_1dp(1, 11)
    assert row.percent_negative == 27.3 == _percent_1dp(3, 11)


def test_a_ward_of_three_hides_all_six_but_shows_its_total(tmp_path: Path) -> None:
    key = ("RWD", "RWDLA", "Ward 7")
    everything = {key, key[:2], key[:1]}
    assert _reference_hidden({key: 3}) == everything == hidden_places({key: 3})
    engine = schema.open_database(f"sqlite:///{tmp_path / 's.db'}")
    _insert(engine, _responses(*key, [0, 0, 3, 0, 0, 0]))
    for level, place in (("ward", key), ("site", key[:2]), ("org", key[:1])):
        row = _rows(fft_report(engine, _PERIOD, level, suppress=True), level)[place]
        assert row.counts == _ALL_HIDDEN and row.total == 3
        assert row.percent_positive is None and row.percent_negative is None


def test_a_small_site_hides_its_sibling_and_the_org_stays_shown(tmp_path: Path) -> None:
    a = ("RWD", "RWDLA", "Ward A")
    b = ("RWD", "RWDLB", "Ward B")
    totals = {a: 281, b: 2}
    # B: first level. A: second level (rank 2 after B). Ward A: cascade from site A.
    expected = {b, b[:2], a[:2], a}
    assert _reference_hidden(totals) == expected == hidden_places(totals)
    engine = schema.open_database(f"sqlite:///{tmp_path / 's.db'}")
    _insert(engine, _responses(*a, [111, 36, 85, 15, 17, 17]))
    _insert(engine, _responses(*b, [0, 0, 0, 0, 0, 2]))
    sites = _rows(fft_report(engine, _PERIOD, "site", suppress=True), "site")
    assert sites[a[:2]].counts == _ALL_HIDDEN and sites[a[:2]].total == 281
    assert sites[b[:2]].counts == _ALL_HIDDEN and sites[b[:2]].total == 2
    assert sites[a[:2]].percent_positive is None and sites[b[:2]].percent_negative is None
    org = _rows(fft_report(engine, _PERIOD, "org", suppress=True), "org")[("RWD",)]
    assert org.counts == _breakdown([111, 36, 85, 15, 17, 19]) and org.total == 283
    assert org.percent_positive == _percent_1dp(147, 283) == 51.9
    assert org.percent_negative == _percent_1dp(32, 283) == 11.3
    assert org.modes.get("Other") == 283


def test_an_org_of_one_hides_its_modes(tmp_path: Path) -> None:
    key = ("RWD", "RWDLA", "Ward 7")
    assert ("RWD",) in _reference_hidden({key: 1})
    assert ("RWD",) in hidden_places({key: 1})
    engine = schema.open_database(f"sqlite:///{tmp_path / 's.db'}")
    _insert(engine, [_Response(*key, rating=1, mode="Other")])
    org = _rows(fft_report(engine, _PERIOD, "org", suppress=True), "org")[("RWD",)]
    assert org.modes == {mode: "*" for mode in MODES}
    assert org.counts == _ALL_HIDDEN and org.total == 1
    truth = _rows(fft_report(engine, _PERIOD, "org", suppress=False), "org")[("RWD",)]
    assert {m: truth.modes.get(m, 0) for m in MODES} == {m: int(m == "Other") for m in MODES}


# --------------------------------------------------------------------------------------------
# Rounding (step 6) against exact fractions.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("places", [0, 1])
def test_rounded_percent_is_half_up_from_exact_counts(places: int) -> None:
    for total in range(0, 201):
        for part in range(0, total + 1):
            assert rounded_percent(part, total, places) == _half_up(part, total, places), (
                f"{part}/{total} at {places} dp"
            )
    # Ties that half-to-even or binary floats get wrong.
    assert _half_up(1, 8, 0) == Decimal("13") and _half_up(5, 8, 0) == Decimal("63")
    assert _half_up(1, 16, 1) == Decimal("6.3") and _half_up(1, 80, 1) == Decimal("1.3")


# --------------------------------------------------------------------------------------------
# Test B: end to end through fft_report.
# --------------------------------------------------------------------------------------------

MONTHS_B = 60


def _random_responses(rng: random.Random, ward_totals: Mapping[WardKey, int]) -> list[_Response]:
    """Full six-code breakdowns and modes, with lopsided and single-code wards."""
    responses: list[_Response] = []
    for (org, site, ward), total in ward_totals.items():
        shape = rng.choice(("uniform", "one code", "positive", "negative", "dont know"))
        only = rng.randint(1, 6)
        weights = {
            "uniform": (1, 1, 1, 1, 1, 1),
            "one code": tuple(int(code == only) for code in _CODES),
            "positive": (6, 3, 1, 0, 0, 1),
            "negative": (0, 1, 1, 4, 4, 1),
            "dont know": (0, 0, 0, 0, 0, 1),
        }[shape]
        modes = rng.sample(MODES, rng.randint(1, 3))
        for rating in rng.choices(_CODES, weights=weights, k=total):
            responses.append(_Response(org, site, ward, rating, rng.choice(modes)))
    if rng.random() < 0.5:  # flagged responses, some in wards with no other response
        wards = list(ward_totals)
        for _ in range(rng.randint(1, 4)):
            org, site, ward = rng.choice(wards)
            responses.append(_Response(org, site, ward, rng.randint(1, 6), "Other", True))
    return responses


@dataclass
class _Truth:
    counts: Counter[int] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    excluded: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _truths(responses: Iterable[_Response], include_flagged: bool) -> dict[str, dict[Key, _Truth]]:
    """True figures per level. A place whose every response is flagged is still listed."""
    truth: dict[str, dict[Key, _Truth]] = {"ward": {}, "site": {}, "org": {}}
    for r in responses:
        for level, key in (
            ("ward", (r.org, r.site, r.ward)),
            ("site", (r.org, r.site)),
            ("org", (r.org,)),
        ):
            place = truth[level].setdefault(key, _Truth())
            if r.flagged and not include_flagged:
                place.excluded += 1
                continue
            place.counts[r.rating] += 1
            place.modes[r.mode] += 1
    return truth


def _check_report(
    report: FFTReport,
    level: str,
    suppress: bool,
    truth: Mapping[Key, _Truth],
    hidden: frozenset[Key],
    context: str,
) -> int:
    assert report.level == level and report.suppressed == suppress and report.period == _PERIOD
    rows = _rows(report, level)
    assert set(rows) == set(truth), f"{context}: places differ"
    for key, row in rows.items():
        place = truth[key]
        where = f"{context}: {level} {'/'.join(key)} (suppress={suppress})\n  {row!r}"
        assert row.total == place.total, where
        assert row.excluded == place.excluded, where
        if suppress and key in hidden:
            assert row.counts == _ALL_HIDDEN, where
            assert row.percent_positive is None and row.percent_negative is None, where
            if level == "org":
                assert row.modes == {mode: "*" for mode in MODES}, where
        else:
            assert row.counts == {str(c): place.counts[c] for c in _CODES}, where
            positive = place.counts[1] + place.counts[2]
            negative = place.counts[4] + place.counts[5]
            assert row.percent_positive == _percent_1dp(positive, place.total), where
            assert row.percent_negative == _percent_1dp(negative, place.total), where
            if level == "org":
                assert set(row.modes) <= set(MODES), where
                assert {m: row.modes.get(m, 0) for m in MODES} == {
                    m: place.modes[m] for m in MODES
                }, where
        if level != "org":
            assert row.modes == {}, where
    return len(rows)


def test_fft_report_agrees_with_the_reference_end_to_end(tmp_path: Path) -> None:
    rng = random.Random(1110)
    checked = Counter[str]()
    for index in range(MONTHS_B):
        responses = _random_responses(rng, _random_month(rng, large=60))
        engine = schema.open_database(f"sqlite:///{tmp_path / f'm{index}.db'}")
        _insert(engine, responses)
        has_flagged = any(r.flagged for r in responses)
        for include_flagged in (False, True) if has_flagged else (False,):
            truth = _truths(responses, include_flagged)
            # Suppression is worked out on the totals shown. Wards with no response are not
            # in the database; they are never ranked, so they change nothing.
            shown_totals = {(k[0], k[1], k[2]): t.total for k, t in truth["ward"].items()}
            hidden = _reference_hidden(shown_totals)
            context = f"month {index}: {_compact(shown_totals)} include_flagged={include_flagged}"
            for level in ("ward", "site", "org"):
                for suppress in (True, False):
                    report = fft_report(
                        engine, _PERIOD, level, suppress=suppress, include_flagged=include_flagged
                    )
                    checked[f"{level} rows"] += _check_report(
                        report, level, suppress, truth[level], hidden, context
                    )
            checked["hidden places"] += len(hidden)
        checked["responses"] += len(responses)
        checked["months with flagged responses"] += has_flagged
        engine.dispose()
    assert checked["hidden places"] > 100 and checked["ward rows"] > 500, dict(checked)
    assert checked["months with flagged responses"] > 10, dict(checked)
