"""Reading a cassette as a person does: one line per exchange, one exchange in full, statistics
and exchange-by-exchange differences. Pure functions over exchanges; the CLI prints them."""

import contextlib
import difflib
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

from pretenders_proxy.cassette import streamview
from pretenders_proxy.matching.subject import charset_of, decoded_body
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Headers, Request, Response, header
from pretenders_proxy.store.staleness import recorded_time, show_age

MAX_SHOWN = 64 * 1024
"""Bodies up to this size are shown (and diffed) as text; longer ones are cut."""
HEX_LINE = 16


def line(index: int, exchange: Exchange) -> str:
    """index, method, URL, status, content type, sizes, redactions and streams of one exchange."""
    request, response = exchange.request, exchange.response
    kind = (header(response.headers, "content-type") or "-").split(";")[0]
    shown = f"{index:>5}  {request.method:<7} {request.url}  {response.status}  {kind}"
    shown += f"  {len(request.body)} B -> {len(response.body)} B"
    if exchange.meta.redacted:
        shown += f"  redacted: {', '.join(exchange.meta.redacted)}"
    if streamed := streamview.summary(exchange):
        shown += f"  {streamed}"
    return shown


def full(index: int, exchange: Exchange) -> str:
    """One exchange with its headers and readable bodies, its chunks and WebSocket messages."""
    request, response, meta = exchange.request, exchange.response, exchange.meta
    parts = [
        f"# exchange {index}, recorded {meta.recorded_at or '?'} in {meta.duration_ms:g} ms",
        f"{request.method} {request.url} {request.http_version}",
        *_headers(request.headers),
        "",
        *readable(request.body, request.headers),
        "",
        f"{response.http_version} {response.status} {response.reason}".rstrip(),
        *_headers(response.headers),
        "",
        *readable(response.body, response.headers),
        *streamview.details(exchange),
    ]
    if meta.redacted:
        parts += ["", f"redacted: {', '.join(meta.redacted)}"]
    return "\n".join(parts).rstrip() + "\n"


def _headers(headers: Headers) -> list[str]:
    return [f"{name.decode('latin-1')}: {value.decode('latin-1')}" for name, value in headers]


def readable(body: bytes, headers: Headers) -> list[str]:
    """A body decoded (Content-Encoding, charset), JSON pretty-printed, binary as a hexdump."""
    if not body:
        return []
    decoded = decoded_body(body, headers)
    note = [f"({len(body)} bytes as recorded, {len(decoded)} decoded)"] if decoded != body else []
    cut = decoded[:MAX_SHOWN]
    more = [f"... ({len(decoded) - MAX_SHOWN} more bytes)"] if len(decoded) > MAX_SHOWN else []
    text = _text(cut, header(headers, "content-type"))
    if text is None:
        return note + hexdump(cut) + more
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False) if not more else text
    return note + text.splitlines() + more


def _text(body: bytes, content_type: str | None) -> str | None:
    try:
        text = body.decode(charset_of(content_type))
    except (UnicodeDecodeError, LookupError):
        return None
    printable = sum(c.isprintable() or c in "\t\r\n" for c in text)
    return text if printable >= 0.95 * len(text) else None


def hexdump(data: bytes) -> list[str]:
    lines = []
    for start in range(0, len(data), HEX_LINE):
        chunk = data[start : start + HEX_LINE]
        shown = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {chunk.hex(' '):<47}  {shown}")
    return lines


def request_key(request: Request) -> bytes:
    """What makes two requests the same for `stats`' duplicates: method, URL and body."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (request.method.encode(), request.url.encode(), request.body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


@dataclass
class Stats:
    """Counts of a cassette, kept while its exchanges stream past (no body is held)."""

    exchanges: int = 0
    hosts: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    request_bytes: int = 0
    response_bytes: int = 0
    duplicates: int = 0
    streams: streamview.StreamStats = field(default_factory=streamview.StreamStats)
    ages: "Ages" = field(default_factory=lambda: Ages())
    _seen: set[bytes] = field(default_factory=set)

    def add(self, exchange: Exchange) -> None:
        request, response = exchange.request, exchange.response
        self.exchanges += 1
        self.hosts[request.host] += 1
        self.methods[request.method] += 1
        self.statuses[response.status] += 1
        self.request_bytes += len(request.body)
        self.response_bytes += len(response.body)
        self.streams.add(exchange)
        self.ages.add(exchange.meta.recorded_at)
        key = request_key(request)
        if key in self._seen:
            self.duplicates += 1
        self._seen.add(key)

    def lines(self) -> list[str]:
        def counts(title: str, counter: Counter[str] | Counter[int]) -> list[str]:
            return [f"{title}:"] + [f"  {n:>8}  {k}" for k, n in counter.most_common()]

        return [
            f"exchanges: {self.exchanges}",
            f"request bodies: {self.request_bytes} B, response bodies: {self.response_bytes} B",
            f"duplicates (same method, URL and body as an earlier one): {self.duplicates}",
            *self.streams.lines(),
            self.ages.line(),
            *counts("hosts", self.hosts),
            *counts("methods", self.methods),
            *counts("statuses", self.statuses),
        ]


@dataclass
class Ages:
    """The oldest and newest `recorded_at` of a cassette, and how many exchanges have none (or
    none that reads as a time): what --max-age would find stale."""

    oldest: tuple[float, str] | None = None
    newest: tuple[float, str] | None = None
    unknown: int = 0

    def add(self, recorded_at: str) -> None:
        when = recorded_time(recorded_at)
        if when is None:
            self.unknown += 1
            return
        if self.oldest is None or when < self.oldest[0]:
            self.oldest = (when, recorded_at)
        if self.newest is None or when > self.newest[0]:
            self.newest = (when, recorded_at)

    def line(self, now: float | None = None) -> str:
        unknown = f"{self.unknown} without recorded_at (never stale)"
        if self.oldest is None or self.newest is None:
            return f"recorded: {unknown}"
        now = time.time() if now is None else now
        oldest, newest = self.oldest, self.newest
        return (
            f"recorded: oldest {oldest[1]} ({show_age(now - oldest[0])} ago), newest "
            f"{newest[1]} ({show_age(now - newest[0])} ago); {unknown}"
        )


def diff(
    left: Iterable[Exchange], right: Iterable[Exchange], *, timing: bool = True
) -> Iterator[str]:
    """Lines saying how two cassettes differ, exchange by exchange (recording times ignored;
    the offsets of chunks and WebSocket messages too when `timing` is False)."""
    for index, (a, b) in enumerate(zip_longest(left, right)):
        if a is None or b is None:
            side, there = ("B", b) if a is None else ("A", a)
            yield f"#{index} only in {side}: {there.request.method} {there.request.url}"
            continue
        changes = [*_changes(a, b), *streamview.changes(a, b, timing=timing)]
        if changes:
            yield f"#{index} {a.request.method} {a.request.url}"
            yield from (f"  {change}" for change in changes)


def _changes(a: Exchange, b: Exchange) -> Iterator[str]:
    for what, x, y in [
        ("request", f"{a.request.method} {a.request.url}", f"{b.request.method} {b.request.url}"),
        ("request version", a.request.http_version, b.request.http_version),
        (
            "status",
            f"{a.response.status} {a.response.reason}",
            f"{b.response.status} {b.response.reason}",
        ),
        ("response version", a.response.http_version, b.response.http_version),
        ("redacted", ", ".join(a.meta.redacted) or "-", ", ".join(b.meta.redacted) or "-"),
    ]:
        if x != y:
            yield f"{what}: {x} -> {y}"
    yield from _header_changes("request header", a.request.headers, b.request.headers)
    yield from _body_changes("request", a.request, b.request)
    yield from _header_changes("response header", a.response.headers, b.response.headers)
    yield from _body_changes("response", a.response, b.response)
    trailers = a.response.trailers or (), b.response.trailers or ()
    yield from _header_changes("response trailer", *trailers)


def _header_changes(where: str, a: Headers, b: Headers) -> Iterator[str]:
    if a == b:
        return
    old, new = _headers(a), _headers(b)
    for change in difflib.ndiff(old, new):
        if change[:1] in "+-":
            yield f"{where} {change[:1]} {change[2:]}"


def _body_changes(where: str, a: Request | Response, b: Request | Response) -> Iterator[str]:
    """The bodies' difference, each read with its own headers (encoding, charset)."""
    if a.body == b.body:
        return
    old, new = readable(a.body, a.headers), readable(b.body, b.headers)
    yield f"{where} body: {len(a.body)} B -> {len(b.body)} B"
    shown = list(difflib.unified_diff(old, new, "A", "B", lineterm="", n=1))[2:42]
    yield from (f"  {change}" for change in shown)
