"""A preset's reply as the bytes aiohttp would write for it, built once per preset and sent with
one write; Date is filled in once a second. Anything unusual keeps aiohttp's own response."""

from collections.abc import Callable, Mapping

from aiohttp import HttpVersion11, hdrs, web
from aiohttp.helpers import rfc822_formatted_time
from aiohttp.http import SERVER_SOFTWARE
from aiohttp.http_writer import _serialize_headers
from multidict import CIMultiDict

from pretenders_proxy.model.http import Headers, Response

_UNUSUAL = frozenset(
    n.lower() for n in (hdrs.CONTENT_LENGTH, hdrs.TRANSFER_ENCODING, hdrs.CONNECTION, hdrs.DATE)
)
"""Preset headers aiohttp acts on (framing, keep-alive, its own Date): those replies go its way."""

_BODILESS = frozenset((hdrs.METH_HEAD, hdrs.METH_CONNECT))

_LIMIT = 4096
_BUDGET = 64 << 20
"""Replies kept at once, and their bytes (a body counted three times: the preset's, and the
canned head's tail and wire bytes);
the cache starts afresh past either (presets are few, and each reply is reused)."""

_MAX_BODY = 1 << 20
"""Bigger bodies are not canned: their write dominates, and copies would triple their memory."""


class Canned:
    """One preset reply's wire bytes for an HTTP/1.1 keep-alive request other than HEAD: the
    head up to Date, the rest of the head and the body; `wire()` joins them, once a second."""

    __slots__ = ("_date", "_head", "_tail", "_wire")

    def __init__(self, head: bytes, tail: bytes) -> None:
        self._head, self._tail = head, tail
        self._date = ""
        self._wire = b""

    def wire(self) -> bytes:
        date = rfc822_formatted_time()  # aiohttp's: the same str object all second long
        if date is not self._date:
            self._wire = self._head + date.encode() + self._tail
            self._date = date
        return self._wire


class Sent:
    """What the handler returns to aiohttp for a canned reply: written whole at `prepare`, the
    connection kept alive (only keep-alive requests are canned)."""

    __slots__ = ("_wire",)
    keep_alive = True

    def __init__(self, wire: bytes) -> None:
        self._wire = wire

    async def prepare(self, request: web.BaseRequest) -> None:
        # aiohttp's writer: its transport checks and its drain when the client reads slowly.
        await request.writer.write(self._wire)

    async def write_eof(self) -> None:
        """Nothing left: the body went with the head."""


def can(response: Response, headers: Mapping[str, str]) -> Canned | None:
    """`response` (with `headers`, as aiohttp takes them) canned, or None when aiohttp's own
    response must answer it: no body allowed by its status, framing or Date set by the preset,
    or headers aiohttp refuses to write."""
    status = response.status
    if status < 200 or status in (204, 304) or not _plain(headers):
        return None
    reason = web.StreamResponse(status=status).reason
    body = response.body
    # The order aiohttp writes them in: the preset's, then what it adds (web_response.py).
    lines = [*headers.items(), (hdrs.CONTENT_LENGTH, str(len(body)))]
    if body and hdrs.CONTENT_TYPE not in headers:
        lines.append((hdrs.CONTENT_TYPE, "application/octet-stream"))
    try:
        head = _serialize_headers(f"HTTP/1.1 {status} {reason}", CIMultiDict(lines))
    except ValueError:  # a CR or LF in a header: aiohttp's error, raised on its path
        return None
    server = b"" if hdrs.SERVER in headers else f"Server: {SERVER_SOFTWARE}\r\n".encode()
    return Canned(head[:-2] + b"Date: ", b"\r\n" + server + b"\r\n" + body)


def _plain(headers: Mapping[str, str]) -> bool:
    return not any(name.lower() in _UNUSUAL for name in headers)


class Cache:
    """Canned replies by the preset response they came from (replies are made once per
    preset, so the same object comes back for every request it answers)."""

    def __init__(self, headers: Callable[[Headers], Mapping[str, str]]) -> None:
        self._headers = headers  # a preset's headers as aiohttp takes them
        self._kept: dict[int, tuple[Response, Canned | None]] = {}
        self._bytes = 0

    def get(self, response: Response) -> Canned | None:
        found = self._kept.get(id(response))
        if found is not None and found[0] is response:
            return found[1]
        if len(response.body) > _MAX_BODY:
            return None
        size = 3 * len(response.body) + 1024
        if len(self._kept) >= _LIMIT or self._bytes + size > _BUDGET:
            self._kept.clear()
            self._bytes = 0
        canned = can(response, self._headers(response.headers))
        self._kept[id(response)] = (response, canned)
        self._bytes += size
        return canned


def cannable(request: web.BaseRequest) -> bool:
    """A request a canned reply may answer: HTTP/1.1, kept alive, neither HEAD nor CONNECT
    (aiohttp sends no body to those)."""
    return (
        request.version == HttpVersion11 and request.method not in _BODILESS and request.keep_alive
    )
