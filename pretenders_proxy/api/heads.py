"""What a bodiless request head the fast lane may take is, parsed once per distinct head: a
load test sends the same few heads again and again, and their parse is a pure function of the
bytes and of static settings (the Host gate, the body cap)."""

from aiohttp.http_parser import SINGLETON_HEADERS

from pretenders_proxy.model.http import Request

type Call = tuple[str, str, Request, int]
"""A request the fast lane may take: its method, mock name, the request and its length."""

MAX_HEADERS = 100
_BARRED = frozenset((b"transfer-encoding", b"upgrade", b"expect"))
_SINGLE = frozenset(name.lower().encode() for name in SINGLETON_HEADERS)
"""Headers aiohttp refuses twice in a request (400): such requests go its way."""

MAX_KEPT = 256
"""Heads kept at once; past that the cache starts afresh (simple, and a load test's few
heads are back in it after one request each)."""
MAX_HEAD = 1024
"""Longer heads are parsed every time (they are rare, and would fill memory)."""


class Heads[T]:
    """Head bytes (request line to blank line, of a request with no body) -> what a lane
    parsed them to; the Request in it is then one object for all those requests, which lets a
    session's presets remember their answer to it (store/memo.py) and a shared store pack it
    once (shared/codec.py). The /mockhttp/ lane keeps one, the proxy lane another."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[bytes, T] = {}

    def get(self, head: bytes) -> T | None:
        return self._kept.get(head)

    def keep(self, head: bytes, call: T, length: int) -> bool:
        """Keep what `head` parsed to, if it is a whole bodiless request (`length` bytes in
        all); whether it was."""
        if len(head) > MAX_HEAD or length != len(head):
            return False
        kept = self._kept
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[head] = call
        return True


def framing(headers: list[tuple[bytes, bytes]]) -> tuple[str, int] | None:
    """The Host and body length of a request the fast lane may take: one Host, no other framing
    than one Content-Length, nothing aiohttp would refuse or treat specially."""
    host: str | None = None
    length = -1
    seen: set[bytes] = set()
    if len(headers) > MAX_HEADERS:
        return None
    for name, value in headers:
        lower = name.lower()
        if lower == b"host":
            if host is not None or not value or not value.isascii():
                return None
            host = value.decode()
        elif lower == b"content-length":
            if length >= 0 or not value.isdigit():
                return None
            length = int(value)
        elif lower in _BARRED or b"\x00" in value:
            return None
        elif lower in _SINGLE:
            if lower in seen:
                return None
            seen.add(lower)
    return None if host is None else (host, max(length, 0))
