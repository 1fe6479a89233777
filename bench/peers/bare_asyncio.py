"""The bare asyncio floor for W1: an asyncio Protocol that answers each keep-alive request with
the bytes of pretenders' `/mockhttp/` reply (same status line, headers and 1 KB body), in one
`transport.write` per read; what Python itself costs on one core, with nothing else done."""

import asyncio
import json
import sys
import time
from email.utils import formatdate

import aiohttp

PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()
END = b"\r\n\r\n"


def reply(now: float) -> bytes:
    """pretenders' `/mockhttp/` answer to w1, header for header, dated `now`."""
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "Content-Security-Policy: sandbox allow-scripts allow-forms allow-popups\r\n"
        f"Content-Length: {len(PAYLOAD)}\r\n"
        f"Date: {formatdate(now, usegmt=True)}\r\n"
        f"Server: Python/{sys.version_info.major}.{sys.version_info.minor}"
        f" aiohttp/{aiohttp.__version__}\r\n\r\n"
    )
    return head.encode() + PAYLOAD


class Reply:
    """The reply's bytes, rebuilt once a second for the Date header (as aiohttp does)."""

    def __init__(self) -> None:
        self.bytes = reply(time.time())

    def refresh(self) -> None:
        self.bytes = reply(time.time())
        asyncio.get_running_loop().call_later(1, self.refresh)


class Floor(asyncio.Protocol):
    """Counts the request heads (up to each blank line) in what arrived and answers them all:
    pipelined requests get their replies in one write; a split head waits for its end."""

    def __init__(self, answer: Reply) -> None:
        self.answer = answer
        self.pending = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.pending + data if self.pending else data
        heads = buffer.count(END)
        if heads:
            assert self.transport is not None
            self.transport.write(self.answer.bytes * heads)
            buffer = buffer[buffer.rindex(END) + len(END) :]
        self.pending = buffer


async def main(port: int) -> None:
    answer = Reply()
    asyncio.get_running_loop().call_later(1, answer.refresh)
    server = await asyncio.get_running_loop().create_server(
        lambda: Floor(answer), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
