"""HTTP requests and responses as plain frozen data: bytes stay bytes."""

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from pretenders_proxy.model.frozen import maker
from pretenders_proxy.model.stream import Timing

type Headers = tuple[tuple[bytes, bytes], ...]
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as it arrived: raw path and query, headers in wire order."""

    method: str
    path: bytes
    query: bytes = b""
    headers: Headers = ()
    body: bytes = b""
    scheme: str = "http"
    host: str = ""
    port: int = 0
    http_version: str = "HTTP/1.1"

    @property
    def target(self) -> bytes:
        """The raw request target, path plus `?query` when there is one."""
        return self.path + b"?" + self.query if self.query else self.path

    @property
    def url(self) -> str:
        """The absolute URL, with the port only when it is not the scheme's default (any port
        of a scheme that is not HTTP's, such as `tcp://host:22` for a journaled connection)."""
        default = DEFAULT_PORTS.get(self.scheme)
        netloc = self.host if self.port in (0, default) else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.target.decode('latin-1')}"


quick_request = maker(Request)
"""Request(*all nine fields) for values of the right types already (a cassette's index, a
mock's request from aiohttp): the same Request, made faster (model/frozen.py)."""


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP response; the body is kept as received (still content-encoded), with the
    timing of its pieces when it was streamed, and why it was cut when it was."""

    status: int
    headers: Headers = ()
    body: bytes = b""
    reason: str = ""
    http_version: str = "HTTP/1.1"
    trailers: Headers | None = field(default=None)
    chunks: Timing = ()
    cut: str = ""
    """Why the body ends early (a `stream.Cut` value), or empty when it is whole."""


def header(headers: Headers, name: str) -> str | None:
    """The first value of header `name` (case-insensitive) as text, or None."""
    wanted = name.lower().encode("latin-1")
    for key, value in headers:
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


def split_host(value: str) -> tuple[str, int]:
    """A Host header as (host, port); port 0 when it names none. "[::1]:80" -> ("[::1]", 80)."""
    host, separator, port = value.rpartition(":")
    if (
        separator
        and (port.isascii() and port.isdigit())
        and (":" not in host or host.endswith("]"))
    ):
        return host, int(port)
    return value, 0


def query_pairs(query: bytes) -> list[tuple[bytes, bytes]]:
    """(name, raw value) of each `name=value` of a raw query; names percent-decoded, in order."""
    pairs = []
    for part in query.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((unquote_to_bytes(name.replace(b"+", b" ")), value))
    return pairs
