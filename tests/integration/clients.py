"""Real HTTP clients as an app would use them (proxy and CA from the environment), each
returning what it saw: status, headers in order, and the body bytes as sent (still encoded)."""

import asyncio
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import requests


@dataclass(frozen=True)
class Seen:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def with_requests(url: str) -> Seen:
    with requests.Session() as session, session.get(url, stream=True, timeout=30) as answer:
        body = answer.raw.read(decode_content=False)
        return Seen(answer.status_code, list(answer.raw.headers.items()), body)


def with_httpx(url: str) -> Seen:
    with httpx.Client(timeout=30) as client, client.stream("GET", url) as answer:
        body = b"".join(answer.iter_raw())
        return Seen(answer.status_code, _decoded(answer.headers.raw), body)


def with_httpx_async(url: str) -> Seen:
    async def fetch() -> Seen:
        async with httpx.AsyncClient(timeout=30) as client, client.stream("GET", url) as answer:
            body = b"".join([chunk async for chunk in answer.aiter_raw()])
            return Seen(answer.status_code, _decoded(answer.headers.raw), body)

    return asyncio.run(fetch())


def with_curl(url: str) -> Seen:
    with tempfile.TemporaryDirectory() as where:
        body_file = Path(where) / "body"
        done = subprocess.run(
            ["curl", "-sS", "--max-time", "30", "-D", "-", "-o", str(body_file), url],
            capture_output=True,
            check=True,
        )
        # the last header block: a CONNECT through the proxy has its own before it
        blocks = [b for b in done.stdout.decode("latin-1").split("\r\n\r\n") if b.strip()]
        head = blocks[-1].split("\r\n")
        headers = [tuple(line.split(": ", 1)) for line in head[1:] if ": " in line]
        return Seen(int(head[0].split()[1]), headers, body_file.read_bytes())  # type: ignore[arg-type]


def _decoded(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw]


CLIENTS: dict[str, Callable[[str], Seen]] = {
    "requests": with_requests,
    "httpx": with_httpx,
    "httpx-async": with_httpx_async,
    "curl": with_curl,
}
