"""The Ward page from real responses sent through the API: figures true and as NHS England will
publish them, trend and days, themes, comments (search, filters, pages, safeguarding pinned,
escaping), the CSV download, who may see it and what odd addresses get."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sync.server import devices
from sync.server.web.pages.ward import csv_name
from sync.server.web.sparkline import bar_chart, percent_chart
from tests.server.conftest import WARD_7, auth, batch, enrol, response
from tests.server.web.conftest import CHILDREN, WARD_3, send, signed_in

WARD_7_ADDRESS = {"org": "RWD", "site": "RWDLA", "ward": "Ward 7"}


def ward_page(client: Any, place: devices.Place = WARD_7, **params: Any) -> Any:
    query = {"org": place.org_code, "site": place.site_code, "ward": place.ward_name}
    return client.get("/ward", params={**query, **params})


def said(fragment: str) -> str:
    """What a person reads in *fragment*: tags and screen-reader-only words gone."""
    fragment = re.sub(r'<span class="nhsuk-u-visually-hidden">.*?</span>', "", fragment)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def figures_table(html: str) -> dict[str, tuple[str, str]]:
    """The figures table: each row's label, its true figure and its published one."""
    table = html[html.index('id="figures-caption"') : html.index("</table>")]
    rows = re.findall(
        r'scope="row">(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>', table, re.S
    )
    return {said(label): (said(true), said(published)) for label, true, published in rows}


def comment_texts(fragment: str) -> list[str]:
    return [
        said(text) for text in re.findall(r'class="app-comment__text"[^>]*>(.*?)</p>', fragment)
    ]


def pinned(html: str) -> list[str]:
    if 'id="safeguarding"' not in html:
        return []
    return comment_texts(html[html.index('id="safeguarding"') : html.index('class="app-filters"')])


def listed(html: str) -> list[str]:
    return comment_texts(html[html.index('class="app-filters"') :])


def comments(client: Any, engine: Any, place: devices.Place, *items: dict[str, Any]) -> None:
    """Responses with comments from one kiosk at *place*; each item's keys override
    ``response()``'s (a ``day`` sets the date, answered at noon UTC)."""
    token = enrol(client, engine, place)
    wire = []
    for item in items:
        fields = dict(item)
        day = fields.pop("day", "2026-11-10")
        fields.setdefault("answered_at", f"{day}T12:00:00+00:00")
        wire.append(
            response(
                local_date=day,
                org_code=place.org_code,
                site_code=place.site_code,
                ward_name=place.ward_name,
                **fields,
            )
        )
    reply = client.post("/api/v1/responses/batch", json=batch(*wire), headers=auth(token))
    assert reply.status_code == 200 and len(reply.json()["accepted"]) == len(wire), reply.text


# -- figures -------------------------------------------------------------------------------


@pytest.fixture
def small_wards(web, engine):
    """November 2026: Ward 7 has 3 responses, Ward 3 (same site) 20, Children's ward (another
    site) 10, and Ward 7 one repeat tap."""
    send(web, engine, WARD_7, [1, 2, 4], "2026-11-03")
    send(web, engine, WARD_3, [1] * 15 + [2] * 5, "2026-11-04")
    send(web, engine, CHILDREN, [1, 1, 1, 1, 1, 2, 3, 4, 5, 6], "2026-11-05")
    comments(web, engine, WARD_7, {"rating": 5, "flags": ["repeat-tap"], "day": "2026-11-03"})


def test_a_ward_with_3_responses_shows_its_total_but_hides_its_breakdown(web, admin, small_wards):
    page = ward_page(signed_in(web, admin.email), month="2026-11")
    assert page.status_code == 200
    assert "Ward 7</h1>" in page.text and "Site RWDLA, RWD" in page.text
    table = figures_table(page.text)
    assert table["Very good"] == ("1", "*")
    assert table["Good"] == ("1", "*")
    assert table["Poor"] == ("1", "*")
    assert table["Very poor"] == ("0", "*")  # the repeat tap is not counted
    assert table["Total responses"] == ("3", "3")  # totals are always published
    assert table["% positive"] == ("67%", "*")
    assert table["% negative"] == ("33%", "*")
    text = said(page.text)
    assert "* means hidden. This ward had 3 responses, so NHS England will publish only its" in text
    assert "NHS England hides the breakdown of a ward with 1 to 4 responses" in text
    assert "1 repeat tap was left out of these figures." in text


def test_a_bigger_ward_is_hidden_too_so_the_small_one_cannot_be_worked_out(web, admin, small_wards):
    page = ward_page(signed_in(web, admin.email), WARD_3, month="2026-11")
    table = figures_table(page.text)
    assert table["Very good"] == ("15", "*") and table["Total responses"] == ("20", "20")
    assert "This ward had 5 or more responses, but NHS England will still hide" in said(page.text)


def test_a_ward_nothing_hides_shows_the_same_figures_both_ways(web, admin, small_wards):
    page = ward_page(signed_in(web, admin.email), CHILDREN, month="2026-11")
    table = figures_table(page.text)
    assert table["Very good"] == ("5", "5")
    assert table["% positive"] == ("60%", "60%")
    assert table["% negative"] == ("20%", "20%")
    assert "* means hidden" not in page.text
    assert "No repeat taps were left out." in said(page.text)


def test_the_month_defaults_to_this_month_in_london(web, admin, small_wards):
    page = ward_page(signed_in(web, admin.email))  # the clock says 20 November 2026
    assert "Figures for November 2026" in page.text
    assert 'name="month" type="month" value="2026-11"' in page.text
    assert 'href="/ward?org=RWD&amp;site=RWDLA&amp;ward=Ward+7&amp;month=2026-10" rel="prev"' in (
        page.text
    )
    assert 'rel="next"' not in page.text.split('id="figures"')[0]  # no month from the future
    october = ward_page(web, month="2026-10")
    assert "Figures for October 2026" in october.text
    assert figures_table(october.text)["Total responses"] == ("0", "0")
    assert figures_table(october.text)["% positive"] == ("No responses", "No responses")
    assert 'href="/ward?org=RWD&amp;site=RWDLA&amp;ward=Ward+7&amp;month=2026-11" rel="next"' in (
        october.text
    )


def test_the_trend_and_the_days_say_which_have_no_responses(web, engine, admin):
    send(web, engine, WARD_7, [1, 4], "2026-09-14")
    send(web, engine, WARD_7, [1, 1, 2, 5], "2026-11-03")
    page = ward_page(signed_in(web, admin.email))
    trend = page.text[page.text.index('id="trend-caption"') :]
    rows = {
        said(month): said(rest)
        for month, rest in re.findall(r'scope="row">([^<]*)</th>(.*?)</tr>', trend, re.S)
    }
    assert rows["September 2026"] == "2 50% 50%"
    assert rows["October 2026"] == "0 No responses"
    assert rows["November 2026"] == "4 75% 25%"
    assert rows["December 2025"] == "0 No responses"
    days = page.text[page.text.index('id="days-caption"') :]
    assert re.search(r"Tuesday 3 November 2026</time></th>\s*<td[^>]*>4</td>", days)
    assert re.search(r"Monday 2 November 2026</time></th>\s*<td[^>]*>No responses</td>", days)
    assert "Friday 20 November 2026" in days and "21 November" not in days  # not the future
    charts = re.findall(
        r'<svg class="app-chart"[^>]*role="img"[^>]*><title>([^<]*)</title>', page.text
    )
    assert charts == [
        "Responses each month, December 2025 to November 2026. The figures are also in a "
        "table after the chart.",
        "% positive each month, December 2025 to November 2026; months with no responses are "
        "gaps in the line. The figures are also in a table after the chart.",
        "Responses each day, 1 to 20 November 2026. The figures are also in a table after "
        "the chart.",
    ]


def test_charts_draw_a_bar_for_each_count_and_leave_gaps_for_no_responses():
    bars = str(bar_chart("Responses", ["Sep", "Oct", "Nov"], [2, 0, 4]))
    assert bars.count("<rect") == 2 and ">4<" not in bars  # the axis tops at 5
    assert "<title>Responses</title>" in bars and 'role="img"' in bars
    line = str(
        percent_chart(
            "% positive",
            ["Sep", "Oct", "Nov", "Dec"],
            [Decimal(50), None, Decimal(75), Decimal(100)],
        )
    )
    assert line.count("<circle") == 3  # a dot for each month with responses
    assert line.count("<line") == 2 + 1  # two guides, and only November to December joined


def test_themes_chosen_this_month_most_chosen_first(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        {"answers": {"themes": ["noise", "staff"]}},
        {"answers": {"themes": ["noise"]}},
        {"answers": {"themes": ["waiting-times"]}, "flags": ["repeat-tap"]},  # not counted
    )
    page = ward_page(signed_in(web, admin.email))
    themes = page.text[page.text.index('id="themes"') : page.text.index('id="comments"')]
    found = re.findall(
        r'href="([^"]*)">([^<]*)<span[^>]*>[^<]*</span></a></th>\s*<td[^>]*>(\d+)<', themes
    )
    assert [(words, n) for _, words, n in found] == [("Noise", "2"), ("Staff", "1")]
    assert html_lib.unescape(found[0][0]).endswith("month=2026-11&theme=noise#comments")


# -- comments --------------------------------------------------------------------------------


@pytest.fixture
def commented(web, engine):
    """Four comments on Ward 7 in November 2026, newest last."""
    comments(
        web,
        engine,
        WARD_7,
        {"rating": 1, "comment": "Kind nurses on nights", "day": "2026-11-02",
         "answers": {"themes": ["staff"]}},
        {"rating": 4, "comment": "The tea trolley never came", "day": "2026-11-03",
         "answers": {"themes": ["food"]}},
        {"rating": 5, "comment": "Too noisy to sleep", "day": "2026-11-04",
         "answers": {"themes": ["noise", "staff"]}},
        {"rating": 2, "comment": "Noisy but the staff were lovely", "day": "2026-11-05",
         "answers": {"themes": ["noise"]}},
    )  # fmt: skip


def test_comments_come_newest_first_with_when_what_and_language(web, engine, admin, commented):
    comments(
        web,
        engine,
        WARD_7,
        {"rating": 3, "comment": "Roedd y bwyd yn oer", "language": "cy", "day": "2026-07-20",
         "answered_at": "2026-07-20T09:30:00+00:00", "answers": {"themes": ["food"]},
         "flags": ["repeat-tap"]},
    )  # fmt: skip
    page = ward_page(signed_in(web, admin.email))
    assert listed(page.text) == [
        "Noisy but the staff were lovely",
        "Too noisy to sleep",
        "The tea trolley never came",
        "Kind nurses on nights",
    ]
    assert "Showing 1 to 4 of 4 comments, newest first." in said(page.text)
    july = ward_page(web, month="2026-07")
    item = said(july.text[july.text.index('class="app-filters"') :])
    # 09:30 UTC is 10:30 in London in summer time.
    assert "Neither good nor poor · 20 July 2026, 10:30 · Tapped: Food · Welsh" in item
    assert "Repeat tap: left out of the figures" in item
    assert 'lang="cy" dir="auto">Roedd y bwyd yn oer</p>' in july.text


def test_searching_comments(web, admin, commented):
    signed_in(web, admin.email)
    page = ward_page(web, q="NOISY")
    assert listed(page.text) == ["Noisy but the staff were lovely", "Too noisy to sleep"]
    assert "Showing 1 to 2 of 2 comments that match, newest first." in said(page.text)
    assert 'name="q" type="search" value="NOISY"' in page.text
    assert listed(ward_page(web, q="100%").text) == []  # % is only a character
    nothing = ward_page(web, q="parking")
    assert "No comments match. Try other words or answers, or clear the filters." in said(
        nothing.text
    )


def test_filtering_comments_by_answer_and_theme(web, admin, commented):
    signed_in(web, admin.email)
    negative = ward_page(web, rating=["4", "5"])
    assert listed(negative.text) == ["Too noisy to sleep", "The tea trolley never came"]
    assert 'value="4" checked>' in negative.text and 'value="1">' in negative.text
    noise = ward_page(web, theme="noise")
    assert listed(noise.text) == ["Noisy but the staff were lovely", "Too noisy to sleep"]
    assert '<option value="noise" selected>Noise</option>' in noise.text
    both = ward_page(web, theme="staff", rating=["5"], q="sleep")
    assert listed(both.text) == ["Too noisy to sleep"]
    assert "Clear the filters" in both.text


def test_comments_come_50_to_a_page(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        *(
            {"comment": f"Comment number {n:03d}", "day": f"2026-11-{1 + n // 10:02d}",
             "answered_at": f"2026-11-{1 + n // 10:02d}T{n % 10 + 8:02d}:00:00+00:00"}
            for n in range(120)
        ),
    )  # fmt: skip
    signed_in(web, admin.email)
    first = ward_page(web)
    assert len(listed(first.text)) == 50
    assert listed(first.text)[0] == "Comment number 119"
    assert "Showing 1 to 50 of 120 comments, newest first." in said(first.text)
    assert 'aria-label="Pages of comments"' in first.text
    assert 'aria-label="Page 1" aria-current="page"' in first.text
    following = "/ward?org=RWD&amp;site=RWDLA&amp;ward=Ward+7&amp;month=2026-11&amp;page=2"
    assert f'href="{following}#comments" class="nhsuk-pagination__next" rel="next"' in first.text
    last = ward_page(web, page="3")
    assert listed(last.text)[-1] == "Comment number 000" and len(listed(last.text)) == 20
    assert "Showing 101 to 120 of 120 comments" in said(last.text)
    assert 'rel="next"' not in last.text.split('class="app-filters"')[1]
    beyond = ward_page(web, page="9")  # past the end: the last page
    assert beyond.status_code == 200 and "Showing 101 to 120" in said(beyond.text)


def test_a_safeguarding_comment_is_pinned_and_highlighted_from_page_2(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        {"rating": 5, "comment": "My mum was HIT by another patient", "day": "2026-11-01"},
        {"rating": 2, "comment": "The white sheets were clean", "day": "2026-11-02"},
        *({"comment": f"Fine stay {n}", "day": "2026-11-03"} for n in range(55)),
    )
    page = ward_page(signed_in(web, admin.email))
    assert pinned(page.text) == ["My mum was HIT by another patient"]  # not "white"
    top = page.text[page.text.index('id="safeguarding"') : page.text.index('class="app-filters"')]
    assert "Safeguarding: read now</h3>" in top
    assert "My mum was <mark>HIT</mark> by another patient" in top
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Safeguarding: read now</strong>' in top
    assert "1 comment this month holds a word on the safeguarding list" in said(top)
    assert "My mum was HIT" not in listed(page.text)  # its place in date order is page 2
    second = ward_page(web, page="2")
    assert pinned(second.text) == ["My mum was HIT by another patient"]
    in_list = second.text[second.text.index('class="app-filters"') :]
    assert "My mum was <mark>HIT</mark> by another patient" in in_list
    assert "Safeguarding: read now" in in_list
    assert "The white sheets were clean" in listed(second.text)
    assert "<mark>" not in in_list.split("white sheets")[0].rsplit("<li", 1)[1]


def test_the_pinned_comments_stay_whatever_the_filters(web, engine, admin):
    comments(web, engine, WARD_7, {"rating": 4, "comment": "I felt unsafe at night"},
             {"rating": 1, "comment": "Lovely food"})  # fmt: skip
    page = ward_page(signed_in(web, admin.email), rating=["1"])
    assert pinned(page.text) == ["I felt unsafe at night"]
    assert listed(page.text) == ["Lovely food"]


def test_comment_text_is_shown_as_text_never_as_markup(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        {"comment": "<script>alert(1)</script> the tea was cold"},
        {"comment": '<b onclick="x()">hit</b> me', "day": "2026-11-11"},
    )
    page = ward_page(signed_in(web, admin.email))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the tea was cold" in page.text
    assert "&lt;b onclick=&#34;x()&#34;&gt;<mark>hit</mark>&lt;/b&gt; me" in page.text
    assert "<b onclick" not in page.text
    assert "<script" not in page.text.replace('<script type="module" src="/static/site.js">', "")


# -- the CSV download --------------------------------------------------------------------------


def test_the_csv_has_the_months_responses_every_cell_safe(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        {"rating": 4, "comment": '=HYPERLINK("http://evil.example","Click")', "day": "2026-11-02"},
        {"rating": 1, "comment": "Lovely", "day": "2026-11-03", "flags": ["repeat-tap"]},
        {"rating": 2, "comment": "Last month", "day": "2026-10-30"},
    )
    page = ward_page(signed_in(web, admin.email))
    link = re.search(r'href="([^"]*)" download>Download CSV of this month.s responses<', page.text)
    assert link is not None
    reply = web.get(html_lib.unescape(link.group(1)))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == (
        'attachment; filename="RWD-RWDLA-Ward-7-2026-11.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [row["comment"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","Click")',
        "Lovely",
    ]
    assert [row["answer"] for row in rows] == ["Poor", "Very good"]
    assert rows[1]["flags"] == "repeat-tap"


def test_the_csv_file_name_is_plain_ascii():
    assert csv_name(devices.Place("RWD", "RWDLA", "Ward 7")) == "RWD-RWDLA-Ward-7"
    place = devices.Place("RWD", "RWDLB", 'Sŵn "Ward" / Children\'s;\r\nx')
    assert csv_name(place) == "RWD-RWDLB-Swn-Ward-Children-s-x"
    assert csv_name(devices.Place("RWD", "RWDLB", "وارڈ")) == "RWD-RWDLB"


# -- who may see it, and odd addresses ----------------------------------------------------------


def test_signing_in_is_needed(web, small_wards):
    page = ward_page(web, month="2026-11")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/ward%3Forg%3DRWD")
    assert web.get("/ward/responses.csv", params=WARD_7_ADDRESS).status_code == 303


def test_a_ward_user_sees_their_ward_and_no_other(web, ward_user, small_wards):
    signed_in(web, ward_user.email)
    assert ward_page(web, month="2026-11").status_code == 200
    other = ward_page(web, WARD_3, month="2026-11")
    assert other.status_code == 404 and "Page not found" in other.text
    assert "Ward 3" not in other.text
    csv_reply = web.get(
        "/ward/responses.csv", params={"org": "RWD", "site": "RWDLA", "ward": "Ward 3"}
    )
    assert csv_reply.status_code == 404


def test_a_ward_never_seen_is_not_found(web, admin, small_wards):
    signed_in(web, admin.email)
    assert ward_page(web, devices.Place("RWD", "RWDLA", "Ward 99")).status_code == 404
    assert ward_page(web, devices.Place("XYZ", "RWDLA", "Ward 7")).status_code == 404


@pytest.mark.parametrize(
    "month", ["2026-13", "November", "2026-1", "1999-12", "٢٠٢٦-١١", "२०२६-११"]
)
def test_a_bad_month_is_a_400_page_saying_what_to_do(web, admin, small_wards, month):
    signed_in(web, admin.email)
    reply = ward_page(web, month=month)
    assert reply.status_code == 400
    assert "There is no ward page for that month" in reply.text
    assert "Choose a month with the month picker" in reply.text
    csv_reply = web.get("/ward/responses.csv", params={**WARD_7_ADDRESS, "month": month})
    assert csv_reply.status_code == 400


def test_an_address_without_a_ward_is_a_400_page(web, admin):
    signed_in(web, admin.email)
    reply = web.get("/ward", params={"org": "RWD", "site": "RWDLA"})
    assert reply.status_code == 400
    assert "Open the ward from its name on the overview" in reply.text
    assert web.get("/ward").status_code == 400


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"ward": "Ward\x007"}, 404),
        ({"ward": "W" * 5000}, 404),
        ({"org": "R\x00D"}, 404),
        ({"month": "2026-1\x001"}, 400),
        ({"q": "tea\x00"}, 200),
        ({"q": "x" * 10000}, 200),
        ({"q": "چائے ٹھنڈی"}, 200),
        ({"theme": "noise\x00"}, 400),
        ({"theme": "<script>"}, 400),
        ({"rating": "7"}, 400),
        ({"rating": "٣"}, 400),
        ({"page": "0"}, 400),
        ({"page": "abc"}, 400),
        ({"page": "٣"}, 400),
        ({"page": "9" * 40}, 400),
    ],
)
def test_odd_input_is_never_a_server_error(web, admin, small_wards, params, status):
    signed_in(web, admin.email)
    reply = web.get("/ward", params={**WARD_7_ADDRESS, "month": "2026-11", **params})
    assert reply.status_code == status, reply.text[:500]
    assert "<h1" in reply.text  # a page a person can read


def test_the_page_works_without_scripts_or_inline_styles(web, admin, small_wards):
    page = ward_page(signed_in(web, admin.email), month="2026-11")
    assert " style=" not in page.text and "<style" not in page.text
    assert "onclick" not in page.text
    assert '<form class="app-month-picker" action="/ward" method="get"' in page.text
    assert '<form class="app-filters" action="/ward#comments" method="get"' in page.text
    assert date(2026, 11, 1).strftime("%Y-%m") in page.text
