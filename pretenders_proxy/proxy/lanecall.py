"""The requests the proxy's fast lane may answer itself: a plain-HTTP absolute-form HTTP/1.1
request, kept alive, with at most a small Content-Length body, read into the same Request the
addons make of mitmproxy's flow (convert.request_from_flow); anything else is mitmproxy's."""

import re
from functools import lru_cache
from typing import NamedTuple

from mitmproxy.net.http import url

from pretenders_proxy.model.http import Request, quick_request
from pretenders_proxy.proxy.convert import _host_of
from pretenders_proxy.proxy.sessions import user_of

MAX_HEAD = 8190
"""Longer heads are mitmproxy's (HeadLimit answers past 64 KB)."""
MAX_HEADERS = 100
MAX_BODY = 64 << 10

END = b"\r\n\r\n"
_METHODS = frozenset((b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS"))
"""Not HEAD (no body sent), CONNECT (a tunnel), PRI (h2c) or anything unusual."""
_HANDED = frozenset(
    (b"transfer-encoding", b"upgrade", b"expect", b"http2-settings", b"te", b"trailer")
)
"""Request headers whose handling is mitmproxy's (framing, upgrades, 100-continue)."""
_KEEP = frozenset((b"connection", b"proxy-connection", b"keep-alive"))
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-zA-Z]+")  # mitmproxy's validate._valid_header_name
_LENGTH = re.compile(rb"0|[1-9][0-9]*")  # and its _valid_content_length
_TARGET = re.compile(rb"http://([A-Za-z0-9.\-]+(?::[0-9]{1,5})?)(/[!-~]*)")
"""An absolute-form target of plain names and a path of visible ASCII only."""
AUTHORIZATION = b"proxy-authorization"


class Call(NamedTuple):
    """A request the lane may take: as the decision sees it (Proxy-Authorization gone), the
    user its credentials name, its length in bytes, and the host and port its URL names."""

    request: Request
    user: str | None
    length: int
    host: str
    port: int


def read(data: bytes, start: int, head_end: int, body_cap: int) -> Call | None:
    """The request at data[start:] whose head ends at `head_end` (before its blank line), if
    the lane may take it, its body in `data` already; None hands it to mitmproxy."""
    head = data[start:head_end]
    if head.count(b"\n") != head.count(b"\r\n") or head.count(b"\r") != head.count(b"\n"):
        return None  # bare CR or LF: mitmproxy's parser reads those its own way
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[2] != b"HTTP/1.1" or parts[0] not in _METHODS:
        return None
    target = _TARGET.fullmatch(parts[1])
    if target is None or len(lines) > MAX_HEADERS + 1:
        return None
    where = _authority(target[1])
    found = _headers(lines)
    if where is None or found is None or found[1] > body_cap:
        return None
    headers, length, host, authorization = found
    body_start = head_end + 4
    if body_start + length > len(data):
        return None  # the body is still coming: mitmproxy reads it as it comes
    user = None
    if authorization is not None:
        if not authorization.isascii():
            return None
        user = user_of(authorization.decode())
    path, _, query = target[2].partition(b"?")
    request = quick_request(
        parts[0].decode(),
        path,
        query,
        headers,
        data[body_start : body_start + length],
        "http",
        _host_of(host),
        where[1],
        "HTTP/1.1",
    )
    return Call(request, user, body_start + length - start, where[0], where[1])


type Fields = tuple[tuple[bytes, bytes], ...]


def _headers(lines: list[bytes]) -> tuple[Fields, int, str, bytes | None] | None:
    """The headers as mitmproxy keeps them (Proxy-Authorization taken out, as SessionRouter
    does), the body's length, the Host and the credentials; None when mitmproxy must read them."""
    kept: list[tuple[bytes, bytes]] = []
    length, host, authorization = -1, None, None
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or _NAME.fullmatch(name) is None:
            return None  # also a folded line (one beginning with a space)
        value = value.strip()
        lower = name.lower()
        if lower == b"host":
            if host is not None or not value.isascii():
                return None
            host = value.decode()
        elif lower == b"content-length":
            if length >= 0 or _LENGTH.fullmatch(value) is None:
                return None
            length = int(value)
        elif lower == AUTHORIZATION:
            if authorization is not None:
                return None
            authorization = value
            continue
        elif lower in _HANDED or (lower in _KEEP and value.lower() != b"keep-alive"):
            return None
        kept.append((name, value))
    if host is None or not host:
        return None
    return tuple(kept), max(length, 0), host, authorization


@lru_cache(maxsize=256)
def _authority(authority: bytes) -> tuple[str, int] | None:
    """The host and port of an `http://` URL's authority, as mitmproxy reads them."""
    try:
        host, port = url.parse_authority(authority, check=True)
    except ValueError:
        return None
    return host, port or 80
