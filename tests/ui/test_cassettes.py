"""Cassettes and mode page: switch a session's mode, list what its cassette holds, page by page."""

from collections.abc import Callable
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from pretenders_proxy.cassette import writing
from tests.integration.upstream import Upstream
from tests.pretenders_proxy.factories import exchange, request
from tests.ui.conftest import screenshot


def switch(page: Page, mode: str, cassette: str | None = None) -> None:
    form = page.locator("#mode-form")
    form.get_by_label("Mode").select_option(mode)
    if cassette is not None:
        form.get_by_label("Cassette paths").fill(cassette)
    form.get_by_role("button", name="Switch").click()
    expect(page.locator("#current-mode")).to_have_text(mode)


def test_switch_to_record_see_the_exchange_then_replay_it(
    page: Page, ui: Callable[[str], str], proxy: str, tmp_path: Path
) -> None:
    upstream = Upstream()
    try:
        cassette = str(tmp_path / "shop.cassette")
        page.goto(ui("cassettes"))
        expect(page.locator("#current-mode")).to_have_text("mock")
        switch(page, "record", cassette)
        expect(page.locator("#cassettes")).to_contain_text("recording to")
        recorded = requests.get(upstream.url + "/hello", proxies={"http": proxy}, timeout=10)
        assert recorded.headers["X-Upstream"] == "yes"

        page.get_by_role("button", name="List exchanges").click()
        rows = page.locator("#exchange-rows tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(upstream.url + "/hello")
        rows.first.get_by_role("button", name="Show").click()
        expect(page.locator("#exchange-detail")).to_contain_text("hello, world")

        switch(page, "replay")
        expect(page.locator("#mode")).to_contain_text("Recordings loaded1")
        screenshot(page, "cassettes")
    finally:
        upstream.stop()
    replayed = requests.get(upstream.url + "/hello", proxies={"http": proxy}, timeout=10)
    assert (replayed.status_code, replayed.text) == (200, "hello, world\n")


def test_a_long_cassette_is_shown_a_page_at_a_time(
    page: Page, ui: Callable[[str], str], control: str, session: str, tmp_path: Path
) -> None:
    cassette = tmp_path / "long.cassette"
    writing.write(cassette, [exchange(request(path=f"/item/{n}".encode())) for n in range(1, 121)])
    body = {"mode": "replay", "cassettes": [str(cassette)]}
    requests.put(f"{control}/api/v1/mode", params={"session": session}, json=body, timeout=10)
    page.goto(ui("cassettes"))
    page.get_by_role("button", name="List exchanges").click()
    expect(page.locator("#page-info")).to_have_text("1 to 50 of 120")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-info")).to_have_text("51 to 100 of 120")
    expect(page.locator("#exchange-rows tbody tr").first).to_contain_text("/item/51")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-info")).to_have_text("101 to 120 of 120")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(page.locator("#page-info")).to_have_text("51 to 100 of 120")
