"""Every page in light at 1280 px and in dark on a narrow window, with data in it, and no
console error; screenshots of each go to tests/artifacts/."""

import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import Console, open_page, screenshot

PAGES = ["traffic", "sessions", "mail", "cassettes"]
LOOKS = {
    "light": ({"width": 1280, "height": 800}, "light", "rgb(251, 251, 250)"),
    "dark-narrow": ({"width": 390, "height": 844}, "dark", "rgb(21, 23, 26)"),
}


@pytest.fixture
def busy(proxy: str, send_mail: Callable[[EmailMessage], None]) -> None:
    """A request and a mail in the test's session, so that the pages show something."""
    requests.get("http://shop.test/basket?user=ada", proxies={"http": proxy}, timeout=10)
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "Welcome", "shop@example.test", "ada@example.test"
    mail.set_content("Welcome aboard.")
    send_mail(mail)


@pytest.mark.usefixtures("busy")
@pytest.mark.parametrize("look", LOOKS)
def test_each_page_renders_in_light_and_dark_narrow_without_errors(
    browser: Browser, console: Console, ui: Callable[[str], str], look: str
) -> None:
    viewport, scheme, background = LOOKS[look]
    page = open_page(browser, console, viewport=viewport, color_scheme=scheme)
    try:
        for name in PAGES:
            page.goto(ui(name))
            expect(page.locator("main h2").first).to_be_visible()
            expect(page.locator("nav a[aria-current=page]")).to_have_attribute("data-page", name)
            show_something(page, name)
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{name} is wider than the {look} window"
            screenshot(page, f"{name}-{look}")
    finally:
        page.context.close()
    assert console.errors == []


def show_something(page: Page, name: str) -> None:
    if name == "traffic":
        page.locator("#traffic-list .row-button").first.click()
        expect(page.locator("#traffic-detail .miss-report")).to_be_visible()
    elif name == "mail":
        page.locator("#inbox .row-button").first.click()
        expect(page.locator("#mail-view")).to_contain_text("Welcome aboard.")
    elif name == "sessions":
        expect(page.locator("#preset-form")).to_be_visible()
    else:
        expect(page.locator("#current-mode")).to_have_text("mock")


def test_the_readme_shows_two_small_screenshots() -> None:
    root = Path(__file__).parents[2]
    readme = (root / "README.md").read_text()
    shots = re.findall(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", readme)
    assert len(shots) == 2
    for shot in shots:
        assert (root / shot).read_bytes().startswith(b"\x89PNG")
        assert (root / shot).stat().st_size < 150_000
