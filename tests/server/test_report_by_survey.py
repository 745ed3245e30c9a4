"""The FFT report broken down by survey version (``by_survey``): responses to the standard,
easy-read and children's questions count alike in the headline figures, and the breakdown adds
up to them, through the API and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sync.server import cli, devices
from tests.server.conftest import ADMIN, auth, batch, enrol, response

WARD_8 = devices.Place("RWD", "RWDLA", "Ward 8")


def _seed(client, engine, token) -> None:
    # November on Ward 7: the standard question, easy read and the children's, one repeat
    # tap on easy read; an October answer that must not count. Ward 8: one easy-read answer.
    items = [response(rating=r) for r in (1, 1, 2, 4, 6)]
    items += [response(rating=r, survey_id="fft-easy-read") for r in (1, 2, 2, 3, 5, 6)]
    items += [response(rating=r, survey_id="fft-children") for r in (1, 1, 1, 2)]
    items.append(response(rating=5, survey_id="fft-easy-read", flags=["repeat-tap"]))
    items.append(
        response(rating=4, answered_at="2026-10-15T10:00:00+00:00", local_date="2026-10-15")
    )
    reply = client.post("/api/v1/responses/batch", json=batch(*items), headers=auth(token))
    assert len(reply.json()["accepted"]) == len(items)
    ward8 = enrol(client, engine, WARD_8)
    one = response(rating=4, survey_id="fft-easy-read", ward_name="Ward 8")
    reply = client.post("/api/v1/responses/batch", json=batch(one), headers=auth(ward8))
    assert len(reply.json()["accepted"]) == 1


def _report(client, **params) -> dict:
    reply = client.get(
        "/api/v1/reports/fft", params={"period": "2026-11", **params}, headers=auth(ADMIN)
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def _summed(row: dict) -> tuple[Counter[str], int, int]:
    counts: Counter[str] = Counter()
    for survey in row["by_survey"]:
        counts.update(survey["counts"])
    totals = sum(survey["total"] for survey in row["by_survey"])
    return counts, totals, sum(survey["excluded"] for survey in row["by_survey"])


@pytest.mark.parametrize("level", ["ward", "site", "org"])
def test_the_breakdown_adds_up_to_the_headline_counts(client, engine, device_token, level):
    _seed(client, engine, device_token)
    plain = _report(client, level=level)
    broken = _report(client, level=level, by_survey="true")
    assert len(broken["rows"]) == len(plain["rows"])
    for headline, row in zip(plain["rows"], broken["rows"], strict=True):
        # The headline figures are exactly the report's without the option.
        assert {key: value for key, value in row.items() if key != "by_survey"} == headline
        counts, total, excluded = _summed(row)
        assert {code: counts[code] for code in headline["counts"]} == headline["counts"]
        assert (total, excluded) == (headline["total"], headline["excluded"])


def test_each_version_counts_its_own_answers(client, engine, device_token):
    _seed(client, engine, device_token)
    rows = {row["ward_name"]: row for row in _report(client, by_survey="true")["rows"]}
    ward7 = {survey["survey_id"]: survey for survey in rows["Ward 7"]["by_survey"]}
    assert list(ward7) == ["fft-children", "fft-easy-read", "fft-inpatient"]
    assert ward7["fft-inpatient"]["counts"] == {"1": 2, "2": 1, "3": 0, "4": 1, "5": 0, "6": 1}
    assert ward7["fft-easy-read"]["counts"] == {"1": 1, "2": 2, "3": 1, "4": 0, "5": 1, "6": 1}
    assert ward7["fft-easy-read"]["excluded"] == 1  # the repeat tap, left out as usual
    assert ward7["fft-children"]["total"] == 4
    assert [s["survey_id"] for s in rows["Ward 8"]["by_survey"]] == ["fft-easy-read"]


def test_flagged_answers_count_when_asked_for(client, engine, device_token):
    _seed(client, engine, device_token)
    rows = _report(client, by_survey="true", include_flagged="true")["rows"]
    ward7 = {s["survey_id"]: s for s in rows[0]["by_survey"]}
    assert ward7["fft-easy-read"]["counts"]["5"] == 2 and ward7["fft-easy-read"]["excluded"] == 0


def test_a_hidden_breakdown_stays_hidden_per_survey(client, engine, device_token):
    _seed(client, engine, device_token)
    rows = {r["ward_name"]: r for r in _report(client, by_survey="true", suppress="true")["rows"]}
    # Ward 8 has one response (first level); Ward 7 is hidden with it (second level).
    for ward in ("Ward 7", "Ward 8"):
        for survey in rows[ward]["by_survey"]:
            assert set(survey["counts"].values()) == {"*"} and survey["total"] == "*"
    site = _report(client, level="site", by_survey="true", suppress="true")["rows"][0]
    counts, total, _ = _summed(site)
    assert sum(counts.values()) == total == site["total"] == 16


def test_by_survey_is_json_only(client, engine, device_token):
    reply = client.get(
        "/api/v1/reports/fft",
        params={"period": "2026-11", "format": "csv", "by_survey": "true"},
        headers=auth(ADMIN),
    )
    assert reply.status_code == 400 and "format=csv" in reply.json()["detail"]


def test_the_command_line_breaks_the_report_down_too(client, engine, device_token, capsys):
    _seed(client, engine, device_token)
    url = engine.url.render_as_string(hide_password=False)
    code = cli.main(["report", "--db", url, "--period", "2026-11", "--level", "org", "--by-survey"])
    out = capsys.readouterr().out
    assert code == 0
    (row,) = json.loads(out)["rows"]
    counts, total, _ = _summed(row)
    assert sum(counts.values()) == total == row["total"] == 16
    assert {s["survey_id"]: s["total"] for s in row["by_survey"]} == {
        "fft-children": 4,
        "fft-easy-read": 7,
        "fft-inpatient": 5,
    }
