"""Streams as recorded: when each piece of a response body arrived, whether the stream was cut,
and WebSocket conversations. Plain frozen data; the body itself stays in `Response.body`."""

from dataclasses import dataclass
from enum import StrEnum

type Timing = tuple[tuple[float, int], ...]
"""(seconds from the start of the response, size in bytes) of each piece of a body as it
arrived; the sizes add up to the body's length. Empty: the body came whole (or was made here)."""


class Cut(StrEnum):
    """Why a recorded stream ends before the upstream ended it."""

    CLIENT = "the client went away"
    SHUTDOWN = "still open when pretenders stopped"
    SILENT = "silent longer than the proxy waits (--upstream-timeout, --idle-timeout)"
    SIZE = "over --max-body-size: the client got the rest, the recording did not"
    UPSTREAM = "the upstream broke off"


def pieces(body: bytes, timing: Timing) -> list[tuple[float, bytes]]:
    """The body in the pieces it arrived in, each with its offset; one piece at 0 when there is
    no timing. Bytes past what the timing names (none in a file we wrote) go in a last piece."""
    if not timing:
        return [(0.0, body)] if body else []
    found, start = [], 0
    for at, size in timing:
        found.append((at, body[start : start + size]))
        start += size
    if start < len(body):
        found.append((timing[-1][0], body[start:]))
    return found


def streams(method: str, status: int, timing: Timing) -> bool:
    """Whether a response is sent piece by piece: it has pieces, and a body to send them in
    (not to a HEAD, not a 1xx, 204 or 304)."""
    return bool(timing) and method != "HEAD" and status >= 200 and status not in (204, 304)


def paced(body: bytes, timing: Timing, speed: float) -> list[tuple[float, bytes]]:
    """The body's pieces, each with when to send it (seconds after the response's start): as
    recorded at `speed` 1, twice as soon at 2, all at once at 0."""
    found = pieces(body, timing)
    if speed <= 0:
        return [(0.0, data) for _, data in found]
    return [(at / speed, data) for at, data in found]


def timing_of(chunks: tuple[tuple[float, bytes], ...]) -> Timing:
    """The timing of pieces given as (seconds after the previous piece, data)."""
    at, found = 0.0, []
    for after, data in chunks:
        at += after
        found.append((at, len(data)))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class WsMessage:
    """One WebSocket message: who sent it, text or binary, and when (seconds from the 101)."""

    from_client: bool
    data: bytes
    text: bool = True
    at: float = 0.0


@dataclass(frozen=True, slots=True)
class Conversation:
    """What followed a WebSocket handshake: the messages both ways, and how it closed."""

    messages: tuple[WsMessage, ...] = ()
    close_code: int | None = None
    close_reason: str = ""
    closed_by_client: bool | None = None
    cut: str = ""
    """Why the recording ends before the socket closed (a `Cut` value), or empty."""
