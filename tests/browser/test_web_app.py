"""The web app in a real browser, as its people use it: signing in through the form, the
wards each person may see, a ward's page, the NHS CSV against the API's report, and the
refusals (another ward, a form without its CSRF token, a wrong password)."""

from __future__ import annotations

import csv
import io

import pytest

from sync import fft
from tests.browser import site
from tests.browser.pages import ward_path
from tests.browser.site import ADMIN, WARD_3, WARD_7, WARD_12, WARD_USER

pytestmark = pytest.mark.slow


def ward_names(browser):
    """The wards the Overview's table lists, in its order."""
    return [link.text for link in browser.find_all("table a[href^='/ward?']")]


def overview_row(browser, ward):
    for row in browser.find_all("table tbody tr"):
        if row.find_elements("link text", ward):
            return row.text
    raise AssertionError(f"{ward} is not on the Overview")


def test_an_admin_signs_in_through_the_form_and_sees_every_ward(browser, trust):
    browser.sign_out()
    browser.open("/")
    assert browser.path.startswith("/login")  # sent to sign in first
    browser.sign_in(ADMIN.email, ADMIN.password)
    assert browser.path == "/"
    assert ADMIN.name in browser.text() and "Sign out" in browser.text()
    assert sorted(ward_names(browser)) == sorted(p.ward_name for p in site.ALL_WARDS)
    browser.open(f"/?month={trust.month}")
    assert "no responses" in overview_row(browser, WARD_12.ward_name).lower()
    nav = browser.find("nav[aria-label='Menu']").get_attribute("textContent")
    for link in ("Overview", "NHS submission", "Devices", "Users"):
        assert link in nav


def test_a_ward_user_sees_only_their_own_ward(browser, trust):
    browser.sign_out()
    browser.sign_in(WARD_USER.email, WARD_USER.password)
    assert browser.path == "/"
    assert ward_names(browser) == [WARD_7.ward_name]
    browser.open(f"/?month={trust.month}")
    assert ward_names(browser) == [WARD_7.ward_name]
    nav = browser.find("nav[aria-label='Menu']").get_attribute("textContent")
    assert "Devices" not in nav and "Users" not in nav
    assert "Overview" in nav and "NHS submission" in nav


@pytest.mark.parametrize("who", [ADMIN, WARD_USER], ids=["admin", "ward-user"])
def test_the_ward_page_opens_from_the_overview_with_the_reports_figures(browser, trust, who):
    browser.signed_in_as(who.email, who.password)
    browser.open(f"/?month={trust.month}")
    browser.press(browser.link(WARD_7.ward_name))
    assert browser.path == ward_path(WARD_7, trust.month)
    assert WARD_7.ward_name in browser.heading()
    shown = {
        row.find_element("css selector", "th").text: row.find_elements("css selector", "td")[0].text
        for row in browser.find_all("#figures-caption ~ tbody tr")
    }
    report = trust.api("/reports/fft", period=trust.month)["rows"]
    ward_7 = next(row for row in report if row["ward_name"] == WARD_7.ward_name)
    expected = {words: str(ward_7["counts"][str(code)]) for code, words in fft.CODES.items()}
    expected["Total responses"] = str(ward_7["total"])
    assert {label: shown[label] for label in expected} == expected
    assert "1 repeat tap was left out of these figures" in browser.text()


def test_the_nhs_csv_has_the_apis_numbers(admin, trust):
    admin.open(f"/submission?month={trust.month}")
    admin.link("Download CSV").click()
    downloaded = admin.wait_for_download(".csv")
    rows = list(csv.DictReader(io.StringIO(downloaded.read_text(encoding="utf-8-sig"))))
    report = trust.api("/reports/fft", period=trust.month)["rows"]
    assert report, "the API reports nothing for the month"
    expected = {
        (row["org_code"], row["site_code"], row["ward_name"]): (
            [str(row["counts"][str(code)]) for code in fft.CODES],
            str(row["total"]),
        )
        for row in report
    }
    wards = {
        (row["Org code"], row["Site code"], row["Ward name"]): (
            [row[column] for column in fft.SUBMISSION_COLUMNS[7:13]],
            row["Total Responses"],
        )
        for row in rows
        if row["Ward name"]
    }
    assert wards == expected
    first, _ = fft.parse_period(trust.month)
    assert {row["Periodname"] for row in rows} == {first.strftime("%B").upper()}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_submissions_ward_rows_unfold_at_every_width(admin, trust, width):
    admin.resize(width)
    admin.open(f"/submission?month={trust.month}")
    table = admin.find("#submitted-ward")
    assert not table.is_displayed()  # folded away: a trust's wards would fill a phone
    summaries = admin.find_all("#as-submitted details summary")
    next(summary for summary in summaries if "ward rows" in summary.text).click()
    assert table.is_displayed()
    shown = [row.text for row in admin.find_all("#submitted-ward tbody th")]
    report = trust.api("/reports/fft", period=trust.month)["rows"]
    assert sorted(shown) == sorted(row["ward_name"] for row in report)


def test_a_ward_users_nhs_csv_has_the_apis_numbers_for_their_ward_only(ward_user, trust):
    ward_user.open("/")
    ward_user.press(ward_user.link("NHS submission"))
    assert ward_user.path == "/submission"
    ward_user.open(f"/submission?month={trust.month}")
    assert "this page shows only the rows of your ward" in ward_user.text()
    assert "Mark as submitted" not in ward_user.text()
    assert WARD_3.ward_name not in ward_user.text()
    ward_user.link("Download CSV").click()
    downloaded = ward_user.wait_for_download(".csv")
    rows = list(csv.DictReader(io.StringIO(downloaded.read_text(encoding="utf-8-sig"))))
    report = trust.api("/reports/fft", period=trust.month)["rows"]
    ward_7 = next(row for row in report if row["ward_name"] == WARD_7.ward_name)
    assert [(row["Ward name"], row["Total Responses"]) for row in rows] == [
        (WARD_7.ward_name, str(ward_7["total"]))
    ]
    assert [rows[0][column] for column in fft.SUBMISSION_COLUMNS[7:13]] == [
        str(ward_7["counts"][str(code)]) for code in fft.CODES
    ]


def test_a_ward_user_is_refused_another_ward(ward_user, trust):
    ward_user.open(ward_path(WARD_7, trust.month))
    assert WARD_7.ward_name in ward_user.heading()
    ward_user.open(ward_path(WARD_3, trust.month))
    assert ward_user.heading() == "Page not found"
    assert WARD_3.ward_name not in ward_user.text()


def _without_token(browser, form_css):
    browser.driver.execute_script(
        "document.querySelectorAll(arguments[0] + \" input[name='csrf_token']\")"
        ".forEach(input => input.remove())",
        form_css,
    )


def test_signing_out_without_the_csrf_token_is_refused_and_changes_nothing(admin):
    admin.open("/")
    _without_token(admin, "form[action='/logout']")
    admin.press(admin.button("Sign out"))
    assert admin.heading() == "This form has expired"
    admin.open("/")
    assert admin.path == "/" and "Sign out" in admin.text()  # still signed in


def test_marking_as_submitted_without_the_csrf_token_is_refused(admin, trust):
    admin.open(f"/submission?month={trust.month}")
    before = admin.text()
    form = "form[action^='/submission']:has(input[name='csrf_token'])"
    _without_token(admin, form)
    admin.press(admin.button("Mark as submitted"))
    assert admin.heading() == "This form has expired"
    admin.open(f"/submission?month={trust.month}")
    assert admin.text() == before  # not marked
    admin.open("/audit")
    actions = [row.text.lower() for row in admin.find_all("table tbody tr")]
    assert actions and not [a for a in actions if "marked as submitted" in a]


def test_signing_out_ends_the_session(admin):
    admin.open("/")
    admin.press(admin.button("Sign out"))
    assert "You have signed out" in admin.text()
    admin.who = ""
    admin.open("/")
    assert admin.path.startswith("/login")


def test_a_wrong_password_and_an_unknown_email_read_the_same(browser):
    browser.sign_out()
    browser.sign_in(ADMIN.email, "Not the password at all")
    wrong_password = browser.text()
    browser.sign_in("nobody.here@trust.nhs.uk", ADMIN.password)
    unknown_email = browser.text()
    assert browser.path.startswith("/login") and browser.who == ""
    assert "The email or password is not right" in wrong_password
    assert wrong_password == unknown_email
    for telling in ("no account", "not found", "password is wrong", "incorrect password"):
        assert telling not in wrong_password.lower()


def test_a_comment_holding_a_script_shows_as_text(admin, trust):
    from selenium.common.exceptions import NoAlertPresentException  # with the browser only

    admin.open(ward_path(WARD_7, trust.month))
    assert site.SCRIPT_COMMENT in admin.text()
    with pytest.raises(NoAlertPresentException):
        admin.driver.switch_to.alert.text  # noqa: B018 (reading it is the check)
    scripts = admin.driver.execute_script(
        "return [...document.scripts].map(s => s.textContent).join(' ')"
    )
    assert "alert(1)" not in scripts
