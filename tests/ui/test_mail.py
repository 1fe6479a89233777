"""Mail page: a message arrives live; its HTML shows without running its script or fetching
its remote image; text, headers and raw source; an attachment downloads with its bytes."""

import random
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from playwright.sync_api import Page, expect

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
    send_mail: Callable[[EmailMessage], None],
    counting: Counting,
    tmp_path: Path,
) -> None:
    page.goto(ui("mail"))
    expect(page.locator(".live")).to_have_text("live")
    send_mail(hostile(counting.url))
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
