"""Mail page: a message arrives live; its HTML shows without running its script or fetching
its remote image; text, headers and raw source; an attachment downloads with its bytes."""

import random
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.mailing import Send
from tests.pretenders_proxy.factories import nested_mime
from tests.ui.conftest import Counting, screenshot

PAYLOAD = random.Random(7).randbytes(3000)


def hostile(counter: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = (
        "Your order",
        "shop@example.test",
        "ada@example.test",
    )
    mail.set_content("Hello Ada, your order is on its way.")
    mail.add_alternative(
        '<p id="greeting">Hello <b>Ada</b></p>'
        '<p id="marker">script did not run</p>'
        "<script>document.getElementById('marker').textContent = 'script ran';"
        f"new Image().src = '{counter}/script-ran';</script>"
        f'<img id="tracker" src="{counter}/pixel.gif" alt="tracker">'
        f'<img srcset="{counter}/pixel-2x.gif 2x" alt="tracker 2x">',
        subtype="html",
    )
    mail.add_attachment(
        PAYLOAD, maintype="application", subtype="octet-stream", filename="report.bin"
    )
    return mail


def test_html_mail_shows_sandboxed_and_its_attachment_downloads(
    page: Page,
    ui: Callable[[str], str],
    send: Send,
    counting: Counting,
    tmp_path: Path,
) -> None:
    page.goto(ui("mail"))
    expect(page.locator(".live")).to_have_text("live")
    send(hostile(counting.url))
    row = page.locator("#inbox .row-button", has_text="Your order")
    expect(row).to_be_visible()  # arrived live, no reload
    row.click()

    frame = page.frame_locator("iframe.mail-html")
    expect(frame.locator("#greeting")).to_have_text("Hello Ada")
    expect(frame.locator("#marker")).to_have_text("script did not run")
    iframe = page.locator("iframe.mail-html")
    assert iframe.get_attribute("sandbox") == ""  # no allow-scripts, no same origin
    assert "default-src 'none'" in (iframe.get_attribute("srcdoc") or "")
    expect(page.locator("#mail-detail")).to_contain_text("remote image(s) and script(s) not loaded")
    screenshot(page, "mail")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download report.bin").click()
    download = downloading.value
    assert download.suggested_filename == "report.bin"
    saved = tmp_path / "report.bin"
    download.save_as(saved)
    assert saved.read_bytes() == PAYLOAD

    page.get_by_role("button", name="Text").click()
    expect(page.locator("#mail-view")).to_contain_text("Hello Ada, your order is on its way.")
    page.get_by_role("button", name="Headers").click()
    expect(page.locator("#mail-view table.headers")).to_contain_text("shop@example.test")
    page.get_by_role("button", name="Raw").click()
    expect(page.locator("#mail-view pre.raw")).to_contain_text("Subject: Your order")
    expect(page.locator("#mail-view pre.raw")).to_contain_text("<script>")
    assert counting.paths == []  # neither the image nor the script's request reached it


def test_mail_sent_before_the_page_is_listed_and_delete_empties_inbox_and_server(
    page: Page,
    ui: Callable[[str], str],
    send: Send,
    control: str,
    session: str,
) -> None:
    send(hostile("http://127.0.0.1:9"))
    page.goto(ui("mail"))
    rows = page.locator("#inbox .row-button")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Your order")

    page.get_by_role("button", name="Delete these mails").click()
    expect(rows).to_have_count(0)
    listed = requests.get(f"{control}/api/v1/mail", params={"session": session}, timeout=10)
    assert listed.json() == []


def test_mail_nested_too_deep_shows_a_note_and_its_kept_part(
    page: Page, ui: Callable[[str], str], server: RunningServer, session: str
) -> None:
    # issue 15: 2,000 nested MIME levels made the mail's API call a 500
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.login(session, "any password")
        smtp.sendmail("a@example.test", ["b@example.test"], nested_mime(2000))
    page.goto(ui("mail"))
    page.locator("#inbox .row-button", has_text="deep").click()
    expect(page.locator("#mail-detail .note")).to_contain_text(
        "MIME parts nest deeper than 20 levels"
    )
    expect(page.get_by_role("button", name="Download attachment 0")).to_be_visible()
