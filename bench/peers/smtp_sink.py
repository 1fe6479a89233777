"""Baseline for W3: a bare aiosmtpd sink that keeps every message in a list, nothing else."""

import asyncio
import sys
from functools import partial

from aiosmtpd.smtp import SMTP

messages: list[bytes] = []


class Sink:
    async def handle_DATA(self, server: SMTP, session: object, envelope: object) -> str:
        messages.append(envelope.content)  # type: ignore[attr-defined]
        return "250 OK"


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(partial(SMTP, Sink(), hostname="sink"), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1])))
