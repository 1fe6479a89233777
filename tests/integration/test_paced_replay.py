"""Paced replay over real sockets: a recorded stream replays piece by piece (one write each), at
`--replay-speed` or a session's `replay_speed`, with its trailers; a client leaving mid-play
leaves the server serving."""

import asyncio
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import aiohttp
import httpx
import pytest
import requests

from pretenders_proxy import Pretenders
from pretenders_proxy.cassette.writing import write
from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import run_pretenders

GAP, COUNT, FIRST = 0.3, 5, 0.05
"""The recorded stream: COUNT events GAP seconds apart, the first FIRST after the headers."""
EVENTS = [f"data: event {i}\n\n".encode() for i in range(COUNT)]
RECORDED = GAP * (COUNT - 1)
SSE = (b"Content-Type", b"text/event-stream")
TRAILERS = ((b"grpc-status", b"0"), (b"grpc-message", b"fine"))


def stream(headers: tuple[tuple[bytes, bytes], ...] = (SSE,), **fields: object) -> Response:
    timing = tuple((FIRST + i * GAP, len(event)) for i, event in enumerate(EVENTS))
    return Response(200, headers, b"".join(EVENTS), chunks=timing, **fields)  # type: ignore[arg-type]


def exchange(method: str, path: str, response: Response, scheme: str = "http") -> Exchange:
    port = 443 if scheme == "https" else 80
    return Exchange(
        Request(method, path.encode(), scheme=scheme, host="api.test", port=port), response
    )


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paced") / "stream.cassette"
    write(
        path,
        [
            exchange("GET", "/sse", stream()),
            exchange("HEAD", "/sse", Response(200, (SSE, (b"Transfer-Encoding", b"chunked")))),
            exchange(
                "GET", "/sized", stream(((b"Content-Length", b"%d" % len(b"".join(EVENTS))),))
            ),
            exchange("GET", "/trailers", stream(trailers=TRAILERS)),
            exchange("GET", "/trailers", stream(trailers=TRAILERS), "https"),
            exchange("GET", "/sse", stream(), "https"),
        ],
    )
    return path


@pytest.fixture(scope="module")
def replaying(cassette: Path, server: RunningServer) -> Iterator[RunningServer]:
    """`pretenders replay --replay-speed 1` of the cassette (the shared server's CA)."""
    with launch(
        ["--replay-speed", "1", "--cassette-dir", str(cassette.parent), str(cassette)],
        confdir=server.confdir,
        command="replay",
    ) as running:
        yield running


async def events(url: str, proxy: str) -> list[tuple[float, bytes]]:
    """Each server-sent event as an SSE client reads it: (seconds after the request, event)."""
    loop = asyncio.get_running_loop()
    found = []
    async with aiohttp.ClientSession() as client:
        start = loop.time()
        async with client.get(url, proxy=proxy) as answer:
            assert answer.status == 200
            while event := await answer.content.readuntil(b"\n\n"):
                found.append((loop.time() - start, event))
    return found


def gaps(seen: list[tuple[float, bytes]]) -> list[float]:
    return [later - earlier for (earlier, _), (later, _) in pairwise(seen)]


def within(value: float, expected: float, share: float = 0.2) -> bool:
    return abs(value - expected) <= expected * share


async def test_replay_at_speed_1_keeps_the_recorded_gaps(replaying: RunningServer) -> None:
    seen = await events("http://api.test/sse", replaying.proxy)
    assert [event for _, event in seen] == EVENTS
    assert all(within(gap, GAP) for gap in gaps(seen)), gaps(seen)
    assert within(seen[0][0], FIRST, share=2)  # the first piece is not held back either


async def test_a_session_replay_speed_overrides_the_flag(
    replaying: RunningServer, cassette: Path
) -> None:
    with Pretenders(replaying.control) as root:
        fast = root.session()
        assert root.mode()["replay_speed"] == 1  # the default session: --replay-speed
        assert (
            fast.set_mode(mode="replay", cassettes=[str(cassette)], replay_speed=0)["replay_speed"]
            == 0
        )
        seen = await events("http://api.test/sse", fast.proxy_url)
        fast.delete()
        fast.close()
    assert [event for _, event in seen] == EVENTS
    assert seen[-1][0] < RECORDED / 4  # well under the recorded 1.2 s


async def test_the_default_speed_sends_without_waiting(
    server: RunningServer, cassette: Path
) -> None:
    with Pretenders(server.control) as root:
        session = root.session()
        shown = session.set_mode(mode="replay", cassettes=[str(cassette)])
        assert shown["replay_speed"] == 0
        seen = await events("http://api.test/sse", session.proxy_url)
        session.delete()
        session.close()
    assert [event for _, event in seen] == EVENTS
    assert seen[-1][0] < RECORDED / 4


async def test_use_cassette_at_speed_2_plays_twice_as_fast(
    server: RunningServer, cassette: Path
) -> None:
    # a server of its own: the shared one's loop also serves other tests' mode switches, and a
    # switch loading a cassette holds it long enough to delay a paced piece (seen once in CI)
    flags = ["--cassette-dir", str(cassette.parent)]
    with launch(flags, confdir=server.confdir) as own, Pretenders(own.control) as root:
        session = root.session()
        assert session.use_cassette(cassette, "none", replay_speed=2)["replay_speed"] == 2
        seen = await events("http://api.test/sse", session.proxy_url)
        session.delete()
        session.close()
    assert [event for _, event in seen] == EVENTS
    assert within(seen[-1][0] - seen[0][0], RECORDED / 2), seen


def raw(proxy: str, head: bytes) -> bytes:
    """Everything the proxy sends back to `head` (HTTP/1.1, the connection closing)."""
    host, port = proxy.split("//", 1)[1].rsplit(":", 1)
    data = b""
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head)
        while chunk := connection.recv(65536):
            data += chunk
    return data


def get(method: str, path: str) -> bytes:
    head = f"{method} http://api.test{path} HTTP/1.1\r\nHost: api.test\r\n"
    return (head + "Connection: close\r\n\r\n").encode()


def test_trailers_come_back_in_the_last_chunk_over_http_1(replaying: RunningServer) -> None:
    answer = raw(replaying.proxy, get("GET", "/trailers"))
    assert b"\r\nTransfer-Encoding: chunked\r\n" in answer
    assert answer.endswith(b"\r\n0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n")


def test_a_recorded_content_length_is_kept_and_head_gets_no_body(replaying: RunningServer) -> None:
    sized = raw(replaying.proxy, get("GET", "/sized"))
    assert sized.endswith(b"\r\n\r\n" + b"".join(EVENTS))
    assert b"Content-Length: %d" % len(b"".join(EVENTS)) in sized
    assert b"Transfer-Encoding" not in sized
    head = raw(replaying.proxy, get("HEAD", "/sse"))
    assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")


def test_an_http_2_client_gets_the_pieces_paced_and_the_trailers(
    replaying: RunningServer, server: RunningServer
) -> None:
    assert server.confdir is not None
    ca = str(server.confdir / CA_CERT)
    trust = ssl.create_default_context(cafile=ca)
    with httpx.Client(http2=True, proxy=replaying.proxy, verify=trust, timeout=10) as client:
        start, seen = time.monotonic(), []
        with client.stream("GET", "https://api.test/sse") as answer:
            assert answer.http_version == "HTTP/2"
            for data in answer.iter_raw():
                seen.append((time.monotonic() - start, data))
    assert b"".join(data for _, data in seen) == b"".join(EVENTS)
    assert len(seen) == COUNT and all(within(gap, GAP) for gap in gaps(seen)), seen
    shown = subprocess.run(
        ["curl", "-sS", "--http2", "-x", replaying.proxy, "--cacert", ca, "-D", "-",
         "-o", "/dev/null", "https://api.test/trailers"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    assert "\nHTTP/2 200" in shown
    assert "grpc-status: 0" in shown and "grpc-message: fine" in shown


async def test_a_client_leaving_mid_play_leaves_the_server_serving(
    replaying: RunningServer,
) -> None:
    async with (
        aiohttp.ClientSession() as client,
        client.get("http://api.test/sse", proxy=replaying.proxy) as answer,
    ):
        assert await answer.content.readuntil(b"\n\n") == EVENTS[0]
        # left after the first event; the others were still to come
    await asyncio.sleep(GAP * 2)
    async with aiohttp.ClientSession() as client, client.get(f"{replaying.control}/health") as up:
        assert up.status == 200
    seen = await events("http://api.test/sse", replaying.proxy)
    assert [event for _, event in seen] == EVENTS
    printed = "\n".join(replaying.output)
    assert "Traceback" not in printed and "crashed" not in printed


def test_a_replay_speed_that_is_not_a_factor_is_refused(cassette: Path) -> None:
    negative = run_pretenders("replay", "--replay-speed", "-1", str(cassette))
    assert negative.returncode != 0
    assert (
        "--replay-speed -1.0 is not a speed: give 0 (no waiting)"
        in negative.stderr + negative.stdout
    )
    word = run_pretenders("replay", "--replay-speed", "fast", str(cassette))
    assert word.returncode != 0
    assert "Invalid value for '--replay-speed': Input should be a valid number" in word.stderr


def test_the_mode_api_refuses_a_negative_replay_speed(control: str, session: str) -> None:
    answer = requests.put(
        f"{control}/api/v1/mode", params={"session": session}, json={"replay_speed": -1}, timeout=10
    )
    assert answer.status_code == 400 and "replay_speed" in answer.text
    shown = requests.get(f"{control}/api/v1/mode", params={"session": session}, timeout=10).json()
    assert shown["replay_speed"] == 0


def test_an_http_2_stream_cancelled_mid_play_leaves_its_connection_serving(
    replaying: RunningServer, server: RunningServer
) -> None:
    assert server.confdir is not None
    trust = ssl.create_default_context(cafile=str(server.confdir / CA_CERT))
    before = len(replaying.output)
    with httpx.Client(http2=True, proxy=replaying.proxy, verify=trust, timeout=10) as client:
        with client.stream("GET", "https://api.test/sse") as answer:
            assert next(answer.iter_raw()) == EVENTS[0]
        # closed after the first event: the stream is reset, the connection stays
        time.sleep(GAP * 2)
        again = client.get("https://api.test/sse")
        assert again.http_version == "HTTP/2" and again.content == b"".join(EVENTS)
    printed = "\n".join(replaying.output[before:])
    assert "Traceback" not in printed and "crashed" not in printed
