"""A redis-server for the store benchmarks: a free loopback port, a temporary folder, pinned
to a core, append-only persistence (`--appendfsync everysec`, Redis' default with AOF on)."""

import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import LOAD_CORE, Service, free_port, pinned, service


@dataclass
class Redis:
    """A running redis-server and its URL."""

    service: Service
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self, *words: str) -> bytes:
        """One inline command over a raw socket and its whole reply (no client needed)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
            connection.sendall(" ".join(words).encode() + b"\r\n")
            reply = connection.recv(65536)
            if reply.startswith(b"$"):  # a bulk string: read until its announced length is in
                size = int(reply[1 : reply.index(b"\r\n")])
                while size >= 0 and len(reply) < reply.index(b"\r\n") + 2 + size + 2:
                    reply += connection.recv(65536)
            return reply

    def info(self, section: str) -> dict[str, str]:
        text = self.command("INFO", section).decode()
        pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
        return {key: value for key, value in pairs}


@contextmanager
def redis_server(core: str = LOAD_CORE, fsync: str = "everysec") -> Iterator[Redis]:
    """redis-server on `core` until the block ends (stopped with its process group)."""
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as where:
        port = free_port()
        line = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", where]
        line += ["--appendonly", "yes", "--appendfsync", fsync, "--save", ""]
        with service("redis-server", pinned(core, line), port) as running:
            found = Redis(running, port, Path(where))
            deadline = time.monotonic() + 10
            while not found.command("PING").startswith(b"+PONG"):  # loading its AOF
                if time.monotonic() > deadline:
                    raise TimeoutError("redis-server did not answer PING")
                time.sleep(0.05)
            yield found
