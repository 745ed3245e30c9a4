"""One seeded server and one Chromium for the whole session: the browser tests share them,
so they take seconds, not minutes. Each test says who it signs in as."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import site
from tests.browser.browser import Browser, require_axe, require_browser


@pytest.fixture(scope="session")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[site.Trust]:
    require_browser()  # no server to start if there is no browser to visit it
    running = site.start(tmp_path_factory.mktemp("trust"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium(trust: site.Trust, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    browser = Browser(trust.url, tmp_path_factory.mktemp("downloads"))
    yield browser
    browser.quit()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[Browser]:
    """The session's browser at desktop width, its downloads folder empty."""
    chromium.resize(1280)
    for old in chromium.downloads.iterdir():
        old.unlink()
    yield chromium
    chromium.resize(1280)


@pytest.fixture
def admin(browser: Browser) -> Browser:
    browser.signed_in_as(site.ADMIN.email, site.ADMIN.password)
    return browser


@pytest.fixture
def ward_user(browser: Browser) -> Browser:
    browser.signed_in_as(site.WARD_USER.email, site.WARD_USER.password)
    return browser


@pytest.fixture(scope="session")
def axe_source() -> str:
    return require_axe()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "web"
