"""The Audit page: every admin action newest first, 50 a page, by whom (an admin's email, or
"command line" for the server's commands), filtered by action; admins only."""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, datetime, timedelta

import pytest

from sync.server import accounts, cli
from tests.server.web.conftest import PASSWORD, hidden, signed_in


def entries(page: str) -> list[tuple[str, str, str]]:
    """(who, action, detail) of each row of the Audit table, in order."""
    cells = re.findall(
        r'<td class="nhsuk-table__cell" role="cell">'
        r'<span class="nhsuk-table__heading" aria-hidden="true">[^<]* </span>'
        r"<span>(?:<span class=\"app-break\">)?([^<]*)",
        page,
    )
    return [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]


def record(engine, count: int, start: datetime, action: str = "password reset") -> None:
    """*count* entries a minute apart from *start*, detail "entry 1" and on."""
    with engine.begin() as conn:
        for number in range(1, count + 1):
            at = start + timedelta(minutes=number)
            accounts.audit(conn, accounts.CLI, action, f"entry {number}", at)


def test_command_line_and_web_actions_show_who_did_them(
    web, admin, engine, empty_url, capsys, monkeypatch
):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    command = ["users", "create", "--db", empty_url, "--email", "ward9@trust.nhs.uk"]
    code = cli.main([*command, "--role", "ward", "--ward", "RWD/RWDLA/Ward 9", "--password-stdin"])
    assert code == 0, capsys.readouterr().err
    signed_in(web, admin.email)
    form = web.get("/users/new")
    added = web.post(
        "/users/new",
        data={
            "csrf_token": hidden(form.text),
            "email": "pat@trust.nhs.uk",
            "role": "admin",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert added.status_code == 303
    shown = entries(web.get("/audit").text)
    assert ("command line", "User created", "ward9@trust.nhs.uk (ward) RWD/RWDLA/Ward 9") in shown
    assert ("admin@trust.nhs.uk", "User created", "pat@trust.nhs.uk (admin)") in shown
    # The admin fixture itself was made the way the command line makes users.
    assert ("command line", "User created", "admin@trust.nhs.uk (admin)") in shown


def test_newest_first_fifty_a_page(web, admin, engine, clock):
    signed_in(web, admin.email)  # the admin was made, and signs in, at the clock's 10:00
    record(engine, 120, clock.moment)  # then 10:01 to 12:00
    first = web.get("/audit").text
    details = [detail for _, _, detail in entries(first)]
    assert details == [f"entry {n}" for n in range(120, 70, -1)]
    assert "Showing 1 to 50 of 122 entries." in first
    assert 'href="/audit?page=2"' in first and 'rel="prev"' not in first
    last = web.get("/audit", params={"page": "3"}).text
    assert [detail for _, _, detail in entries(last)][-3:] == [
        "entry 1",
        "from testclient",
        "admin@trust.nhs.uk (admin)",
    ]
    assert "Showing 101 to 122 of 122 entries." in last
    assert "<title>Audit, page 3 of 3" in last
    assert 'href="/audit?page=2"' in last and 'rel="next"' not in last
    beyond = web.get("/audit", params={"page": "4"})
    assert beyond.status_code == 200 and "There are only 3 pages of entries" in beyond.text


def test_times_are_uk_time(web, admin, engine):
    record(engine, 1, datetime(2026, 7, 1, 11, 59, tzinfo=UTC))  # summer: BST
    page = signed_in(web, admin.email).get("/audit", params={"action": "password reset"}).text
    assert '<time datetime="2026-07-01T12:00:00+00:00">1 July 2026, 13:00</time>' in page
    assert "141 days ago" in page


def test_filtering_by_action(web, admin, engine):
    record(engine, 3, datetime(2026, 11, 1, tzinfo=UTC), "kiosk revoked")
    record(engine, 2, datetime(2026, 11, 2, tzinfo=UTC), "password reset")
    signed_in(web, admin.email)
    page = web.get("/audit", params={"action": "kiosk revoked"}).text
    assert '<option value="kiosk revoked" selected>Kiosk revoked</option>' in page
    assert [detail for _, _, detail in entries(page)] == ["entry 3", "entry 2", "entry 1"]
    everything = web.get("/audit", params={"action": "<script>"})
    assert everything.status_code == 200 and "<script>" not in everything.text
    assert len(entries(everything.text)) >= 6


def test_details_are_shown_as_text(web, admin, engine):
    with engine.begin() as conn:
        at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        accounts.audit(conn, accounts.CLI, "user created", "<script>alert(1)</script>", at)
    page = signed_in(web, admin.email).get("/audit").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "٢", "99999999999", "9" * 400])
def test_a_bad_page_number_is_not_found(web, admin, number):
    signed_in(web, admin.email)
    refused = web.get("/audit", params={"page": number})
    assert refused.status_code == 404 and "Page not found" in refused.text


def test_only_admins_see_the_audit_log(web, admin, ward_user):
    signed_in(web, admin.email)
    assert '<a class="nhsuk-header__navigation-link" href="/audit">Audit</a>' in web.get("/").text
    web.cookies.clear()
    signed_in(web, ward_user.email)
    assert ">Audit</a>" not in web.get("/").text
    refused = web.get("/audit")
    assert refused.status_code == 403 and "admin@trust.nhs.uk" not in refused.text
