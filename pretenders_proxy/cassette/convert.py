"""Which format a file is in, and reading or writing exchanges in it: the file side of
`pretenders cassette import|export|convert`. Cassettes and flow files are read, and every format
written, one exchange at a time (JSON and YAML files are parsed whole); writes replace files
atomically."""

import io as stdio
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from pretenders_proxy.cassette import reading, regular, writing
from pretenders_proxy.cassette.codec import header
from pretenders_proxy.cassette.formats import har, hoverfly, jsontwin, vcr, wiremock
from pretenders_proxy.cassette.formats.common import Attached, Losses, split_url
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange


class Format(StrEnum):
    CASSETTE = "cassette"
    JSON = "json"
    HAR = "har"
    VCR = "vcr"
    MITM = "mitm"
    HOVERFLY = "hoverfly"
    WIREMOCK = "wiremock"


EXTENSIONS = {
    ".cassette": Format.CASSETTE,
    ".msgpack": Format.CASSETTE,
    ".har": Format.HAR,
    ".yaml": Format.VCR,
    ".yml": Format.VCR,
    ".flow": Format.MITM,
    ".flows": Format.MITM,
    ".mitm": Format.MITM,
    ".dump": Format.MITM,
}


def detect(path: Path, *, reading: bool) -> Format:
    """The format a path's name (and, when reading a .json file, its content) says."""
    if path.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[path.suffix.lower()]
    if path.is_dir() or (not reading and not path.suffix):
        return Format.WIREMOCK
    if path.suffix.lower() == ".json" and not reading:
        return Format.JSON
    if path.suffix.lower() == ".json" or (reading and _starts_as_json(path)):
        try:
            return _sniff(_json(path))
        except CassetteError as e:
            raise CassetteError(f"{path}: {e}") if str(path) not in str(e) else e from None
    if reading and _starts_as_vcr_yaml(path):
        return Format.VCR
    raise CassetteError(f"{path}: cannot tell its format from the name or content; use --format")


def _head(path: Path) -> bytes:
    """The first bytes of a file, without a BOM or leading blank space (b"" if unreadable)."""
    try:
        with regular.open_read(path) as stream:
            return stream.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    except (OSError, CassetteError):
        return b""


def _starts_as_json(path: Path) -> bool:
    return _head(path)[:1] in (b"{", b"[")


def _starts_as_vcr_yaml(path: Path) -> bool:
    """A YAML cassette under a name without a suffix (FlexGet's): its first key says."""
    head = _head(path).removeprefix(b"---").lstrip()
    return head.startswith((b"interactions:", b"http_interactions:", b"- request:"))


def _sniff(document: object) -> Format:
    if isinstance(document, dict):
        if document.get("format") == jsontwin.FORMAT:
            return Format.JSON
        if "log" in document or har.is_entry(document):
            return Format.HAR
        if "data" in document and ("meta" in document or isinstance(document["data"], list)):
            return Format.HOVERFLY  # without meta: hoverfly-java's file before schema v1
        if "interactions" in document and "version" in document:
            return Format.VCR  # VCR.py's JSON serializer
        if "mappings" in document or "request" in document:
            return Format.WIREMOCK
    first = document[0] if isinstance(document, list) and document else None
    if isinstance(first, dict) and {"request", "response"} <= first.keys():
        return Format.VCR  # vcrpy before 1.0: the interactions alone
    raise CassetteError(
        "a JSON file of no format pretenders knows (JSON twin, HAR, Hoverfly, VCR.py, WireMock)"
    )


def read(path: Path, kind: Format | None, losses: Losses, base_url: str = "") -> Iterator[Exchange]:
    """The exchanges stored at `path`, one at a time, in `kind` or (None) the format its name or
    content says (a .json file is parsed once); CassetteError naming the file when bad."""
    try:
        yield from _read(path, kind, losses, base_url)
    except CassetteError as e:
        message = str(e)
        raise CassetteError(message if str(path) in message else f"{path}: {message}") from None
    except OSError as e:
        raise CassetteError(f"cannot read {path}: {e.strerror or e}") from None


def _read(path: Path, kind: Format | None, losses: Losses, base_url: str) -> Iterator[Exchange]:
    document = None
    if kind is None and path.suffix.lower() == ".json" and not path.is_dir():
        document = _json(path)
        kind = _sniff(document)
    elif kind is None:
        kind = detect(path, reading=True)
    if kind is Format.VCR and document is None and _starts_as_json(path):
        document = _json(path)  # JSON is parsed as JSON: YAML 1.1 reads some of it otherwise
    if kind is Format.CASSETTE:
        with reading.Reader(path) as reader:
            yield from (stored.exchange for stored in reader)
            if reader.problem:
                losses.note(f"the incomplete last record (from byte {reader.truncated_at})")
    elif kind is Format.MITM:
        from pretenders_proxy.proxy import flowfile  # mitmproxy loads only when needed

        with regular.open_read(path) as stream:
            yield from flowfile.read(stream, losses)
    elif kind is Format.VCR and document is not None:
        yield from vcr.read_document(document, losses)
    elif kind is Format.VCR:
        yield from vcr.read(regular.read_bytes(path), losses)
    elif kind is Format.WIREMOCK:
        yield from _wiremock(path, losses, base_url)
    else:
        document = _json(path) if document is None else document
        if kind is Format.JSON:
            yield from jsontwin.read(document)
        elif kind is Format.HAR:
            yield from har.read(document, losses, attached_in(path.parent))
        else:
            base = split_url(base_url, "--base-url")[:3] if base_url else None
            yield from hoverfly.read(document, losses, attached_in(path.parent), base)


def attached_in(folder: Path) -> Attached:
    """Files named relative to `folder`, confined to it (no `..` or absolute name out of it,
    nor a link leading out): a recording from elsewhere reads nothing else on this machine."""
    root = folder.resolve()

    def read(name: str, where: str) -> bytes | None:
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise CassetteError(f"{where}: {name!r} is outside {folder}: refused")
        try:
            return regular.read_bytes(target)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise CassetteError(f"{where}: cannot read {target}: {e.strerror or e}") from None

    return read


def _json(path: Path) -> Any:
    try:
        with regular.open_read(path) as stream:
            return json.load(stream)
    except (ValueError, UnicodeDecodeError) as e:
        raise CassetteError(f"{path} is not JSON ({e})") from None
    except RecursionError:
        raise CassetteError(f"{path} is JSON nested too deeply to read") from None
    except OSError as e:
        raise CassetteError(f"cannot read {path}: {e.strerror or e}") from None


def _wiremock(path: Path, losses: Losses, base_url: str) -> Iterator[Exchange]:
    if not base_url:
        raise CassetteError("WireMock mappings name no host: give one with --base-url URL")
    scheme, host, port, _, _ = split_url(base_url, "--base-url")
    files = (path if path.is_dir() else path.parent) / "__files"
    attached = attached_in(files)

    def body_file(name: str) -> bytes:
        found = attached(name, "bodyFileName")
        if found is None:
            raise CassetteError(f"{files / name}: No such file")
        return found

    yield from wiremock.read(_mappings(path), body_file, (scheme, host, port), losses)


def _mappings(path: Path) -> Iterator[tuple[str, Any]]:
    if path.is_dir():
        folder = path / "mappings" if (path / "mappings").is_dir() else path
        documents = [(str(p), _json(p)) for p in sorted(folder.glob("*.json"))]
    else:
        documents = [(str(path), _json(path))]
    for where, document in documents:
        if isinstance(document, dict) and isinstance(document.get("mappings"), list):
            yield from ((f"{where}: mappings[{n}]", m) for n, m in enumerate(document["mappings"]))
        else:
            yield where, document


def write(
    path: Path,
    kind: Format,
    exchanges: Iterable[Exchange],
    losses: Losses,
    head: Mapping[str, Any] = MappingProxyType({}),
) -> None:
    """`exchanges` into a new file at `path` (replacing any, atomically); `head`: keys the
    source cassette's header holds that a cassette's keeps (its matching), others drop."""
    if head and kind is not Format.CASSETTE:
        losses.note("the cassette header's matching (ignore, match_on)")
    try:
        if kind is Format.CASSETTE:
            writing.rewrite(path, {**header(datetime.now(UTC)), **head}, exchanges)
        elif kind is Format.WIREMOCK:
            _write_wiremock(path, exchanges, losses)
        elif kind is Format.MITM:
            from pretenders_proxy.proxy import flowfile

            with writing.replacing(path) as stream:
                flowfile.write(stream, exchanges, losses)
        else:
            with writing.replacing(path) as raw, _text(raw) as stream:
                if kind is Format.JSON:
                    jsontwin.write(stream, exchanges)
                elif kind is Format.HAR:
                    har.write(stream, exchanges, losses)
                elif kind is Format.VCR:
                    vcr.write(stream, exchanges, losses)
                else:
                    hoverfly.write(stream, exchanges, losses)
    except OSError as e:
        raise CassetteError(f"cannot write {path}: {e.strerror or e}") from None


class _text:
    """A UTF-8 text stream over a binary one, flushed and detached (not closed) at the end."""

    def __init__(self, raw: IO[bytes]) -> None:
        # the JSON twin keeps bytes that are not UTF-8 as lone surrogates: backslashreplace
        # writes them as the JSON escapes (\udcXX) that read back to the same bytes
        self.stream = stdio.TextIOWrapper(
            raw, encoding="utf-8", errors="backslashreplace", newline="\n"
        )

    def __enter__(self) -> IO[str]:
        return self.stream

    def __exit__(self, *_: object) -> None:
        self.stream.flush()
        self.stream.detach()


def _write_wiremock(path: Path, exchanges: Iterable[Exchange], losses: Losses) -> None:
    (path / "mappings").mkdir(parents=True, exist_ok=True)
    (path / "__files").mkdir(exist_ok=True)
    for index, exchange in enumerate(exchanges):
        stub, body = wiremock.mapping(exchange, index, losses)
        with writing.replacing(path / "mappings" / f"mapping-{index + 1:06d}.json") as stream:
            stream.write(json.dumps(stub, indent=2, ensure_ascii=False).encode())
        if body is not None:
            with writing.replacing(path / "__files" / body[0]) as stream:
                stream.write(body[1])
