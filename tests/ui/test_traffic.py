"""Traffic page: requests sent by the test through the proxy appear live, without a reload."""

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.grpc_upstream import GET, GrpcUpstream, call, channel
from tests.integration.raw import BannerServer, open_tunnel, read_all
from tests.integration.test_websocket import SCRIPT, script_talk
from tests.ui.conftest import screenshot


def test_traffic_appears_live_with_source_status_and_the_miss_explained(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str
) -> None:
    requests.post(
        f"{control}/api/v1/presets",
        params={"session": session},
        json={"rule": "POST /orders", "status": 201, "text": "made"},
        timeout=10,
    )
    page.goto(ui("traffic"))
    expect(page.locator(".live")).to_have_text("live")
    page.evaluate("window.notReloaded = true")

    order = {"item": "book", "count": 2}
    requests.post("http://shop.test/orders", json=order, proxies={"http": proxy}, timeout=10)
    requests.get("http://shop.test/missing?page=2", proxies={"http": proxy}, timeout=10)

    rows = page.locator("#traffic-list .row-button")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("/missing")  # newest on top
    made = rows.filter(has_text="http://shop.test/orders")
    expect(made.locator(".badge")).to_have_text("preset")
    expect(made.locator(".status")).to_have_text("201")
    missed = rows.filter(has_text="http://shop.test/missing?page=2")
    expect(missed.locator(".badge")).to_have_text("miss")
    assert page.evaluate("window.notReloaded") is True

    missed.click()
    report = page.locator("#traffic-detail .miss-report")
    expect(report).to_contain_text("No preset matched GET /missing?page=2")
    expect(report).to_contain_text("POST /orders")  # the closest preset
    screenshot(page, "traffic")

    made.focus()  # keyboard: the rows are buttons
    page.keyboard.press("Enter")
    detail = page.locator("#traffic-detail")
    expect(detail.get_by_role("table", name="Request headers")).to_contain_text("application/json")
    expect(detail.locator("pre.body").first).to_have_text(json.dumps(order, indent=2))
    page.keyboard.press("Shift+Tab")  # focus moved by keyboard is drawn
    focused = page.evaluate(
        "() => [document.activeElement.matches(':focus-visible'),"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == [True, "solid"]


def test_the_detail_pane_shows_the_response_headers_and_a_readable_body(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str
) -> None:
    answers = {
        "GET /book": {"status": 200, "headers": {"X-Shop": "open"}, "body": {"title": "Dune"}},
        "GET /cover": {"headers": {"Content-Type": "image/png"}, "body": "iVBORw0KGgoA/w=="},
    }
    for rule, preset in answers.items():
        added = requests.post(
            f"{control}/api/v1/presets", params={"session": session}, json={"rule": rule, **preset}
        )
        assert added.status_code == 201, added.text
    page.goto(ui("traffic"))
    expect(page.locator(".live")).to_have_text("live")
    book = requests.get("http://shop.test/book", proxies={"http": proxy}, timeout=10)
    cover = requests.get("http://shop.test/cover", proxies={"http": proxy}, timeout=10)

    rows = page.locator("#traffic-list .row-button")
    rows.filter(has_text="http://shop.test/book").click()
    answer = page.locator("#traffic-detail section.response")
    headers = answer.locator("table.headers")
    expect(headers.locator("caption")).to_have_text("Response headers")
    expect(headers.locator("tr", has_text="X-Shop")).to_contain_text("open")
    expect(answer.locator("h4")).to_have_text("Response body")
    expect(answer.locator("pre.body")).to_have_text(json.dumps(book.json(), indent=2))
    screenshot(page, "traffic-response")

    rows.filter(has_text="http://shop.test/cover").click()
    expect(answer.locator("table.headers")).to_contain_text("image/png")
    expect(answer).to_contain_text(f"binary body, {len(cover.content)} bytes")


def test_requests_made_before_the_page_are_listed_and_forget_empties_list_and_server(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str
) -> None:
    requests.get("http://shop.test/before", proxies={"http": proxy}, timeout=10)
    page.goto(ui("traffic"))
    rows = page.locator("#traffic-list .row-button")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("/before")

    page.get_by_role("button", name="Forget these requests").click()
    expect(rows).to_have_count(0)
    listed = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    assert listed.json() == []
    requests.get("http://shop.test/after", proxies={"http": proxy}, timeout=10)
    expect(rows).to_have_count(1)  # still live
    expect(rows.first).to_contain_text("/after")


def test_a_refused_connection_shows_its_protocol_and_why(
    page: Page, ui: Callable[[str], str], server: RunningServer, session: str
) -> None:
    banner = BannerServer()
    page.goto(ui("traffic"))
    expect(page.locator(".live")).to_have_text("live")
    sock, _ = open_tunnel(server.proxy, banner.port, session)
    with sock:
        sock.sendall(b"SSH-2.0-OpenSSH_9.6 client\r\n")
        read_all(sock)
    banner.stop()

    row = page.locator("#traffic-list .row-button")
    expect(row).to_have_count(1)
    expect(row.locator(".method")).to_have_text("CONNECT")
    expect(row.locator(".url")).to_have_text(f"tcptcp://127.0.0.1:{banner.port}")
    expect(row.locator(".url .protocol")).to_have_text("tcp")
    expect(row.locator(".badge")).to_have_text("miss")
    row.click()
    detail = page.locator("#traffic-detail")
    expect(detail.locator("dd", has_text="tcp")).to_have_count(1)
    expect(detail.locator(".miss-report h4")).to_have_text("Refused: it may not go upstream")
    expect(detail.locator(".miss-report")).to_contain_text("raw TCP to 127.0.0.1:")
    expect(detail.locator(".miss-report")).to_contain_text("mock mode sends nothing upstream")
    expect(detail.locator("pre.body").first).to_contain_text("SSH-2.0-OpenSSH_9.6 client")
    assert banner.connections == 0
    screenshot(page, "traffic-refused-connection")


def test_long_bodies_are_listed_over_pages_and_said_to_be_cut(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str
) -> None:
    # 12 bodies of 100 KiB: the list's JSON passes a page's 1 MiB, so the page walks two pages.
    for number in range(12):
        body = f"{number:02d}".encode() * (50 * 1024)
        requests.post(f"http://shop.test/upload/{number}", data=body, proxies={"http": proxy})
    first = requests.get(f"{control}/api/v1/requests", params={"session": session, "limit": 100})
    assert "X-Next-Cursor" in first.headers
    page.goto(ui("traffic"))
    rows = page.locator("#traffic-list .row-button")
    expect(rows).to_have_count(12)
    rows.filter(has_text="/upload/3").click()
    detail = page.locator("#traffic-detail")
    expect(detail.locator("p.kept")).to_have_text(
        "First 64 KiB of 100 KiB shown (history keeps no more)."
    )
    expect(detail.locator("pre.body").first).to_contain_text("030303")


def test_a_grpc_call_shows_its_trailers_and_a_binary_body(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str, tmp_path: Path
) -> None:
    mode = {"mode": "record", "cassettes": [str(tmp_path / "grpc.cassette")]}
    switched = requests.put(f"{control}/api/v1/mode", params={"session": session}, json=mode)
    assert switched.status_code == 200, switched.text
    upstream = GrpcUpstream()
    try:
        with channel(upstream.target, proxy, None) as chan:  # the session is the proxy user
            answered = call(chan, GET, b"widget")
    finally:
        upstream.stop()
    assert answered.messages == (b"item: widget",) and upstream.calls == 1

    page.goto(ui("traffic"))
    page.locator("#traffic-list .row-button").filter(has_text="/demo.Items/Get").click()
    answer = page.locator("#traffic-detail section.response")
    trailers = answer.get_by_role("table", name="Response trailers")
    expect(trailers.locator("tr", has_text="grpc-status")).to_contain_text("0")
    expect(trailers.locator("tr", has_text="x-served-by")).to_contain_text("upstream")
    expect(answer).to_contain_text("binary body, 17 bytes")  # 5-byte prefix, "item: widget"


def test_a_websocket_shows_its_messages_both_ways(
    page: Page, ui: Callable[[str], str], proxy: str, control: str, session: str
) -> None:
    added = requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=SCRIPT, timeout=10
    )
    assert added.status_code == 201, added.text
    page.goto(ui("traffic"))
    expect(page.locator(".live")).to_have_text("live")
    talking = script_talk("ws://chat.test/chat", proxy, ["ping", "quit"])
    with ThreadPoolExecutor(1) as thread:  # Playwright runs a loop in this one
        thread.submit(asyncio.run, talking).result(timeout=20)

    row = page.locator("#traffic-list .row-button")
    expect(row).to_have_count(1)
    expect(row.locator(".url .protocol")).to_have_text("websocket")
    row.click()
    talk = page.get_by_role("region", name="WebSocket messages")
    expect(talk.locator("h4")).to_have_text("WebSocket: 5 messages, closed 1000 by the server")
    messages = talk.locator("li.message")
    expect(messages).to_have_count(5)
    expect(messages.nth(0)).to_contain_text("←text")
    expect(messages.nth(0).locator(".preview")).to_have_text("welcome")
    expect(messages.nth(1)).to_have_class("message from-client")
    expect(messages.nth(1).locator(".preview")).to_have_text("ping")
    expect(messages.nth(4).locator(".preview")).to_have_text("bye")
    talk.scroll_into_view_if_needed()
    screenshot(page, "traffic-websocket")
