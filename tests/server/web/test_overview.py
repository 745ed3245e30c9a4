"""The Overview from real responses sent through the API: the rows a user may see, figures,
the change since last month, flags, sorting, the site filter, months and escaping."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from sync import fft
from sync.server import devices
from sync.server.web.pages.overview import change_words
from sync.server.web.sparkline import months_back, positive_sparkline, shared_floor
from tests.server.conftest import WARD_7
from tests.server.web.conftest import CHILDREN, WARD_3, send, signed_in


@pytest.fixture
def trust(web, engine):
    """Three wards on two sites: Ward 7 busy both months, Ward 3 quiet this month,
    Children's ward new this month. The clock is 20 November 2026."""
    send(web, engine, WARD_7, [1, 1, 2, 4], "2026-10-05")  # 75% positive in October
    send(web, engine, WARD_7, [1, 1, 1, 1, 2, 2, 3, 5, 6, 1], "2026-11-03")  # 70% in November
    send(web, engine, WARD_3, [1, 5], "2026-10-12")
    send(web, engine, CHILDREN, [1, 1, 1, 4, 4], "2026-11-15")


def rows(html: str) -> list[str]:
    """The ward names in the Overview's table, in order."""
    return [
        re.sub(r"&#39;", "'", name)
        for name in re.findall(
            r'<th class="nhsuk-table__header" scope="row">\s*<a[^>]*>([^<]*)</a>', html
        )
    ]


def row(html: str, ward: str) -> str:
    start = html.index(f">{ward}</a>")
    return html[start : html.index("</tr>", start)]


def test_an_admin_sees_every_ward_with_its_figures(web, admin, trust):
    page = signed_in(web, admin.email).get("/")
    assert page.status_code == 200
    assert '<span class="nhsuk-u-visually-hidden"> - </span></span>November 2026</h1>' in page.text
    assert rows(page.text) == ["Children's ward", "Ward 3", "Ward 7"]
    ward_7 = row(page.text, "Ward 7")
    cells = re.findall(r'nhsuk-table__cell--numeric">([^<]*)<', ward_7)
    assert cells == ["10", "70%", "10%", "down 5 points"]
    assert 'href="/ward?org=RWD&amp;site=RWDLA&amp;ward=Ward+7&amp;month=2026-11"' in page.text
    ward_3 = row(page.text, "Ward 3")
    assert "No responses this month" in ward_3 and ">0<" in ward_3
    assert "No responses this month" not in ward_7


def test_each_ward_has_a_sparkline_that_reads_its_figures(web, admin, trust):
    page = signed_in(web, admin.email).get("/")
    ward_7 = row(page.text, "Ward 7")
    label = re.search(r'<svg[^>]*role="img"[^>]*aria-label="([^"]*)"', ward_7)
    assert label is not None
    assert label.group(1).startswith("% positive, December 2025 to November 2026: ")
    assert label.group(1).endswith(
        "September 2026 no responses, October 2026 75%, November 2026 70%"
    )


def test_a_ward_user_sees_only_their_wards(web, ward_user, trust):
    page = signed_in(web, ward_user.email).get("/")
    assert rows(page.text) == ["Ward 7"]
    assert "Children" not in page.text and "RWDLB" not in page.text
    assert web.get("/", params={"site": "RWD/RWDLB"}).status_code == 400


def test_filtering_by_site(web, admin, trust):
    signed_in(web, admin.email)
    page = web.get("/")
    assert '<label class="nhsuk-label" for="site">Site</label>' in page.text
    assert '<option value="RWD/RWDLB">RWDLB (RWD)</option>' in page.text
    only_b = web.get("/", params={"site": "RWD/RWDLB"})
    assert rows(only_b.text) == ["Children's ward"]
    assert '<option value="RWD/RWDLB" selected>' in only_b.text
    unknown = web.get("/", params={"site": "XYZ/NOPE"})
    assert unknown.status_code == 400 and "Choose a site from the list" in unknown.text


def test_sorting_by_a_column_on_the_server(web, admin, trust):
    signed_in(web, admin.email)
    by_responses = web.get("/", params={"sort": "responses", "order": "desc"})
    assert rows(by_responses.text) == ["Ward 7", "Children's ward", "Ward 3"]
    headers = re.findall(
        r'<th class="nhsuk-table__header[^"]*" scope="col"[^>]*>', by_responses.text
    )
    sorted_headers = [h for h in headers if "aria-sort" in h]
    assert sorted_headers == [
        '<th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" data-sort '
        'aria-sort="descending">'
    ]
    # The sorted column's link turns the order round; links keep the month and filter.
    assert 'href="/?month=2026-11&amp;sort=responses&amp;order=asc">Responses</a>' in (
        by_responses.text
    )
    by_positive = web.get("/", params={"sort": "positive", "order": "asc"})
    # Ward 3 has no % positive this month: it comes last whichever way.
    assert rows(by_positive.text) == ["Children's ward", "Ward 7", "Ward 3"]
    by_name_desc = web.get("/", params={"sort": "ward", "order": "desc"})
    assert rows(by_name_desc.text) == ["Ward 7", "Ward 3", "Children's ward"]
    assert 'aria-sort="ascending"' in web.get("/", params={"sort": "nonsense"}).text


def test_months_before_and_after(web, admin, trust):
    signed_in(web, admin.email)
    november = web.get("/")
    assert 'href="/?month=2026-10" rel="prev"' in november.text
    assert 'rel="next"' not in november.text  # no figures from the future
    october = web.get("/", params={"month": "2026-10"})
    assert "October 2026</h1>" in october.text
    assert 'href="/?month=2026-11" rel="next"' in october.text
    assert re.findall(r'nhsuk-table__cell--numeric">([^<]*)<', row(october.text, "Ward 7"))[:3] == [
        "4",
        "75%",
        "25%",
    ]


@pytest.mark.parametrize("month", ["2026-13", "November", "2026-1", "1999-12", "٢٠٢٦-١١"])
def test_a_bad_month_is_a_400_page_saying_what_to_send(web, admin, month):
    signed_in(web, admin.email)
    reply = web.get("/", params={"month": month})
    assert reply.status_code == 400
    assert "There is no overview for that month" in reply.text
    assert "Go to this month&#39;s overview" in reply.text


def test_text_from_kiosks_is_shown_as_text(web, engine, admin):
    devices.create_key(engine, devices.Place("RWD", "RWDLA", "<script>alert(1)</script>"))
    page = signed_in(web, admin.email).get("/")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script" not in page.text.replace('<script type="module" src="/static/site.js">', "")


def test_with_no_wards_yet_the_page_says_so(web, admin, ward_user):
    assert "No ward has sent any responses yet" in signed_in(web, admin.email).get("/").text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (None, ""),
        (Decimal("0.0"), "no change"),
        (Decimal("5.0"), "up 5 points"),
        (Decimal("-1.0"), "down 1 point"),
        (Decimal("-12.5"), "down 12.5 points"),
    ],
)
def test_the_change_is_in_words_not_colour(change, words):
    assert change_words(change) == words


def test_a_sparkline_has_gaps_for_empty_months_and_says_every_figure():
    counts = [
        fft.FFTCounts.from_mapping({1: 3, 4: 1}),
        fft.FFTCounts.from_mapping({}),
        fft.FFTCounts.from_mapping({1: 1}),
        fft.FFTCounts.from_mapping({}),
        fft.FFTCounts.from_mapping({2: 1, 5: 1}),
        fft.FFTCounts.from_mapping({1: 1}),
    ]
    months = months_back(date(2026, 2, 1), 6)
    assert months[0] == date(2025, 9, 1) and months[-1] == date(2026, 2, 1)
    svg = str(positive_sparkline(months, counts, shared_floor([counts])))
    assert 'role="img"' in svg
    assert (
        'aria-label="% positive, September 2025 to February 2026: September 2025 75%, '
        "October 2025 no responses, November 2025 100%, December 2025 no responses, "
        'January 2026 50%, February 2026 100%"' in svg
    )
    assert svg.count("<polyline") == 1  # January to February; the others stand alone
    assert svg.count("<circle") == 3  # September and November alone, February as this month
