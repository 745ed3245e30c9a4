"""Every page at a desktop's 1280 px and a phone's 390 px: no WCAG 2.2 A or AA violation that
axe-core finds, nothing a phone must scroll sideways to read, and a full-page screenshot in
docs/screenshots/web/ (made again by every run, so they show the pages as they are)."""

from __future__ import annotations

import pytest

from tests.browser.browser import WIDTHS, readable
from tests.browser.pages import PAGES, Page, built

pytestmark = pytest.mark.slow


def open_page(browser, trust, page: Page, width: int) -> None:
    assert built(page), f"no router serves {page.route}: update {page.name} in pages.py"
    if page.who is None:
        browser.sign_out()
    else:
        browser.signed_in_as(page.who.email, page.who.password)
    browser.resize(width)
    page.visit(browser, trust)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_page_has_no_wcag_22_aa_violations(browser, trust, axe_source, page, width):
    open_page(browser, trust, page, width)
    violations = browser.axe(axe_source)
    assert not violations, (
        f"{page.name} ({browser.path}) at {width} px has {len(violations)} WCAG 2.2 A/AA "
        f"violations:\n{readable(violations)}"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_page_fits_the_width_and_is_photographed(browser, trust, screenshots, page, width):
    open_page(browser, trust, page, width)
    browser.screenshot(screenshots / f"{page.name}-{width}.png")
    wide = browser.overflows()
    assert not wide, f"{page.name} at {width} px is wider than the screen: {wide[:10]}"
