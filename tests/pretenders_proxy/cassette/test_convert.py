"""cassette -> format -> cassette through real files: lossless for the JSON twin and mitmproxy
flows; for the others exactly the documented losses, each listed here and reported."""

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response
from tests.pretenders_proxy.samples import exchanges, streams


def grouped(headers: Headers) -> Headers:
    """Headers grouped by name in first-appearance order (VCR.py, Hoverfly, WireMock)."""
    order: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for name, value in headers:
        order.setdefault(name, []).append((name, value))
    return tuple(pair for pairs in order.values() for pair in pairs)


def plain(exchange: Exchange, request: Request, response: Response) -> Exchange:
    """No trailers, no HTTP versions, no recording notes: what the grouped formats keep."""
    return Exchange(
        replace(request, http_version="HTTP/1.1"),
        replace(response, http_version="HTTP/1.1", trailers=None),
        Meta(),
    )


def har_loses(exchange: Exchange) -> Exchange:
    """HAR: trailers and redaction notes; bodies are decoded (Content-Encoding dropped)."""
    response = exchange.response
    headers, body = response.headers, response.body
    if (b"Content-Encoding", b"gzip") in headers:
        body = gzip.decompress(body)
        headers = tuple(
            (n, str(len(body)).encode() if n == b"Content-Length" else v)
            for n, v in headers
            if n != b"Content-Encoding"
        )
    return Exchange(
        exchange.request,
        replace(response, headers=headers, body=body, trailers=None),
        replace(exchange.meta, redacted=()),
    )


def vcr_loses(exchange: Exchange) -> Exchange:
    """VCR.py: header order across names, HTTP versions, trailers, recording notes."""
    request, response = exchange.request, exchange.response
    return plain(
        exchange,
        replace(request, headers=grouped(request.headers)),
        replace(response, headers=grouped(response.headers)),
    )


def hoverfly_loses(exchange: Exchange) -> Exchange:
    """Hoverfly: request headers, reasons, binary request bodies, and what VCR.py loses."""
    request, response = exchange.request, exchange.response
    path = quote(unquote(request.path.decode()), safe="/%:@!$&'()*+,;=~-._").encode()
    body = request.body.decode(errors="replace").encode()
    return plain(
        exchange,
        replace(request, headers=(), path=path, body=body),
        replace(response, headers=grouped(response.headers), reason=""),
    )


def wiremock_loses(exchange: Exchange) -> Exchange:
    """WireMock: scheme, host and port (from --base-url), request headers, and what VCR.py loses."""
    request, response = exchange.request, exchange.response
    return plain(
        exchange,
        replace(request, headers=(), scheme="http", host="base.example.test", port=8000),
        replace(response, headers=grouped(response.headers)),
    )


LOSSES: dict[Format, tuple[str, Callable[[Exchange], Exchange], set[str]]] = {
    Format.JSON: ("twin.json", lambda e: e, set()),
    Format.MITM: ("flows.mitm", lambda e: e, set()),
    Format.CASSETTE: ("copy.cassette", lambda e: e, set()),
    Format.HAR: (
        "archive.har",
        har_loses,
        {"response trailers", "the list of redacted fields", "response Content-Encoding"},
    ),
    Format.VCR: (
        "vcr.yaml",
        vcr_loses,
        {"header order across names", "HTTP versions", "recording time", "response trailers"},
    ),
    Format.HOVERFLY: (
        "simulation.json",
        hoverfly_loses,
        {
            "request headers",
            "header order",
            "status reasons",
            "recording time",
            "trailers",
            "binary request bodies",
        },
    ),
    Format.WIREMOCK: (
        "wiremock",
        wiremock_loses,
        {
            "scheme, host and port",
            "request headers",
            "header order",
            "HTTP versions",
            "recording time",
            "response trailers",
        },
    ),
}


@pytest.mark.parametrize("kind", list(LOSSES), ids=str)
def test_round_trip_keeps_all_but_what_the_format_cannot_hold(kind: Format, tmp_path: Path) -> None:
    name, loses, reported = LOSSES[kind]
    target = tmp_path / name
    written, read = Losses(), Losses()
    conversion.write(target, kind, exchanges(), written)
    back = list(conversion.read(target, kind, read, "http://base.example.test:8000"))
    assert back == [loses(e) for e in exchanges()]
    said = " | ".join(written.lines() + read.lines())
    for what in reported:
        assert what in said
    if not reported:
        assert said == ""


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.json", {"format": "pretenders-cassette-json"}, Format.JSON),
        ("a.json", {"log": {"entries": []}}, Format.HAR),
        ("a.json", {"data": {"pairs": []}, "meta": {"schemaVersion": "v5"}}, Format.HOVERFLY),
        ("a.json", {"mappings": []}, Format.WIREMOCK),
        ("a.har", {}, Format.HAR),
        ("a.yml", {}, Format.VCR),
        ("a.flow", {}, Format.MITM),
        ("a.cassette", {}, Format.CASSETTE),
    ],
)
def test_formats_are_told_by_name_and_json_by_content(
    name: str, content: object, expected: Format, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    assert conversion.detect(path, reading=True) is expected


TWIN = (
    '{"format": "pretenders-cassette-json", "version": 1, "exchanges": [{"request": {"method": '
    '"GET", "scheme": "http", "host": "a.test", "port": %s, "path": "/"}, "response": {"status": '
    '200}, "meta": %s}]}'
)


@pytest.mark.parametrize(
    ("name", "content", "kind", "problem"),
    [
        ("a.txt", "x", None, "cannot tell its format from the name or content; use --format"),
        ("a.json", "{", None, "is not JSON"),
        ("a.json", "[" * 200_000, None, "is JSON nested too deeply to read"),  # issue 15
        ("a.har", "[" * 200_000, Format.HAR, "is JSON nested too deeply to read"),
        ("a.json", '{"other": 1}', None, "of no format pretenders knows"),
        ("a.har", '{"log": {"entries": [{"request": {}, "response": {"status": 200}}]}}',
         Format.HAR, "log.entries[0].request.url is missing"),
        ("a.har", '{"log": {"entries": [{"request": {"url": "http://a.test/", "method": "GET"}, '
         '"response": {"status": 200}, "time": "slow"}]}}', Format.HAR,
         "log.entries[0].time is not a number of milliseconds"),
        ("a.yaml", "interactions: [", Format.VCR, "not a VCR.py cassette (YAML"),
        ("a.yaml", "interactions:\n- request: {uri: 'ftp://x/'}\n  response: {}\n", Format.VCR,
         "not an absolute"),
        ("a.json", '{"data": {"pairs": []}, "meta": {"schemaVersion": "v9"}}', Format.HOVERFLY,
         "is not one of v1 to v5"),
        ("a.mitm", "not a flow", Format.MITM, "not a mitmproxy flow file"),
        ("a.json", '{"format": "pretenders-cassette-json", "version": 1, "exchanges": [{}]}',
         Format.JSON, "exchanges[0].request is missing"),
        ("a.json", TWIN % (80, "[]"), Format.JSON, "exchanges[0].meta is not an object"),
        ("a.json", TWIN % (80, '{"duration_ms": "slow"}'), Format.JSON,
         "exchanges[0].meta.duration_ms is a str, not a number"),
        ("a.json", TWIN % ('"80"', "{}"), Format.JSON,
         "exchanges[0].request.port is a str, not int"),
        ("wm.json", '{"mappings": []}', Format.WIREMOCK, "--base-url"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_file_and_the_problem(
    name: str, content: str, kind: Format | None, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CassetteError) as error:
        list(conversion.read(path, kind or conversion.detect(path, reading=True), Losses()))
    assert problem in str(error.value)
    assert str(path) in str(error.value)


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.har"
    target.write_text("old")

    def failing() -> Iterator[Exchange]:
        yield exchanges()[0]
        raise CassetteError("the source broke")

    with pytest.raises(CassetteError):
        conversion.write(target, Format.HAR, failing(), Losses())
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.har"]


@pytest.mark.parametrize("kind", [Format.JSON, Format.HAR, Format.HOVERFLY], ids=str)
def test_a_json_file_read_without_a_format_is_told_by_content_and_parsed_once(
    kind: Format, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "some.json"
    conversion.write(path, kind, exchanges(), Losses())
    expected = list(conversion.read(path, kind, Losses()))
    parsed: list[object] = []
    load = json.load
    monkeypatch.setattr(json, "load", lambda stream: parsed.append(stream) or load(stream))
    assert list(conversion.read(path, None, Losses())) == expected
    assert len(parsed) == 1


def without_streams(exchange: Exchange) -> Exchange:
    response = replace(exchange.response, chunks=(), cut="")
    return replace(exchange, response=response, websocket=None)


def evened(exchange: Exchange) -> Exchange:
    """WireMock: chunks dribbled evenly (as many, over the same time); no cut, no conversation."""
    chunks = exchange.response.chunks
    if chunks:
        sizes, step = (11, 11, 13), chunks[-1][0] / (len(chunks) - 1)
        chunks = tuple((n * step, size) for n, size in enumerate(sizes))
    plain = without_streams(wiremock_loses(exchange))
    return replace(plain, response=replace(plain.response, chunks=chunks))


DROPPED = {"why a stream was cut", "WebSocket conversations"}
STREAM_LOSSES: dict[Format, tuple[Callable[[Exchange], Exchange], set[str]]] = {
    Format.JSON: (lambda e: e, set()),
    Format.MITM: (lambda e: e, set()),
    Format.CASSETTE: (lambda e: e, set()),
    Format.HAR: (lambda e: e, set()),  # _chunks, _cut, _webSocketMessages, _webSocketClose
    Format.VCR: (lambda e: without_streams(vcr_loses(e)), {"chunk timing", *DROPPED}),
    Format.HOVERFLY: (lambda e: without_streams(hoverfly_loses(e)), {"chunk timing", *DROPPED}),
    Format.WIREMOCK: (evened, {"chunk sizes and gaps (WireMock dribbles", *DROPPED}),
}


@pytest.mark.parametrize("kind", list(STREAM_LOSSES), ids=str)
def test_streams_and_conversations_go_where_the_format_can_hold_them(
    kind: Format, tmp_path: Path
) -> None:
    loses, reported = STREAM_LOSSES[kind]
    target = tmp_path / LOSSES[kind][0]
    written, read = Losses(), Losses()
    conversion.write(target, kind, streams(), written)
    back = list(conversion.read(target, kind, read, "http://base.example.test:8000"))
    assert back == [loses(e) for e in streams()]
    said = " | ".join(written.lines() + read.lines())
    for what in reported:
        assert what in said
    if not reported:
        assert said == ""
