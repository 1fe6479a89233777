"""What the format converters share: loss notes, lossless text for bytes, bodies in JSON."""

import base64
import binascii
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.subject import decode_content
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Headers, header
from pretenders_proxy.model.stream import Timing

type Json = dict[str, Any]


class Losses:
    """What a conversion could not carry over, with how many exchanges lost it."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def note(self, what: str) -> None:
        self.counts[what] += 1

    def lines(self) -> list[str]:
        """One line per kind of loss, e.g. "dropped: trailers (2 exchanges)"."""
        return [
            f"dropped: {what} ({count} exchange{'s' if count != 1 else ''})"
            for what, count in sorted(self.counts.items())
        ]


def text(raw: bytes) -> str:
    """Bytes as text that `raw_of` turns back into the same bytes (invalid UTF-8 escaped)."""
    return raw.decode("utf-8", "surrogateescape")


def raw_of(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def is_text(body: bytes) -> bool:
    """Whether a body reads as text: valid UTF-8 without control characters but tab and newlines."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r" for c in decoded)


def body_json(body: bytes) -> str | Json:
    """A body for a JSON document: text as text, anything else as {"base64": ...}."""
    return body.decode() if is_text(body) else {"base64": base64.b64encode(body).decode()}


def body_of(value: object, where: str) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, Mapping) and isinstance(value.get("base64"), str):
        return b64(value["base64"], where)
    raise CassetteError(f"{where} is neither text nor {{'base64': ...}}")


def b64(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CassetteError(f"{where} is not valid base64") from None


def header_lists(headers: Headers) -> dict[str, list[str]]:
    """Headers grouped by name, as VCR.py, Hoverfly and WireMock keep them (order across names
    is lost when a name repeats apart)."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return grouped


def is_interleaved(headers: Headers) -> bool:
    """Whether grouping by name would change the order (a name repeats with others between)."""
    names = [name.lower() for name, _ in headers]
    seen: set[bytes] = set()
    for previous, name in zip([None, *names], names, strict=False):
        if name != previous and name in seen:
            return True
        seen.add(name)
    return False


def note_grouped(exchange: Exchange, losses: Losses, tool: str, *grouped: Headers) -> None:
    """What formats that group headers by name and keep no recording notes or trailers lose
    (VCR.py, Hoverfly, WireMock): order across names of `grouped`, notes, trailers, streams."""
    if any(is_interleaved(headers) for headers in grouped):
        losses.note(f"header order across names ({tool} groups headers by name)")
    meta = exchange.meta
    if meta.recorded_at or meta.duration_ms or meta.redacted:
        losses.note("recording time, duration and redaction notes")
    if exchange.response.trailers:
        losses.note("response trailers")
    if exchange.response.chunks and tool != "WireMock":  # WireMock: wiremock.dribble
        losses.note(f"chunk timing of streamed responses ({tool} keeps a body whole)")
    if exchange.response.cut:
        losses.note("why a stream was cut")
    if exchange.websocket is not None:
        losses.note(f"WebSocket conversations ({tool} has no place for them)")


def headers_of(grouped: object, where: str) -> Headers:
    """{name: value or [values]} back to header pairs."""
    if grouped is None:
        return ()
    if not isinstance(grouped, Mapping):
        raise CassetteError(f"{where} is not a map of header names to values")
    pairs = []
    for name, values in grouped.items():
        for value in values if isinstance(values, list) else [values]:
            # text only: str() of a nested list (or of an alias bomb) could be gigabytes
            if not isinstance(name, str) or not isinstance(value, str):
                wrong = value if isinstance(name, str) else name
                kind = type(wrong).__name__
                article = "an" if kind[0] in "aeiou" else "a"
                raise CassetteError(f"{where}[{name!r}] is {article} {kind}, not text")
            pairs.append((_wire(name), _wire(value)))
    return tuple(pairs)


def _wire(text: str) -> bytes:
    """Header text as bytes: latin-1, as HTTP reads them; text beyond it (a tool that decoded
    UTF-8) as UTF-8, rather than a traceback."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def split_url(url: str, where: str) -> tuple[str, str, int, bytes, bytes]:
    """(scheme, host, port, path, query) of an absolute URL; the port filled in by scheme."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CassetteError(f"{where}: {url!r} is not an absolute http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise CassetteError(f"{where}: {url!r} has an invalid port") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return parts.scheme, host, port, (parts.path or "/").encode(), parts.query.encode()


def timestamp(recorded_at: str) -> float:
    """An ISO-8601 time as a POSIX timestamp (0 when empty or unreadable)."""
    try:
        return datetime.fromisoformat(recorded_at).timestamp() if recorded_at else 0.0
    except ValueError:
        return 0.0


def get(document: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    """A field of a JSON document, checked, with an error that says where it should be."""
    value = document.get(name) if isinstance(document, Mapping) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CassetteError(f"{where}.{name} is missing or not a {kind.__name__}")
    return value


def decoded_headers(headers: Headers, size: int) -> Headers:
    """Headers for a body stored decoded: no Content-Encoding, Content-Length its size."""
    kept = []
    for name, value in headers:
        if name.lower() == b"content-length":
            kept.append((name, str(size).encode()))
        elif name.lower() != b"content-encoding":
            kept.append((name, value))
    return tuple(kept)


def is_stored_decoded(headers: Headers, body: bytes) -> bool:
    """Whether a body said to be gzip or deflate encoded is not (a tool saved it decoded); for
    br and zstd, which replay does not undo, whether the body reads as text (their streams
    never do)."""
    encoding = (header(headers, "content-encoding") or "").strip().lower()
    if encoding in ("br", "zstd") and body:
        return is_text(body)
    if encoding not in ("gzip", "x-gzip", "deflate") or not body:
        return False
    return decode_content(body, encoding) is body


def timing_of(chunks: object, body: bytes, where: str, losses: Losses) -> Timing:
    """Chunk timing kept beside a body ([[offset, size], ...]); timing that does not add up to
    the body (a body changed by hand, or decoded) is dropped and said."""
    if not chunks:
        return ()
    if not isinstance(chunks, list) or not all(
        isinstance(c, list | tuple)
        and len(c) == 2
        and isinstance(c[0], int | float)
        and not isinstance(c[0], bool)
        and type(c[1]) is int
        and c[1] >= 0
        for c in chunks
    ):
        raise CassetteError(f"{where} is not a list of [offset, size] pairs")
    if sum(size for _, size in chunks) != len(body):
        losses.note("chunk timing that does not add up to the body")
        return ()
    return tuple((float(at), size) for at, size in chunks)


type Attached = Callable[[str, str], bytes | None]
"""Reads a file a recording names beside itself: (name, where it is named) -> its bytes, None
when it is missing; CassetteError when the name leads out of the recording's folder (the file
side makes one: convert.attached_in)."""
