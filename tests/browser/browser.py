"""A real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
Selenium, with what the tests do in it: open a page at a width, sign in through the form,
read the page as a person sees it, save a full-page screenshot and run axe-core.

Missing pieces fail the tests under CI (``CI=true``), where ``./dev test`` installs them, and
skip them elsewhere with what to install.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: axe-core, pinned in package-lock.json; ``./dev`` runs ``npm ci``, which brings it.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 A and AA (axe tags each rule with the version that added it).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, PHONE = 1280, 390
WIDTHS = (DESKTOP, PHONE)


def missing_or_skip(what: list[str]) -> None:
    """Fail under CI, skip elsewhere, when the browser tests cannot run."""
    if not what:
        return
    reason = f"the browser tests need {', '.join(what)}: ./dev test installs them"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_browser() -> None:
    what = [
        f"{path} (apt: {package})"
        for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))
        if not path.exists()
    ]
    try:
        import selenium  # noqa: F401
    except ImportError:
        what.append("selenium (pip install -e '.[dev]')")
    missing_or_skip(what)


def require_axe() -> str:
    missing_or_skip([] if AXE.is_file() else [f"{AXE.relative_to(ROOT)} (npm ci)"])
    return AXE.read_text(encoding="utf-8")


class Browser:
    """One Chromium for the whole test session; ``base`` is the server's address."""

    def __init__(self, base: str, downloads: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--hide-scrollbars",  # screenshots without a scrollbar's width taken off
            "--force-color-profile=srgb",
            "--lang=en-GB",
        ):
            options.add_argument(argument)
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "intl.accept_languages": "en-GB",
            },
        )
        self.driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(60)
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True},
        )
        self.base = base
        self.downloads = downloads
        self.who = ""  # the email signed in, "" when signed out
        self.width = DESKTOP
        self.resize(DESKTOP)

    def quit(self) -> None:
        self.driver.quit()

    # -- where and how wide ------------------------------------------------------------

    def resize(self, width: int, height: int = 900) -> None:
        """The page's viewport *width* CSS pixels wide (a phone's, with its viewport rules,
        below 600)."""
        self.width = width
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.base)

    # -- reading the page ----------------------------------------------------------------

    def text(self) -> str:
        """What a person sees on the page (hidden parts left out)."""
        found: str = self.driver.find_element("tag name", "body").text
        return found

    def heading(self) -> str:
        found: str = self.driver.find_element("tag name", "h1").text
        return found

    def find(self, css: str) -> Any:
        return self.driver.find_element("css selector", css)

    def find_all(self, css: str) -> list[Any]:
        found: list[Any] = self.driver.find_elements("css selector", css)
        return found

    def link(self, words: str) -> Any:
        """The link whose words start with *words* (words for a screen reader may follow)."""
        for element in self.find_all("a"):
            if _name(element).startswith(words):
                return element
        raise AssertionError(f"no link {words!r} on {self.path}")

    def field(self, label: str) -> Any:
        """The input a ``<label>`` with exactly these words is for."""
        for element in self.find_all("label"):
            if element.text.strip() == label:
                return self.find(f"#{element.get_attribute('for')}")
        raise AssertionError(f"no field labelled {label!r} on {self.path}")

    def button(self, words: str) -> Any:
        for element in self.find_all("button, input[type=submit]"):
            if _name(element).startswith(words):
                return element
        raise AssertionError(f"no button {words!r} on {self.path}")

    def press(self, element: Any) -> None:
        """Click *element* and wait for the page it leads to (a link or a form's button)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        old = self.find("html")
        element.click()

        def left(_driver: Any) -> bool:
            # The old page is gone once its root is stale. Mid-navigation, Chromium may say so
            # as "Node with given id does not belong to the document" rather than as a stale
            # element: both mean the same here.
            try:
                old.is_enabled()
            except WebDriverException as exc:  # StaleElementReferenceException is one
                return "stale" in type(exc).__name__.lower() or "does not belong" in str(exc)
            return False

        wait = WebDriverWait(self.driver, 15)
        wait.until(left)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    # -- signing in and out --------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> None:
        """Through the form, as a person would: type into the labelled fields, press the
        button."""
        self.open("/login")
        self.field("Email").send_keys(email)
        self.field("Password").send_keys(password)
        self.press(self.button("Sign in"))
        self.who = email if not self.path.startswith("/login") else ""

    def sign_out(self) -> None:
        """Forget the browser's session (the Sign out button is tested on its own)."""
        self.driver.delete_all_cookies()
        self.who = ""

    def signed_in_as(self, email: str, password: str) -> None:
        if self.who != email:
            self.sign_out()
            self.sign_in(email, password)
            assert self.who == email, f"could not sign in as {email}: {self.text()}"

    # -- pictures and checks -------------------------------------------------------------

    def screenshot(self, path: Path) -> None:
        """The whole page, top to bottom, at the current width, and no taller (a short
        page's screenshot ends with its footer)."""
        self.resize(self.width, 100)
        height = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        self.resize(self.width, height)
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        self.resize(self.width)

    def overflows(self) -> list[str]:
        """Elements wider than the viewport, which a phone would scroll sideways to read
        (a scrolling box of their own, like a wide table's, is fine)."""
        found: list[str] = self.driver.execute_script(
            """
            const width = document.documentElement.clientWidth;
            const wide = [];
            for (const element of document.body.querySelectorAll('*')) {
              const box = element.getBoundingClientRect();
              if (box.right > width + 1 && box.width > 0) {
                let clipped = false;
                for (let up = element.parentElement; up; up = up.parentElement) {
                  const style = getComputedStyle(up);
                  if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) {
                    clipped = up !== document.body && up !== document.documentElement;
                    if (clipped) break;
                  }
                }
                if (!clipped) wide.push(element.tagName.toLowerCase() +
                  (element.className && typeof element.className === 'string'
                    ? '.' + element.className.trim().split(/\\s+/).join('.') : ''));
              }
            }
            return wide;
            """
        )
        return found

    def axe(self, source: str) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.2 A and AA violations on the page. It is put in through the
        driver, which the page's content security policy does not govern."""
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(source)
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const only = {type: 'tag', values: arguments[0]};
            axe.run(document, {runOnly: only, resultTypes: ['violations']})
              .then(found => done(found.violations))
              .catch(problem => done({error: String(problem)}));
            """,
            WCAG_22_AA,
        )
        if isinstance(result, dict):
            raise AssertionError(f"axe-core could not run on {self.path}: {result['error']}")
        violations: list[dict[str, Any]] = result
        return violations

    def wait_for_download(self, suffix: str, seconds: float = 20) -> Path:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            done = [p for p in self.downloads.iterdir() if p.name.endswith(suffix)]
            if done and not any(p.suffix == ".crdownload" for p in self.downloads.iterdir()):
                return done[0]
            time.sleep(0.1)
        raise AssertionError(f"no {suffix} file was downloaded: {list(self.downloads.iterdir())}")


def _name(element: Any) -> str:
    """An element's words, visually hidden ones too."""
    words = element.get_attribute("textContent") or element.get_attribute("value") or ""
    return " ".join(words.split())


def readable(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations as a person can read them in a test failure."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
