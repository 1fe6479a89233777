"""Gate: one listener's connection cap. Past it a new connection gets one refusal (an HTTP 503,
an SMTP 421) and is closed at once, while the connections already open keep being served."""

import asyncio
import logging
import time
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)
REFUSALS_SAID_EVERY = 10.0
"""Seconds between log lines about refused connections (an attack would flood the log)."""


@dataclass(eq=False)
class Gate:
    """Counts the open connections of the listener `name`; `admit()` before serving one,
    `leave()` once it is gone; `refusal` is what a connection past `cap` is told."""

    name: str
    cap: int
    refusal: bytes
    open: int = 0
    refused: int = 0
    _said: float = field(default=float("-inf"), repr=False)

    def admit(self) -> bool:
        """Count a new connection in, or refuse it (False) when `cap` are open."""
        if self.open < self.cap:
            self.open += 1
            return True
        self.refused += 1
        now = time.monotonic()
        if now - self._said >= REFUSALS_SAID_EVERY:
            self._said = now
            logger.warning(
                "%s: %d connections open (--max-connections); refusing new ones "
                "(%d refused so far)",
                self.name,
                self.open,
                self.refused,
            )
        return False

    def leave(self) -> None:
        self.open = max(0, self.open - 1)

    def refuse(self) -> asyncio.Protocol:
        """A protocol telling its connection `refusal`, then closing it."""
        return _Refusal(self.refusal)


class _Refusal(asyncio.Protocol):
    def __init__(self, refusal: bytes) -> None:
        self.refusal = refusal

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(self.refusal)
        transport.close()  # after the refusal is written; what the client sent is never read


def http_refusal(listener: str, cap: int) -> bytes:
    """A complete HTTP/1.1 503 saying which listener is full."""
    body = (
        f"pretenders: the {listener} has {cap} connections open (--max-connections); "
        "try again later\n"
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def smtp_refusal(cap: int) -> bytes:
    """An SMTP 421 greeting (RFC 5321 4.2.3: service not available, closing)."""
    return f"421 pretenders has {cap} connections open (--max-connections), closing\r\n".encode()
