"""An app under test that runs in the test's own event loop: HTTP through the proxy with httpx,
and mail sent over a plain asyncio connection (no thread, no smtplib)."""

import asyncio
import base64
from email.message import EmailMessage

import httpx


async def fetch(proxy: str, url: str) -> str:
    async with httpx.AsyncClient(proxy=proxy, trust_env=False) as client:
        return (await client.get(url)).text


async def send_mail(address: tuple[str, int], session: str, mail: EmailMessage) -> None:
    """One message to the SMTP capture listener, logged in as `session`."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        await _reply(reader, 220)
        login = base64.b64encode(f"\0{session}\0x".encode()).decode()
        steps = [
            ("EHLO app.test", 250),
            (f"AUTH PLAIN {login}", 235),
            (f"MAIL FROM:<{mail['From']}>", 250),
            (f"RCPT TO:<{mail['To']}>", 250),
            ("DATA", 354),
        ]
        for line, code in steps:
            writer.write(line.encode() + b"\r\n")
            await _reply(reader, code)
        data = mail.as_bytes().replace(b"\n.", b"\n..").replace(b"\r\n", b"\n")
        writer.write(data.replace(b"\n", b"\r\n") + b"\r\n.\r\nQUIT\r\n")
        await _reply(reader, 250)
        await _reply(reader, 221)
    finally:
        writer.close()
        await writer.wait_closed()


async def _reply(reader: asyncio.StreamReader, expected: int) -> None:
    """Read a (multi-line) SMTP reply; it must have the expected code."""
    while True:
        line = await reader.readline()
        if int(line[:3]) != expected:
            raise AssertionError(f"SMTP answered {line!r}, not {expected}")
        if line[3:4] != b"-":
            return
