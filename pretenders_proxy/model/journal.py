"""What a session saw: one entry per request, with where its answer came from."""

from dataclasses import replace
from enum import StrEnum
from typing import NamedTuple

from pretenders_proxy.model.http import Request, Response, header
from pretenders_proxy.model.stream import Conversation

REPLY_PREVIEW = 64 * 1024
"""Bytes of a response body a history entry keeps; its full size is kept beside them."""
REQUEST_PREVIEW = 64 * 1024
"""Bytes of a request body a history entry keeps (issue 15: twenty 16 MiB uploads held 330 MB);
its full size is kept beside them. Cassettes still record whole bodies."""
MESSAGES_KEPT = 1000
"""WebSocket messages a history entry keeps (the first ones); how many there were is kept too."""
MESSAGE_PREVIEW = 4096
"""Bytes of each WebSocket message a history entry keeps; its size is kept beside them."""
ENTRY_OVERHEAD = 512
"""About what an entry costs besides its bodies, headers and target (the objects holding them)."""


class Source(StrEnum):
    """Where the answer to a request came from."""

    PRESET = "preset"
    CASSETTE = "cassette"
    UPSTREAM = "upstream"
    MISS = "miss"
    ERROR = "error"
    """Nothing answered: the request was refused before it reached the decision (malformed, or
    broken off by the client), or the client's TLS handshake with pretenders failed."""


class TrafficProtocol(StrEnum):
    """What a history entry was: an HTTP request (a WebSocket upgrade is one), or a connection of
    another protocol, journaled as `CONNECT host:port` (it is never recorded)."""

    HTTP = "http"
    WEBSOCKET = "websocket"
    TCP = "tcp"
    """Raw TCP relayed as it is: after CONNECT, or through a `reverse:tcp://` listener."""
    TLS = "tls"
    """TLS pretenders does not decrypt (passed through, or the client refused its certificate)."""
    UDP = "udp"
    DNS = "dns"


class Note(NamedTuple):
    """How a request was answered, as history keeps it: who answered (`source`), the preset that
    served it, the near-miss explanation of a miss, or what broke the exchange off (`error`);
    `stale`: the recording that matched was older than the session's max-age (how old).

    The same whichever way the request came in (/mockhttp/ or the proxy): the decision that
    answers a request (store.answering) gives it.
    """

    source: Source
    preset_id: int | None = None
    miss: str | None = None
    error: str | None = None
    stale: str | None = None


class Heard(NamedTuple):
    """A WebSocket message as history keeps it: its first MESSAGE_PREVIEW bytes and its size."""

    from_client: bool
    text: bool
    at: float
    size: int
    preview: bytes


class Talk(NamedTuple):
    """A WebSocket conversation as history keeps it: its first MESSAGES_KEPT messages (`total`:
    how many there were), and how it closed (a `model.stream.Conversation`'s fields)."""

    messages: tuple[Heard, ...]
    total: int
    close_code: int | None = None
    close_reason: str = ""
    closed_by_client: bool | None = None
    cut: str = ""

    @property
    def size(self) -> int:
        """About the bytes it holds (what --history-max-bytes counts)."""
        return sum(64 + len(message.preview) for message in self.messages)


def talk_of(conversation: Conversation) -> Talk:
    """What history keeps of `conversation` (bounded by MESSAGES_KEPT and MESSAGE_PREVIEW)."""
    messages = conversation.messages
    kept = tuple(
        Heard(m.from_client, m.text, m.at, len(m.data), m.data[:MESSAGE_PREVIEW])
        for m in messages[:MESSAGES_KEPT]
    )
    return Talk(
        kept,
        len(messages),
        conversation.close_code,
        conversation.close_reason,
        conversation.closed_by_client,
        conversation.cut,
    )


class Entry(NamedTuple):
    """One request a session received and what it was answered with.

    `response` is None when no HTTP response went out (a fault preset, an upstream failure);
    `error` then says what happened. `miss` is the near-miss explanation of a miss.
    The response body is kept up to REPLY_PREVIEW bytes, as sent (still content-encoded);
    `response_size` is the size of the whole body. The request body likewise, up to
    REQUEST_PREVIEW bytes, with `request_size`. `protocol` says what the request was.

    A NamedTuple rather than a frozen dataclass: one is made for every request a mock answers,
    and a tuple is built in C, where a frozen dataclass sets each of its 11 fields through
    object.__setattr__ (four times slower, on the /mockhttp/ hot path).
    """

    id: int
    session: str
    time: float
    request: Request
    source: Source
    response: Response | None = None
    duration_ms: float = 0.0
    preset_id: int | None = None
    miss: str | None = None
    error: str | None = None
    response_size: int = 0
    protocol: TrafficProtocol = TrafficProtocol.HTTP
    request_size: int = 0
    websocket: Talk | None = None
    """The messages of the WebSocket that followed (journaled when it closed)."""
    stale: str | None = None
    """The recording that matched was older than the session's max-age: when it was recorded,
    how old it was (played anyway, refused, or recorded again, as `source` says)."""

    @property
    def truncated(self) -> bool:
        """Whether the response body was longer than what the entry kept of it."""
        return self.response is not None and self.response_size > len(self.response.body)

    @property
    def body_truncated(self) -> bool:
        """Whether the request body was longer than what the entry kept of it."""
        return self.request_size > len(self.request.body)

    @property
    def body_size(self) -> int:
        """The size of the whole request body, as received."""
        return max(self.request_size, len(self.request.body))

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None


class Shape(NamedTuple):
    """What entries of one request object answered by one preset's note and response share:
    all of an Entry but its id, time and duration, and its weight."""

    request: Request
    note: Note
    response: Response | None
    like: Entry
    weight: int

    def fits(self, request: Request, note: Note, response: Response | None) -> bool:
        return self.request is request and self.note is note and self.response is response

    def entry(self, entry_id: int, session: str, time: float, duration_ms: float) -> Entry:
        like = self.like
        return Entry(
            entry_id,
            session,
            time,
            like.request,
            like.source,
            like.response,
            duration_ms,
            like.preset_id,
            like.miss,
            like.error,
            like.response_size,
            like.protocol,
            like.request_size,
            None,
            like.stale,
        )


class Shapes:
    """Shape by request object (kept alive here): a fast lane hands every request of one head
    the same Request (api/heads.py), which a preset answers with the same note and response
    objects; an entry for it is then made without measuring anything. Only small requests are
    kept, at most _MEASURED_KEPT (then it starts afresh)."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[int, Shape] = {}

    def find(self, request: Request, note: Note, response: Response | None) -> Shape | None:
        """The shape of `request` answered with `note` and `response`, if kept."""
        shape = self._kept.get(id(request))
        return shape if shape is not None and shape.fits(request, note, response) else None

    def keep(
        self, request: Request, note: Note, response: Response | None, like: Entry, weight: int
    ) -> None:
        if measured(request)[1] > _MEASURED_MOST:
            return
        kept = self._kept
        if len(kept) >= _MEASURED_KEPT:
            kept.clear()
        kept[id(request)] = Shape(request, note, response, like, weight)


def protocol_of(request: Request) -> TrafficProtocol:
    """What an HTTP request asks for: a WebSocket (`Upgrade: websocket`), or plain HTTP."""
    upgrade = header(request.headers, "upgrade")
    if upgrade is not None and "websocket" in upgrade.lower():
        return TrafficProtocol.WEBSOCKET
    return TrafficProtocol.HTTP


_MEASURED: dict[int, tuple[Request, TrafficProtocol, int]] = {}
"""protocol_of and a request's share of its entry's weight, by object (kept alive here): the
fast lane hands every request of one head the same Request (api/heads.py). Only small ones
are kept (at most _MEASURED_KEPT of _MEASURED_MOST bytes): nothing big outlives history."""
_MEASURED_KEPT, _MEASURED_MOST = 1024, 2048


def measured(request: Request) -> tuple[TrafficProtocol, int]:
    """protocol_of(request), and what the request weighs in history besides ENTRY_OVERHEAD."""
    found = _MEASURED.get(id(request))
    if found is None or found[0] is not request:
        size = len(request.body) + len(request.path) + len(request.query)
        size += sum(len(name) + len(value) for name, value in request.headers)
        found = (request, protocol_of(request), size)
        if size <= _MEASURED_MOST:
            if len(_MEASURED) >= _MEASURED_KEPT:
                _MEASURED.clear()
            _MEASURED[id(request)] = found
    return found[1], found[2]


def kept(response: Response | None) -> tuple[Response | None, int]:
    """What history keeps of a response: its body cut at REPLY_PREVIEW, and the body's size.

    A body within the bound is kept as the same object (no copy); a longer one keeps only its
    first REPLY_PREVIEW bytes, so a session's memory stays bounded by --history-limit.
    """
    if response is None:
        return None, 0
    size = len(response.body)
    if size <= REPLY_PREVIEW:
        return response, size
    return replace(response, body=response.body[:REPLY_PREVIEW]), size


def kept_request(request: Request) -> tuple[Request, int]:
    """What history keeps of a request: its body cut at REQUEST_PREVIEW, and the body's size."""
    size = len(request.body)
    if size <= REQUEST_PREVIEW:
        return request, size
    return replace(request, body=request.body[:REQUEST_PREVIEW]), size


def weight(entry: Entry, *, shared_response: bool = False) -> int:
    """About how many bytes history holds for `entry` (what --history-max-bytes counts).

    `shared_response`: the response is a preset's, made once and shared by every request it
    served, so only its headers are counted here.
    """
    response = entry.response
    size = ENTRY_OVERHEAD + measured(entry.request)[1]
    size += len(entry.miss or "") + len(entry.error or "") + len(entry.stale or "")
    if entry.websocket is not None:
        size += entry.websocket.size
    if response is not None and not shared_response:
        size += len(response.body) + sum(len(n) + len(v) for n, v in response.headers)
    return size
