"""Fixtures of the web UI tests: Debian's Chromium driven by Playwright (never `playwright
install`), a page that fails the test on any console error, screenshots in tests/artifacts/,
and a local HTTP server counting what is fetched from it."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.programs import program

CHROMIUM = program("chromium")  # Debian's, installed by ./dev test (never `playwright install`)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
# The machine may be busy (xdist, other suites): wait longer than Playwright's 5 s for a change.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module's tests: Playwright's sync API holds an event loop in this thread
    while it runs, which the asyncio tests that follow must not meet (with the shared server
    parametrised, a session-long browser outlived its module)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Console:
    """What the page reported as errors (console errors and uncaught exceptions)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", lambda m: self._error(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def expect(self, part: str) -> None:
        """An error the test causes on purpose (the browser logs a refused call, e.g. a 400)."""
        self.expected.append(part)

    def _error(self, text: str) -> None:
        if not any(part in text for part in self.expected):
            self.errors.append(text)


@pytest.fixture
def console() -> Console:
    return Console()


def open_page(browser: Browser, console: Console, **options: Any) -> Page:
    context = browser.new_context(accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console.watch(page)
    return page


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    """A 1280 px wide page; the test fails if the UI logged any error."""
    opened = open_page(browser, console, viewport={"width": 1280, "height": 800})
    yield opened
    opened.context.close()
    assert console.errors == []


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows as tests/artifacts/<name>.png (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    return path


@pytest.fixture
def ui(control: str, session: str) -> Callable[[str], str]:
    """The address of a UI page showing the test's session."""
    return lambda name: f"{control}/#{name}?session={session}"


class Counting(ThreadingHTTPServer):
    """Answers every GET with a 1x1 GIF and counts the requests (paths kept)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _CountingHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CountingHandler(BaseHTTPRequestHandler):
    server: Counting
    GIF = bytes.fromhex(
        "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
    )

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(self.GIF)))
        self.end_headers()
        self.wfile.write(self.GIF)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def counting() -> Iterator[Counting]:
    running = Counting()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
