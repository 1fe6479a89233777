"""Reading a captured message: decoded headers, text and HTML bodies, attachments, links, codes.

Pure functions over the raw bytes (stdlib `email`); a malformed message never raises, what
cannot be decoded is shown as well as it can be.
"""

import email
import email.errors
import email.header
import email.message
import email.parser
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass

from pretenders_proxy.model import codes, links
from pretenders_proxy.model.mail import Headline
from pretenders_proxy.model.mime import MAX_DEPTH, Part, parse_bytes

CUT_NOTE = (
    f"MIME parts nest deeper than {MAX_DEPTH} levels: what lies below that is kept unparsed, "
    "as attachments"
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A part that is not the text or HTML body: a file, an inline image, a forwarded mail."""

    filename: str | None
    content_type: str
    disposition: str | None
    content_id: str | None
    payload: bytes

    @property
    def size(self) -> int:
        return len(self.payload)


@dataclass(frozen=True, slots=True)
class Message:
    """A message as a reader sees it; header values are decoded (RFC 2047) and unfolded."""

    headers: tuple[tuple[str, str], ...]
    text: str | None
    html: str | None
    attachments: tuple[Attachment, ...]
    note: str | None = None
    """What could not be read as the rest was (parts nested too deep)."""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def subject(self) -> str:
        return self.header("Subject") or ""

    @property
    def links(self) -> tuple[str, ...]:
        return links.find(self.text, self.html)

    @property
    def codes(self) -> tuple[str, ...]:
        """The one-time codes of the subject, text and HTML (see model/codes.py)."""
        return codes.find(self.subject, self.text, self.html)


def decode_words(raw: str) -> str:
    """A header value unfolded, with its RFC 2047 encoded words decoded where possible."""
    # Raw UTF-8 in headers (SMTPUTF8) arrives as surrogate escapes: give back the characters.
    text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    unfolded = text.replace("\r\n", "").replace("\n", "").strip()
    try:
        return str(email.header.make_header(email.header.decode_header(unfolded)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return unfolded


def _headers(message: email.message.Message) -> tuple[tuple[str, str], ...]:
    # raw_items: the values as parsed, before compat32 turns raw 8-bit text into "unknown-8bit".
    return tuple((name, decode_words(str(value))) for name, value in message.raw_items())


def headline(content: bytes) -> Headline:
    """Subject, From and To/Cc of a raw message, decoded; only the header block is parsed."""
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(content)
    value = dict((name.lower(), value) for name, value in reversed(_headers(parsed)))
    recipients = ", ".join(v for v in (value.get("to"), value.get("cc")) if v)
    return Headline(value.get("subject", ""), value.get("from", ""), recipients)


def _leaves(part: Part) -> Iterator[Part]:
    """The parts that carry content; a forwarded message (message/rfc822) stays one part."""
    if part.get_content_type() != "message/rfc822" and part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Part):
                yield from _leaves(child)
    else:
        yield part


def _payload(part: Part) -> bytes:
    if part.get_content_type() == "message/rfc822" and part.is_multipart():
        inner = part.get_payload(0)
        return inner.as_bytes() if isinstance(inner, email.message.Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _text(payload: bytes, charset: str | None) -> str:
    """A body part as text with LF line ends (the raw message keeps SMTP's CRLF)."""
    try:
        text = payload.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")


def _filename(part: Part) -> str | None:
    try:
        name = part.get_filename()
    except (LookupError, UnicodeError, ValueError):
        return None
    return decode_words(name) if name else None


def parse(content: bytes) -> Message:
    """The readable parts of a raw message: the first text and HTML bodies, the rest attached
    (a part nested deeper than MAX_DEPTH levels is attached whole, unparsed, with a note)."""
    message, cut = parse_bytes(content, email.policy.compat32)
    bodies: dict[str, str] = {}
    attachments: list[Attachment] = []
    for part in _leaves(message):
        kind, filename = part.declared_type(), _filename(part)
        disposition = part.get_content_disposition()
        subtype = None if part.cut else {"text/plain": "text", "text/html": "html"}.get(kind)
        if subtype and subtype not in bodies and disposition != "attachment" and not filename:
            bodies[subtype] = _text(_payload(part), part.get_content_charset())
            continue
        content_id = part.get("Content-ID")
        attachments.append(
            Attachment(
                filename=filename,
                content_type=kind,
                disposition=disposition,
                content_id=str(content_id).strip("<> ") if content_id else None,
                payload=_payload(part),
            )
        )
    return Message(
        _headers(message),
        bodies.get("text"),
        bodies.get("html"),
        tuple(attachments),
        CUT_NOTE if cut else None,
    )
