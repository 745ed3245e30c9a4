"""The NHS submission page from real responses sent through the API: last month by default,
the true counts beside NHS England's suppression, repeat taps, the CSV (the API's very bytes),
marking a month as submitted (audited, CSRF-protected), and a ward user's page: their own
ward rows only, their CSV, and no marking."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from sync.server.schema import audit_log, submissions
from tests.server.conftest import ADMIN, WARD_7, auth, batch, enrol, response
from tests.server.web.conftest import CHILDREN, PASSWORD, WARD_3, hidden, send, signed_in


@pytest.fixture
def october(web, engine):
    """October 2026 (last month: the clock is 20 November 2026): Ward 7 has 8 responses and
    a repeat tap, Ward 3 only 2 (so NHS England hides its breakdown), Children's ward 13."""
    send(web, engine, WARD_7, [1, 1, 1, 1, 2, 4, 6, 1], "2026-10-05")
    token = enrol(web, engine, WARD_7)
    tap = response(
        rating=5,
        local_date="2026-10-05",
        answered_at="2026-10-05T12:00:05+00:00",
        flags=["repeat-tap"],
    )
    assert web.post("/api/v1/responses/batch", json=batch(tap), headers=auth(token)).is_success
    send(web, engine, WARD_3, [1, 5], "2026-10-12")
    send(web, engine, CHILDREN, [1] * 12 + [3], "2026-10-20")
    send(web, engine, WARD_7, [2, 2], "2026-11-03")  # this month: not in October's return


def section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</table>", start)]


def cells(table: str, place: str) -> list[str]:
    """The figures of *place*'s row in a preview table, as shown."""
    start = table.index(f'scope="row">{escape(place)}</th>')
    row = table[start : table.index("</tr>", start)]
    return re.findall(r'nhsuk-table__cell--numeric">([^<]*)</td>', row)


def stored(engine):
    with engine.connect() as conn:
        marks = conn.execute(sa.select(submissions.c.period, submissions.c.actor)).all()
        audit = conn.execute(sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail))
        return marks, [tuple(row) for row in audit if row.action != "signed in"]


def test_it_opens_on_last_month_the_one_a_trust_submits(web, admin, october):
    page = signed_in(web, admin.email).get("/submission")
    assert page.status_code == 200
    assert "</span></span>October 2026</h1>" in page.text
    assert "so this page opens on last month" in page.text
    assert '<option value="2026-10" selected>October 2026</option>' in page.text
    assert 'href="/submission?month=2026-09"' in page.text  # previous
    assert 'href="/submission?month=2026-11"' in page.text  # next: this month, no further
    assert "month=2026-12" not in page.text


def test_the_preview_shows_true_counts_and_as_nhs_england_will_publish_them(web, admin, october):
    page = signed_in(web, admin.email).get("/submission", params={"month": "2026-10"}).text
    assert "The submission holds the true counts of every ward" in page
    assert "NHS England hides small numbers when it publishes" in page
    submitted = section(page, "submitted-ward")
    assert cells(submitted, "Ward 3") == ["1", "0", "0", "0", "1", "0", "2"]
    assert cells(submitted, "Ward 7") == ["5", "1", "0", "1", "0", "1", "8"]
    published = section(page, "published-ward")
    # Ward 3's 2 responses hide its breakdown, and Ward 7's as the next smallest on its site
    # (else Ward 3's could be worked out); totals stay shown.
    assert cells(published, "Ward 3") == ["*"] * 6 + ["2", "*", "*"]
    assert cells(published, "Ward 7") == ["*"] * 6 + ["8", "*", "*"]
    assert cells(published, "Children's ward") == [
        "12", "0", "1", "0", "0", "0", "13", "92%", "0%"
    ]  # fmt: skip
    assert cells(section(page, "submitted-org"), "RWD") == ["18", "1", "1", "1", "1", "1", "23"]


def test_it_counts_the_repeat_taps_left_out(web, admin, october):
    page = signed_in(web, admin.email).get("/submission", params={"month": "2026-10"}).text
    excluded = page[page.index("Repeat taps left out") :]
    assert re.match(
        r'Repeat taps left out</dt>\s*<dd class="nhsuk-summary-list__value">1<', excluded
    )
    assert '<dd class="nhsuk-summary-list__value">23</dd>' in page  # the tap is not counted


def test_the_csv_is_the_api_report_byte_for_byte(web, admin, october):
    signed_in(web, admin.email)
    page = web.get("/submission", params={"month": "2026-10"})
    assert 'href="/submission.csv?month=2026-10" download>Download CSV' in page.text
    mine = web.get("/submission.csv", params={"month": "2026-10"})
    api = web.get(
        "/api/v1/reports/fft",
        params={"period": "2026-10", "format": "csv"},
        headers=auth(ADMIN),
    )
    assert mine.status_code == api.status_code == 200
    assert mine.content == api.content
    assert mine.headers["content-type"] == api.headers["content-type"] == "text/csv; charset=utf-8"
    assert mine.headers["content-disposition"] == 'attachment; filename="fft-2026-10-ward.csv"'
    assert mine.headers["cache-control"] == "no-store"
    lines = mine.text.splitlines()
    assert lines[0].startswith("Yearnumber,Periodname,Org code,Site code,Ward name")
    assert "2026_27,OCTOBER,RWD,RWDLA,Ward 3,,,1,0,0,0,1,0,2," in lines


def test_marking_a_month_records_who_and_when(web, admin, october, engine):
    signed_in(web, admin.email)
    page = web.get("/submission", params={"month": "2026-10"})
    assert "Not yet" in page.text
    reply = web.post("/submission/mark", data={"csrf_token": hidden(page.text), "month": "2026-10"})
    assert reply.status_code == 303
    page = web.get(reply.headers["location"])
    assert "You marked October 2026 as submitted" in page.text
    assert "Marked as submitted by admin@trust.nhs.uk on 20 November 2026, 10:00" in page.text
    marks, audit = stored(engine)
    assert marks == [("2026-10", "admin@trust.nhs.uk")]
    assert audit[-1] == ("admin@trust.nhs.uk", "marked as submitted", "FFT 2026-10")
    # Another month is not marked.
    assert "Not yet" in web.get("/submission", params={"month": "2026-09"}).text


def test_a_mark_without_the_csrf_token_is_refused_and_nothing_is_recorded(
    web, admin, october, engine
):
    signed_in(web, admin.email)
    before = stored(engine)
    for data in ({"month": "2026-10"}, {"month": "2026-10", "csrf_token": "forged"}):
        refused = web.post("/submission/mark", data=data)
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    assert stored(engine) == before
    assert stored(engine)[0] == []


def test_a_month_that_has_not_ended_cannot_be_marked(web, admin, october, engine):
    signed_in(web, admin.email)
    page = web.get("/submission", params={"month": "2026-11"})
    assert "November 2026 has not ended yet" in page.text
    assert "Mark as submitted" not in page.text
    refused = web.post(
        "/submission/mark", data={"csrf_token": hidden(page.text), "month": "2026-11"}
    )
    assert refused.status_code == 400 and "November 2026 has not ended yet" in refused.text
    assert stored(engine)[0] == []


@pytest.mark.parametrize("month", ["2026-13", "٢٠٢٦-٠١", "2026-1", "1999-12", "x" * 5000])
def test_a_bad_month_gets_a_page_saying_how_to_write_it(web, admin, month):
    signed_in(web, admin.email)
    for path in ("/submission", "/submission.csv"):
        page = web.get(path, params={"month": month})
        assert page.status_code == 400
        assert "There is no submission for that month" in page.text
        assert "for example 2026-10" in page.text
    refused = web.post(
        "/submission/mark",
        data={"csrf_token": hidden(web.get("/submission").text), "month": month},
    )
    assert refused.status_code == 400


def test_a_month_with_no_responses_says_so(web, admin):
    page = signed_in(web, admin.email).get("/submission", params={"month": "2025-02"})
    assert page.status_code == 200
    assert "No responses have been received for February 2025." in page.text
    assert 'id="submitted-ward"' not in page.text


def test_the_whole_trusts_site_and_ward_rows_fold_away(web, admin, october):
    page = signed_in(web, admin.email).get("/submission", params={"month": "2026-10"}).text
    assert page.count("Show the 3 ward rows<") == 2  # as submitted and as published
    assert page.count("Show the 2 site rows<") == 2

    def folded(table_id: str) -> bool:
        before = page[: page.index(f'id="{table_id}"')]
        return before.count("<details") > before.count("</details>")

    assert not folded("submitted-org") and not folded("published-org")
    assert folded("submitted-ward") and folded("published-site")


def test_a_ward_user_sees_their_own_ward_rows_only(web, ward_user, october):
    signed_in(web, ward_user.email)
    assert ">NHS submission</a>" in web.get("/").text
    page = web.get("/submission", params={"month": "2026-10"})
    assert page.status_code == 200
    text = page.text
    assert "The patient experience team makes the trust's submission; this page shows only" in text
    assert cells(section(text, "submitted-ward"), "Ward 7") == ["5", "1", "0", "1", "0", "1", "8"]
    # Hidden because of Ward 3 beside it, just as NHS England will publish it.
    assert cells(section(text, "published-ward"), "Ward 7") == ["*"] * 6 + ["8", "*", "*"]
    for other in ("Ward 3", escape(CHILDREN.ward_name), "RWDLB"):
        assert other not in text
    for trust_wide in ("submitted-site", "submitted-org", "published-site", "published-org"):
        assert f'id="{trust_wide}"' not in text
    assert "by collection mode" not in text and "Show the" not in text
    # Their own responses and repeat tap, not the trust's 23.
    assert re.search(
        r'Responses on your ward</dt>\s*<dd class="nhsuk-summary-list__value">8<', text
    )
    assert re.search(
        r'Repeat taps left out on your ward</dt>\s*<dd class="nhsuk-summary-list__value">1<', text
    )
    assert "Mark as submitted<" not in text and 'action="/submission/mark"' not in text
    assert "has not ended yet" not in web.get("/submission", params={"month": "2026-11"}).text


def test_a_ward_users_totals_are_their_own_wards(web, people, october):
    people.create_user("ward3@trust.nhs.uk", "ward", PASSWORD, wards=[WARD_3])
    page = signed_in(web, "ward3@trust.nhs.uk").get("/submission", params={"month": "2026-10"})
    assert re.search(
        r'Responses on your ward</dt>\s*<dd class="nhsuk-summary-list__value">2<', page.text
    )
    assert re.search(
        r'Repeat taps left out on your ward</dt>\s*<dd class="nhsuk-summary-list__value">0<',
        page.text,
    )
    assert cells(section(page.text, "published-ward"), "Ward 3") == ["*"] * 6 + ["2", "*", "*"]
    assert "Ward 7" not in page.text


def test_a_ward_users_csv_is_the_admins_rows_for_their_ward(web, admin, ward_user, october):
    whole = signed_in(web, admin.email).get("/submission.csv", params={"month": "2026-10"}).text
    web.cookies.clear()
    mine = signed_in(web, ward_user.email).get("/submission.csv", params={"month": "2026-10"})
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "text/csv; charset=utf-8"
    assert mine.headers["content-disposition"] == 'attachment; filename="fft-2026-10-ward.csv"'
    assert mine.headers["cache-control"] == "no-store"
    header, *rows = whole.splitlines(keepends=True)
    assert mine.text == header + "".join(row for row in rows if ",RWDLA,Ward 7," in row)
    assert len(mine.text.splitlines()) == 2
    assert "Ward 3" not in mine.text and "Children" not in mine.text


def test_a_ward_user_cannot_mark_a_month_as_submitted(web, ward_user, october, engine):
    signed_in(web, ward_user.email)
    token = hidden(web.get("/").text)
    refused = web.post("/submission/mark", data={"csrf_token": token, "month": "2026-10"})
    assert refused.status_code == 403
    assert "This page is for admins" in refused.text
    assert stored(engine)[0] == []
    assert "Not yet" in web.get("/submission", params={"month": "2026-10"}).text


def test_signed_out_the_page_asks_to_sign_in(web):
    reply = web.get("/submission", params={"month": "2026-10"})
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?next=/submission%3Fmonth%3D2026-10"
