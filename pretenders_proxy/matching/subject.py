"""A request seen by the matchers: each decoded form (line, text, form, JSON) computed once."""

import json
import zlib
from email.message import EmailMessage
from email.policy import HTTP
from urllib.parse import parse_qsl, unquote

from pretenders_proxy.matching.budget import SECONDS, Budget
from pretenders_proxy.model.http import Headers, Request, header
from pretenders_proxy.model.mime import parse_bytes

INVALID = object()
"""What `Subject.json` is when the body is not JSON."""
_UNSET = object()


def decode_content(body: bytes, encoding: str | None, limit: int = 0) -> bytes:
    """Undo a gzip or deflate Content-Encoding; anything else, or a damaged stream, is returned
    as it is. `limit` > 0 stops after that many decoded bytes (a view needs no more, and a small
    compressed body can expand a thousandfold)."""
    if not body or not encoding:
        return body
    coding = encoding.strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return _inflate(body, 16 + zlib.MAX_WBITS, limit)
        if coding == "deflate":
            try:
                return _inflate(body, zlib.MAX_WBITS, limit)
            except zlib.error:
                return _inflate(body, -zlib.MAX_WBITS, limit)
    except zlib.error:
        return body
    return body


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    decoded = inflater.decompress(body, limit)
    if not inflater.eof and not (limit and len(decoded) >= limit):
        raise zlib.error("the compressed stream is incomplete")
    return decoded


def decoded_body(body: bytes, headers: Headers, limit: int = 0) -> bytes:
    """A body with the gzip or deflate Content-Encoding its headers name undone, to be read."""
    return decode_content(body, header(headers, "content-encoding"), limit)


def charset_of(content_type: str | None) -> str:
    """The charset parameter of a Content-Type, utf-8 when absent."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def parse_form(body: str, content_type: str | None) -> dict[str, str]:
    """Form fields from multipart/form-data (with a boundary) or, whatever else, urlencoded."""
    if content_type and content_type.lower().startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        # to a bounded depth: a body of parts nested thousands deep is no RecursionError
        message, _ = parse_bytes(head + body.encode(), HTTP)
        if isinstance(message, EmailMessage) and message.is_multipart():
            fields: dict[str, str] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if isinstance(name, str):
                    payload = part.get_payload(decode=True)
                    raw = payload if isinstance(payload, bytes) else b""
                    fields[name] = raw.decode(part.get_content_charset() or "utf-8", "replace")
            return fields
    return dict(parse_qsl(body, keep_blank_values=True))


def rule_target(request: Request) -> str:
    """ "/path?query" as 1.4 rules and history show it: path percent-decoded, query raw."""
    path = unquote(request.path.decode("latin-1"))
    return f"{path}?{request.query.decode('latin-1')}" if request.query else path


class Subject:
    """Lazy views of one request; the engine builds one per lookup and every matcher shares it,
    with the budget its regexes share (`budget`, else one of `seconds` made when first needed)."""

    __slots__ = ("_budget", "_form", "_headers", "_json", "_seconds", "_text", "line", "request")

    def __init__(
        self, request: Request, budget: Budget | None = None, seconds: float = SECONDS
    ) -> None:
        self.request = request
        self._budget = budget
        self._seconds = seconds
        self.line = f"{request.method} {rule_target(request)}"
        """"METHOD /path?query", what a rule regex is matched against."""
        self._headers: dict[str, str] | None = None
        self._text: str | None = None
        self._form: dict[str, str] | None = None
        self._json: object = _UNSET

    @property
    def budget(self) -> Budget:
        """The time budget of this lookup's regexes (plain-text rules never need one)."""
        if self._budget is None:
            self._budget = Budget(self._seconds)
        return self._budget

    @property
    def timed_out(self) -> bool:
        """Whether a regex ran out of time on this request."""
        return self._budget is not None and bool(self._budget.ran_out)

    @property
    def headers(self) -> dict[str, str]:
        """Headers by lower-case name; repeated headers joined with ", "."""
        if self._headers is None:
            joined: dict[str, str] = {}
            for key, value in self.request.headers:
                name, text = key.decode("latin-1").lower(), value.decode("latin-1")
                joined[name] = f"{joined[name]}, {text}" if name in joined else text
            self._headers = joined
        return self._headers

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        """The body with its Content-Encoding undone, decoded with its charset."""
        if self._text is None:
            raw = decode_content(self.request.body, self.header("content-encoding"))
            charset = charset_of(self.header("content-type"))
            try:
                self._text = raw.decode(charset, "replace")
            except LookupError:
                self._text = raw.decode("utf-8", "replace")
        return self._text

    @property
    def form(self) -> dict[str, str]:
        if self._form is None:
            self._form = parse_form(self.text, self.header("content-type"))
        return self._form

    @property
    def json(self) -> object:
        """The body parsed as JSON, or INVALID."""
        if self._json is _UNSET:
            try:
                self._json = json.loads(self.text) if self.text.strip() else INVALID
            except ValueError:
                self._json = INVALID
        return self._json
