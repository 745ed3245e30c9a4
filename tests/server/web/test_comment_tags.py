"""Comment tags in the web app: each comment's themes and sentiment on the Ward page, what
the ward's comments talk about month by month, filters by tag, a person's correction (kept
apart from the model's tags, audited, exported as training data) and who may make one."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server import comment_tags, schema
from sync.server.web.pages.ward_topics import trend
from tests.server.conftest import WARD_7
from tests.server.web.conftest import WARD_3, hidden, signed_in
from tests.server.web.test_ward import comments, listed, said, ward_page

MANNER, TIMELY, FOOD = (
    "Staff manner & personal attributes",
    "Timeliness of care",
    "Food & drink provision & facilities",
)
KIND, LATE, COLD, QUIET = (str(uuid.UUID(int=n)) for n in range(1, 5))


def tag(engine: Any, response_id: str, themes: list[str], sentiment: int | None) -> None:
    """Tags as the tagging worker stores them."""
    with engine.begin() as conn:
        conn.execute(
            schema.comment_tags.insert().values(
                response_id=response_id,
                themes=json.dumps(themes),
                sentiment=sentiment,
                model_version="2026-11-27+test",
                tagged_at=datetime(2026, 11, 12, tzinfo=UTC),
            )
        )


@pytest.fixture
def tagged(web, engine):
    """Ward 7 in November 2026: three comments tagged by the model, one not tagged yet."""
    comments(
        web,
        engine,
        WARD_7,
        {"id": KIND, "rating": 1, "comment": "Kind nurses on nights", "day": "2026-11-02"},
        {"id": LATE, "rating": 4, "comment": "Waited hours for pain relief", "day": "2026-11-03"},
        {"id": COLD, "rating": 5, "comment": "The food came cold", "day": "2026-11-04"},
        {"id": QUIET, "rating": 2, "comment": "Nice and quiet", "day": "2026-11-05"},
    )
    tag(engine, KIND, [MANNER], 1)
    tag(engine, LATE, [TIMELY, MANNER], 4)
    tag(engine, COLD, [FOOD], 5)


def topic_line(html: str, text: str) -> str:
    """What a person reads under the comment holding *text*."""
    item = html[html.index(f">{text}</p>") + len(text) + 5 :]
    return said(item[: item.index("</li>")])


def correct(client: Any, response_id: str, **form: Any) -> Any:
    page = client.get(f"/comments/{response_id}")
    assert page.status_code == 200, page.text
    return client.post(
        f"/comments/{response_id}/tags", data={"csrf_token": hidden(page.text), **form}
    )


def test_each_comment_shows_its_tags_in_words(web, admin, tagged):
    page = ward_page(signed_in(web, admin.email), month="2026-11")
    assert topic_line(page.text, "Waited hours for pain relief") == (
        f"Talks about: {TIMELY}, {MANNER} · Feels: Negative (automatic) · Correct the tags"
    )
    assert "Feels: Very positive (automatic)" in topic_line(page.text, "Kind nurses on nights")
    assert f'href="/comments/{LATE}"' in page.text


def test_a_comment_not_tagged_yet_says_so_and_can_be_tagged_by_hand(web, admin, tagged):
    page = ward_page(signed_in(web, admin.email), month="2026-11")
    assert topic_line(page.text, "Nice and quiet") == (
        "Not tagged yet: what it talks about and how it feels will show here once the server "
        "has read it · Tag it yourself"
    )
    assert "3 of 4 comments this month are tagged." in said(page.text)
    own = web.get(f"/comments/{QUIET}")
    assert "<h2" in own.text and "Tag it yourself</h2>" in own.text
    assert 'id="sentiment-not-sure" name="sentiment" type="radio" value="" checked' in own.text


def test_a_tag_correction_is_kept_shown_audited_and_exported(
    web, app, engine, admin, ward_user, tagged
):
    signed_in(web, ward_user.email)
    reply = correct(web, LATE, theme=[TIMELY, "Pain management"], sentiment="5")
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/comments/{LATE}?saved=1"

    shown = web.get(reply.headers["location"])
    assert "Tags saved." in shown.text
    assert (
        f"Talks about: {TIMELY}, Pain management · Feels: Very negative (corrected by a person)"
        in said(shown.text)
    )
    assert (
        f"the model (2026-11-27+test) said it talks about: {TIMELY}, {MANNER}; feels: Negative"
        in said(shown.text)
    )
    page = ward_page(web, month="2026-11")
    assert "(corrected by a person)" in topic_line(page.text, "Waited hours for pain relief")

    with engine.connect() as conn:
        kept = conn.execute(sa.select(schema.tag_corrections)).one()
        model = conn.execute(
            sa.select(schema.comment_tags).where(schema.comment_tags.c.response_id == LATE)
        ).one()
        audited = conn.execute(
            sa.select(schema.audit_log).where(
                schema.audit_log.c.action == comment_tags.TAGS_CORRECTED
            )
        ).all()
    assert (kept.response_id, json.loads(kept.themes), kept.sentiment) == (
        LATE,
        [TIMELY, "Pain management"],  # in the framework's order
        5,
    )
    assert kept.corrected_by == ward_user.id and kept.corrected_at is not None
    assert json.loads(model.themes) == [TIMELY, MANNER]  # the model's own tags stay as they were
    assert [row.actor for row in audited] == [ward_user.email]
    assert "Waited hours" not in audited[0].detail  # no patient words in the log

    other = signed_in(TestClient(app, follow_redirects=False), admin.email)
    export = other.get("/comments/corrections.csv")
    assert export.status_code == 200
    assert export.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["Comment ID"] == LATE
    assert row["FFT answer"] == "Waited hours for pain relief"
    assert (row["FFT categorical answer"], row["Comment sentiment"]) == ("4", "5")
    assert (row[TIMELY], row["Pain management"], row[MANNER]) == ("1", "1", "")
    assert row["Model themes"] == f"{TIMELY} | {MANNER}" and row["Model sentiment"] == "4"
    assert 'href="/comments/corrections.csv"' in ward_page(other, month="2026-11").text
    assert 'href="/comments/corrections.csv"' not in ward_page(web, month="2026-11").text


def test_the_export_reads_as_training_data(web, engine, admin, tagged, tmp_path):
    dataset = pytest.importorskip("sync.analysis.dataset")
    signed_in(web, admin.email)
    correct(web, COLD, theme=[FOOD, TIMELY], sentiment="4")
    path = tmp_path / "corrections.csv"
    path.write_bytes(web.get("/comments/corrections.csv").content)
    data = dataset.read(path)
    assert data.texts == ["The food came cold"] and data.ratings == [5]
    assert data.sentiments.tolist() == [4]
    chosen = [name for name, on in zip(data.themes, data.labels[0], strict=True) if on]
    assert sorted(chosen) == sorted([FOOD, TIMELY])


def test_the_newest_correction_wins(web, admin, tagged):
    signed_in(web, admin.email)
    correct(web, KIND, theme=[FOOD], sentiment="3")
    correct(web, KIND, theme=[], sentiment="")
    line = topic_line(ward_page(web, month="2026-11").text, "Kind nurses on nights")
    assert line.startswith(
        "Talks about: none of the framework's themes · Feels: Not given (corrected by a person)"
    )


def test_a_ward_user_cannot_see_or_correct_another_wards_comment(web, engine, ward_user):
    comments(web, engine, WARD_3, {"id": KIND, "comment": "Lovely staff", "day": "2026-11-02"})
    signed_in(web, ward_user.email)
    assert web.get(f"/comments/{KIND}").status_code == 404
    token = hidden(ward_page(web, month="2026-11").text)
    reply = web.post(f"/comments/{KIND}/tags", data={"csrf_token": token, "theme": [MANNER]})
    assert reply.status_code == 404
    assert web.get("/comments/corrections.csv").status_code == 403
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.tag_corrections)).scalar()
            == 0
        )


def test_a_correction_needs_the_forms_token_and_themes_from_the_list(web, engine, admin, tagged):
    signed_in(web, admin.email)
    assert web.post(f"/comments/{LATE}/tags", data={"theme": [FOOD]}).status_code == 403
    refused = correct(web, LATE, theme=["<b>Made up</b>"], sentiment="9")
    assert refused.status_code == 400
    assert "Tick themes from the list only" in refused.text
    assert "Choose how the comment feels from the list, or Not sure" in refused.text
    assert "<b>Made up</b>" not in refused.text
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.tag_corrections)).scalar()
            == 0
        )
    assert web.get("/comments/no-such-comment").status_code == 404


def test_filtering_comments_by_topic_and_sentiment(web, admin, tagged):
    signed_in(web, admin.email)
    manner = ward_page(web, month="2026-11", topic=MANNER)
    assert listed(manner.text) == ["Waited hours for pain relief", "Kind nurses on nights"]
    assert f'<option value="{MANNER.replace("&", "&amp;")}" selected>' in manner.text
    assert listed(ward_page(web, month="2026-11", sentiment="5").text) == ["The food came cold"]
    both = ward_page(web, month="2026-11", topic=MANNER, sentiment="4", rating=["4"])
    assert listed(both.text) == ["Waited hours for pain relief"]
    none = ward_page(web, month="2026-11", topic=MANNER, q="food")
    assert "No comments match." in said(none.text)
    # A correction moves a comment in and out of what a filter finds.
    correct(web, KIND, theme=[FOOD], sentiment="1")
    assert listed(ward_page(web, month="2026-11", topic=MANNER).text) == [
        "Waited hours for pain relief"
    ]
    assert ward_page(web, month="2026-11", sentiment="9").status_code == 400


def test_the_filters_are_kept_across_pages(web, engine, admin):
    items = [
        {"id": str(uuid.UUID(int=100 + n)), "comment": f"Comment {n:03d}", "day": "2026-11-10"}
        for n in range(60)
    ]
    comments(web, engine, WARD_7, *items)
    for item in items:
        tag(engine, item["id"], [MANNER], 2)
    first = ward_page(signed_in(web, admin.email), month="2026-11", topic=MANNER, sentiment="2")
    assert "Showing 1 to 50 of 60 comments that match" in said(first.text)
    pages = re.findall(r'href="([^"]*page=2[^"]*)"', first.text)
    assert pages and all("topic=Staff+manner" in p and "sentiment=2" in p for p in pages)


def test_what_comments_talk_about_each_month_with_a_trend(web, engine, admin):
    days = ["2026-08-10", "2026-09-10", "2026-10-10"] + ["2026-11-10"] * 6
    items = [
        {"id": str(uuid.UUID(int=200 + n)), "comment": f"Words {n}", "day": day}
        for n, day in enumerate(days)
    ]
    comments(web, engine, WARD_7, *items)
    for item in items:
        tag(engine, item["id"], [MANNER], 2 if item["day"] < "2026-11" else 5)
    page = ward_page(signed_in(web, admin.email), month="2026-11")
    section = said(page.text[page.text.index('id="topics"') : page.text.index('id="themes"')])
    assert (
        f"{MANNER}: 6 comments, ↑ up from an average of 1 a month in the 3 months before" in section
    )
    assert 'role="img" aria-label="Up">↑</span>' in page.text
    assert f"<title>Comments about {MANNER.replace('&', '&amp;')} each month" in page.text
    table = re.search(
        r"<tbody(.*?)</tbody>", page.text[page.text.index('id="topics-caption"') :], re.S
    )
    assert table and said(table.group(1)).endswith("0 0 0 0 0 0 0 0 1 1 1 6")
    assert "Very negative 6 100%" in section


@pytest.mark.parametrize(
    ("now", "before", "way", "words"),
    [
        (6, [1, 1, 1], "up", "up from an average of 1 a month in the 3 months before"),
        (2, [10, 8, 9], "down", "down from an average of 9 a month in the 3 months before"),
        (
            5,
            [4, 5, 5],
            "same",
            "about the same as an average of 4.7 a month in the 3 months before",
        ),
        (1, [0, 0, 0], "up", "up from none in the 3 months before"),
        (
            3,
            [2, 1, 2],
            "same",
            "about the same as an average of 1.7 a month in the 3 months before",
        ),
    ],
)
def test_a_trend_in_words(now, before, way, words):
    assert trend(now, before)["way"] == way
    assert trend(now, before)["words"] == words


def test_a_comment_with_markup_or_a_formula_stays_text(web, engine, admin):
    comments(
        web,
        engine,
        WARD_7,
        {"id": KIND, "comment": "<script>alert(1)</script> =cold", "day": "2026-11-02"},
        {"id": LATE, "comment": '=HYPERLINK("http://x.test","click")', "day": "2026-11-03"},
    )
    tag(engine, KIND, ['<img src=x onerror="alert(2)">'], 5)
    signed_in(web, admin.email)
    for page in (web.get(f"/comments/{KIND}"), ward_page(web, month="2026-11")):
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; =cold" in page.text
    correct(web, LATE, theme=[], sentiment="3")
    row = next(csv.DictReader(io.StringIO(web.get("/comments/corrections.csv").text)))
    assert row["FFT answer"] == '\'=HYPERLINK("http://x.test","click")'


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"topic": "Staff\x00"}, 400),
        ({"topic": "x" * 500}, 400),
        ({"topic": "<script>"}, 200),  # not a theme: nothing matches, and it stays text
        ({"sentiment": "٣"}, 400),
        ({"sentiment": "0"}, 400),
    ],
)
def test_odd_tag_filters_are_never_a_server_error(web, admin, tagged, params, status):
    reply = ward_page(signed_in(web, admin.email), month="2026-11", **params)
    assert reply.status_code == status, reply.text[:500]
    assert "<h1" in reply.text and "<script>" not in reply.text
