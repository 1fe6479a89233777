"""A TCP relay in front of a real redis-server that, while `dropping`, loses every n-th reply
Redis sends: that connection is closed instead, after Redis has done what it was asked."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.integration.redis_server import free_port


class Lossy:
    def __init__(self, port: int, every: int) -> None:
        self.target, self.every = port, every
        self.port = free_port()
        self.dropping = threading.Event()
        self.dropped = self._replies = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._relay, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()
        server.close()
        for writer in self._open:  # closed here: none left for the collector to warn of
            writer.close()
        self._loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 5))
        self._loop.run_until_complete(asyncio.sleep(0))

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._open |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer, writer, lossy=False),
            self._pipe(up_reader, writer, up_writer, lossy=True),
            return_exceptions=True,
        )
        for each in (writer, up_writer):
            each.close()
            self._open.discard(each)

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        other: asyncio.StreamWriter,
        lossy: bool,
    ) -> None:
        while chunk := await source.read(65536):
            if lossy and self.dropping.is_set():
                self._replies += 1
                if self._replies % self.every == 0:  # Redis did it; the caller never hears
                    self.dropped += 1
                    break
            sink.write(chunk)
            await sink.drain()
        sink.close()
        other.close()


@contextmanager
def lossy(port: int, every: int) -> Iterator[Lossy]:
    relay = Lossy(port, every)
    relay._thread.start()
    relay._ready.wait(10)
    try:
        yield relay
    finally:
        relay._loop.call_soon_threadsafe(relay._loop.stop)
        relay._thread.join(10)
        relay._loop.close()
