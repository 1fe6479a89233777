"""Sessions and presets page: create and delete sessions; a preset added in the form answers
the next real request through the proxy."""

from collections.abc import Callable

import requests
from playwright.sync_api import Page, expect

from tests.ui.conftest import Console, screenshot


def test_a_preset_added_in_the_form_answers_the_next_request(
    page: Page, ui: Callable[[str], str], proxy: str, session: str
) -> None:
    page.goto(ui("sessions"))
    form = page.locator("#preset-form")
    form.get_by_label("Rule").fill("GET /greeting")
    form.get_by_label("Host").fill(r"api\.shop\.test")
    form.get_by_label("Status").fill("202")
    form.get_by_label("Content-Type").fill("application/json")
    form.get_by_label("Body").fill('{"hello": "from the form"}')
    form.get_by_role("button", name="Add preset").click()
    expect(page.locator(".note .ok")).to_contain_text(f"added to {session}")
    expect(page.locator("#preset-rows")).to_contain_text("GET /greeting")
    screenshot(page, "sessions")

    answer = requests.get("http://api.shop.test/greeting", proxies={"http": proxy}, timeout=10)
    assert (answer.status_code, answer.json()) == (202, {"hello": "from the form"})
    assert answer.headers["Content-Type"] == "application/json"
    other_host = requests.get("http://else.test/greeting", proxies={"http": proxy}, timeout=10)
    assert other_host.status_code == 404

    page.reload()
    expect(page.locator("#preset-rows")).to_contain_text("1 / FOREVER")  # served once
    page.get_by_role("button", name="Delete preset").click()
    expect(page.locator("#preset-rows")).to_contain_text("No presets.")
    gone = requests.get("http://api.shop.test/greeting", proxies={"http": proxy}, timeout=10)
    assert gone.status_code == 404


def test_sessions_are_created_and_deleted_in_the_page(
    page: Page, ui: Callable[[str], str], control: str, session: str
) -> None:
    created = f"{session}-made"
    page.goto(ui("sessions"))
    page.locator("#session-form").get_by_label("Name").fill(created)
    page.get_by_role("button", name="Create session").click()
    expect(page).to_have_url(f"{control}/#sessions?session={created}")
    expect(page.locator("#session-rows")).to_contain_text(created)
    assert requests.get(f"{control}/api/v1/sessions/{created}", timeout=10).status_code == 200

    page.get_by_role("button", name=f"Delete session {created}").click()
    expect(page.locator("#session-rows")).not_to_contain_text(created)
    assert requests.get(f"{control}/api/v1/sessions/{created}", timeout=10).status_code == 404


def test_a_session_without_history_shows_what_it_answered(
    page: Page, ui: Callable[[str], str], control: str, proxy: str, session: str
) -> None:
    body = {"name": session, "record_history": False}
    assert requests.post(f"{control}/api/v1/sessions", json=body, timeout=10).ok
    requests.get("http://api.shop.test/one", proxies={"http": proxy}, timeout=10)
    page.goto(ui("sessions"))
    row = page.locator("#session-rows tr", has_text=session)
    expect(row).to_contain_text("1 answered, none kept")


def test_a_refused_preset_shows_the_servers_reason(
    page: Page, ui: Callable[[str], str], console: Console
) -> None:
    console.expect("the server responded with a status of 400")
    page.goto(ui("sessions"))
    form = page.locator("#preset-form")
    form.get_by_label("Rule").fill("GET /(unclosed")
    form.get_by_role("button", name="Add preset").click()
    expect(page.locator(".note .problem")).to_contain_text("400: ")
    expect(page.locator(".note .problem")).to_contain_text("rule")
