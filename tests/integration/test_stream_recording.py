"""Streams recorded through `pretenders record` (and passed through on a miss): the client gets
each piece as the upstream sends it, the cassette keeps the pieces with their timing, and a
stream cut (by the client, at shutdown, past --max-body-size) is kept up to the cut, marked."""

import asyncio
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.cassette.reading import read
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.stream import Cut
from pretenders_proxy.testing.launcher import RunningServer, launch, start
from tests.integration.streaming import StreamingUpstream
from tests.integration.test_recording_faults import file_size_limit
from tests.integration.tlsca import LocalCA

CA = "mitmproxy-ca-cert.pem"


def _event(i: int) -> bytes:
    return b"id: %d\ndata: %d\n\n" % (i, i)


def _tls(confdir: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=confdir / CA)


async def _events(
    proxy: str, url: str, tls: ssl.SSLContext | None = None, stop_after: int = 0
) -> tuple[list[float], bytes]:
    """time.monotonic() when each `data:` line reached the client, and every byte it got;
    `stop_after`: leave after that many events."""
    seen, body = [], b""
    async with aiohttp.ClientSession() as client, client.get(url, proxy=proxy, ssl=tls) as got:
        assert got.status == 200
        async for line in got.content:
            body += line
            if line.startswith(b"data:"):
                seen.append(time.monotonic())
                if len(seen) == stop_after:
                    break
    return seen, body


async def _json(url: str) -> Any:
    async with aiohttp.ClientSession() as client, client.get(url) as got:
        return await got.json()


def _recorded(cassette: Path) -> list[Exchange]:
    return [stored.exchange for stored in read(cassette).exchanges]


@pytest.fixture
def sse_upstream(request: pytest.FixtureRequest) -> StreamingUpstream:
    found: StreamingUpstream = request.getfixturevalue(request.param)
    return found


@pytest.fixture
def recorder(
    confdir: Path, cassette: Path, local_ca: LocalCA, tmp_path: Path
) -> Iterator[RunningServer]:
    with launch(
        [str(cassette), "--upstream-ca", str(local_ca.ca_cert)], confdir=confdir, command="record"
    ) as running:
        yield running


@pytest.mark.parametrize(
    "sse_upstream", ["streaming_upstream", "tls_streaming_upstream"], indirect=True
)
async def test_each_event_reaches_the_client_as_sent_and_is_recorded_with_its_timing(
    sse_upstream: StreamingUpstream, recorder: RunningServer, confdir: Path, cassette: Path
) -> None:
    url = f"{sse_upstream.url}/sse?n=5&gap=0.3"
    seen, body = await _events(recorder.proxy, url, _tls(confdir))
    sent = sse_upstream.sent.times["/sse"]
    delays = [got - at for got, at in zip(seen, sent, strict=True)]
    assert max(delays) < 0.25, delays  # not all at the end: that would be 1.2 s for the first
    assert body == b"".join(_event(i) for i in range(5))
    recorder.stop()

    [exchange] = _recorded(cassette)
    response = exchange.response
    assert response.body == body and response.cut == ""
    assert [size for _, size in response.chunks] == [len(_event(i)) for i in range(5)]
    offsets = [at for at, _ in response.chunks]
    for at, sent_at in zip(offsets, sent, strict=True):
        assert abs((at - offsets[0]) - (sent_at - sent[0])) < 0.1, (offsets, sent)

    sse_upstream.stop()  # replay is offline: the same bytes, from the cassette
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        _, replayed = await _events(replayer.proxy, url, _tls(confdir))
    assert replayed == body


async def test_a_chunked_body_passes_piece_by_piece(
    streaming_upstream: StreamingUpstream, recorder: RunningServer, cassette: Path
) -> None:
    url = f"{streaming_upstream.url}/chunked?n=3&gap=0.4"
    arrived = []
    async with (
        aiohttp.ClientSession() as client,
        client.get(url, proxy=recorder.proxy) as got,
    ):
        assert got.headers["Transfer-Encoding"] == "chunked"
        async for piece in got.content.iter_any():
            arrived.append((time.monotonic(), piece))
    sent = streaming_upstream.sent.times["/chunked"]
    assert b"".join(piece for _, piece in arrived) == b"piece 0\npiece 1\npiece 2\n"
    assert arrived[0][0] < sent[-1]  # the first piece came before the upstream sent the last
    recorder.stop()
    [exchange] = _recorded(cassette)
    assert exchange.response.body == b"piece 0\npiece 1\npiece 2\n"
    assert len(exchange.response.chunks) == 3


async def test_a_stream_the_client_leaves_is_recorded_up_to_there(
    streaming_upstream: StreamingUpstream, recorder: RunningServer, cassette: Path
) -> None:
    url = f"{streaming_upstream.url}/sse?n=0&gap=0.1"
    _, body = await _events(recorder.proxy, url, stop_after=3)
    assert streaming_upstream.sse_closed.wait(10)  # the proxy let the upstream go too
    entries = await _json(recorder.control + "/api/v1/requests")
    assert entries[-1]["status"] == 200 and entries[-1]["error"]
    recorder.stop()
    [exchange] = _recorded(cassette)
    assert exchange.response.cut == Cut.CLIENT
    assert exchange.response.body.startswith(body)
    assert len(exchange.response.chunks) >= 3


async def test_a_stream_open_at_shutdown_is_recorded_up_to_there_and_nothing_is_lost(
    streaming_upstream: StreamingUpstream, confdir: Path, cassette: Path
) -> None:
    server = start([str(cassette)], confdir=confdir, command="record")
    try:
        await _events(server.proxy, f"{streaming_upstream.url}/sse?n=2&gap=0")
        url = f"{streaming_upstream.url}/sse?n=0&gap=0.1"
        async with aiohttp.ClientSession() as client, client.get(url, proxy=server.proxy) as got:
            lines = [await got.content.readline() for _ in range(9)]  # three events
            assert server.stop() == 0  # SIGTERM, the stream still open
    finally:
        server.stop()
    first, cut = _recorded(cassette)
    assert first.response.body == _event(0) + _event(1) and first.response.cut == ""
    assert cut.response.cut == Cut.SHUTDOWN
    assert cut.response.body.startswith(b"".join(lines))


async def test_past_max_body_size_the_client_gets_all_and_the_recording_is_cut(
    streaming_upstream: StreamingUpstream, confdir: Path, cassette: Path
) -> None:
    flags = [str(cassette), "--max-body-size", "100"]
    with launch(flags, confdir=confdir, command="record") as server:
        _, body = await _events(server.proxy, f"{streaming_upstream.url}/sse?n=20&gap=0")
    assert body == b"".join(_event(i) for i in range(20))  # over 300 bytes
    [exchange] = _recorded(cassette)
    assert exchange.response.body == body[:100]
    assert exchange.response.cut == Cut.SIZE
    assert sum(size for _, size in exchange.response.chunks) == 100


async def test_a_miss_passed_through_streams_and_history_keeps_its_start(
    streaming_upstream: StreamingUpstream, confdir: Path, cassette: Path
) -> None:
    writing.write(cassette, [])
    with launch(
        [str(cassette), "--on-miss", "passthrough"], confdir=confdir, command="replay"
    ) as server:
        seen, body = await _events(server.proxy, f"{streaming_upstream.url}/sse?n=4&gap=0.3")
        _, long = await _events(server.proxy, f"{streaming_upstream.url}/sse?n=5000&gap=0")
        entries = await _json(server.control + "/api/v1/requests")
    delays = [a - b for a, b in zip(seen, streaming_upstream.sent.times["/sse"][:4], strict=True)]
    assert max(delays) < 0.25, delays
    assert body == b"".join(_event(i) for i in range(4))
    short, whole = entries
    assert short["source"] == "upstream" and short["status"] == 200
    assert short["response"]["body"] == body.decode() and short["response"]["size"] == len(body)
    assert long.endswith(_event(4999))
    assert whole["response"]["size"] == len(long) > 64 * 1024  # history keeps its first 64 KiB
    assert whole["response"]["truncated"] and long.startswith(whole["response"]["body"].encode())
    assert _recorded(cassette) == []


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--upstream-timeout", "1"], "silent for 1s"),
        (["--upstream-timeout", "0", "--idle-timeout", "1"], "silent for 1s (--idle-timeout)"),
    ],
)
async def test_a_live_stream_outlives_the_timeouts_and_a_silent_one_is_cut(
    streaming_upstream: StreamingUpstream,
    confdir: Path,
    cassette: Path,
    flags: list[str],
    said: str,
) -> None:
    with launch([str(cassette), *flags], confdir=confdir, command="record") as server:
        seen, _ = await _events(server.proxy, f"{streaming_upstream.url}/sse?n=4&gap=0.6")
        assert len(seen) == 4  # 1.8 s in all, no gap as long as the timeout
        with pytest.raises(aiohttp.ClientPayloadError):
            await _events(server.proxy, f"{streaming_upstream.url}/sse?n=2&gap=3")
        entries = await _json(server.control + "/api/v1/requests")
    assert said in entries[-1]["error"]
    whole, cut = _recorded(cassette)
    assert whole.response.cut == "" and len(whole.response.chunks) == 4
    assert cut.response.cut == Cut.SILENT and cut.response.body == _event(0)


async def test_a_stream_that_cannot_be_recorded_is_cut_off_and_said_loudly(
    streaming_upstream: StreamingUpstream, tmp_path: Path
) -> None:
    cassette = tmp_path / "full.cassette"
    with file_size_limit(64 * 1024):
        server = start([str(cassette)], confdir=tmp_path, command="record")
    try:
        with pytest.raises(aiohttp.ClientPayloadError):  # not a complete stream
            await _events(server.proxy, f"{streaming_upstream.url}/sse?n=5000&gap=0")
        health = await _json(server.control + "/health")
        assert health["status"] == "degraded"
        entries = await _json(server.control + "/api/v1/requests")
        assert "could not be recorded" in entries[-1]["error"]
    finally:
        server.stop()
        server.discard_log()
    assert any("NOT RECORDED" in line for line in server.output)
    assert _recorded(cassette) == []


def test_a_large_download_that_cannot_be_recorded_never_arrives_whole(
    tmp_path: Path,
) -> None:
    from tests.integration.upstream import BIG, Upstream

    upstream = Upstream()
    cassette = tmp_path / "full.cassette"
    with file_size_limit(1024 * 1024):
        server = start([str(cassette)], confdir=tmp_path, command="record")
    try:
        proxies = {"http": server.proxy}
        with requests.get(upstream.url + "/big", proxies=proxies, stream=True) as got:
            assert got.headers["Content-Length"] == str(len(BIG))
            received = b""
            with pytest.raises(requests.exceptions.ChunkedEncodingError):
                for piece in got.iter_content(65536):
                    received += piece
        assert 0 < len(received) < len(BIG)
    finally:
        server.stop()
        server.discard_log()
        upstream.stop()


async def test_a_stream_the_upstream_breaks_off_is_recorded_up_to_there(
    confdir: Path, cassette: Path
) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n")
        writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(2):
            writer.write(b"%x\r\n%s\r\n" % (len(_event(i)), _event(i)))
            await writer.drain()
            await asyncio.sleep(0.2)
        writer.close()  # no last chunk: broken off

    upstream = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    try:
        with launch([str(cassette)], confdir=confdir, command="record") as server:
            with pytest.raises(aiohttp.ClientPayloadError):
                await _events(server.proxy, f"http://127.0.0.1:{port}/sse")
            entries = await _json(server.control + "/api/v1/requests")
    finally:
        upstream.close()
    assert entries[-1]["status"] == 200 and entries[-1]["error"]
    [exchange] = _recorded(cassette)
    assert exchange.response.cut == Cut.UPSTREAM
    assert exchange.response.body == _event(0) + _event(1)


async def test_the_control_api_s_event_stream_passes_through_the_proxy_as_it_goes(
    recorder: RunningServer,
) -> None:
    # some clients send calls to the control port through the proxy (NO_PROXY ignored)
    url = recorder.control + "/api/v1/events"
    async with aiohttp.ClientSession() as client, client.get(url, proxy=recorder.proxy) as got:
        first = await asyncio.wait_for(got.content.readline(), 10)
    assert first == b": connected\n"


def test_an_http2_client_gets_the_events_as_sent(
    tls_streaming_upstream: StreamingUpstream, recorder: RunningServer, confdir: Path
) -> None:
    arrived = []
    with (
        httpx.Client(http2=True, proxy=recorder.proxy, verify=_tls(confdir)) as client,
        client.stream("GET", tls_streaming_upstream.url + "/sse?n=3&gap=0.4") as got,
    ):
        assert got.http_version == "HTTP/2"
        for line in got.iter_lines():
            if line.startswith("data:"):
                arrived.append(time.monotonic())
    sent = tls_streaming_upstream.sent.times["/sse"]
    assert len(arrived) == 3
    assert max(got - at for got, at in zip(arrived, sent, strict=True)) < 0.25
