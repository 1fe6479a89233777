"""Under --token the UI's own files stay open (they hold no data); the page asks for the token
and sends it; every other control call still needs it."""

from pathlib import Path

import requests
from playwright.sync_api import Browser, expect

from pretenders_proxy.testing.launcher import launch
from tests.ui.conftest import Console, open_page


def test_the_page_is_open_asks_for_the_token_and_the_api_stays_closed(
    browser: Browser, console: Console, tmp_path: Path
) -> None:
    with launch(["--token", "s3cret"], confdir=tmp_path) as server:
        control = server.control
        page_answer = requests.get(f"{control}/", timeout=10)
        assert page_answer.status_code == 200 and "<title>pretenders</title>" in page_answer.text
        script = requests.get(f"{control}/ui/app.js", timeout=10)
        assert script.status_code == 200 and script.headers["Content-Type"].startswith(
            "text/javascript"
        )
        assert "default-src 'self'" in script.headers["Content-Security-Policy"]
        for closed in ("/api/v1/sessions", "/api/v1/events", "/api/v1/mail", "/api/v1/cassettes"):
            assert requests.get(control + closed, timeout=10).status_code == 401, closed
        for missing in ("/ui/nothing.js", "/ui/.hidden", "/ui/%2e%2e%2fapi%2fui.py"):
            answer = requests.get(control + missing, timeout=10)
            assert answer.status_code == 404 and "the UI has no file" in answer.json()["error"]

        console.expect("the server responded with a status of 401")
        page = open_page(browser, console)
        try:
            page.goto(f"{control}/#traffic?session=default")
            dialog = page.get_by_role("dialog", name="Token needed")
            expect(dialog).to_be_visible()
            dialog.get_by_label("Token").fill("s3cret")
            dialog.get_by_role("button", name="Use token").click()
            expect(page.locator(".live")).to_have_text("live")
            requests.get("http://x.test/with-token", proxies={"http": server.proxy}, timeout=10)
            expect(page.locator("#traffic-list")).to_contain_text("http://x.test/with-token")
            token = page.evaluate("sessionStorage.getItem('pretenders-token')")
            assert token == "s3cret"
        finally:
            page.context.close()
    assert console.errors == []
