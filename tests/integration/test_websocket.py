"""WebSocket conversations through the proxy, recorded from a real upstream and played back
offline by `pretenders replay` (connecting to no upstream): aiohttp's ws_connect (`ws://` in
absolute form, `wss://` through CONNECT), the `websockets` package, and a preset's script."""

import asyncio
import ssl
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedOK

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.streaming import StreamingUpstream
from tests.integration.tlsca import LocalCA

Said = list[tuple[str, Any]]


async def talk(url: str, proxy: str, tls: ssl.SSLContext | None, say: list[str | bytes]) -> Said:
    """What the server said: its first message, then after each of `say` whatever came before the
    next message is sent (its answers), up to a close (("close", (code, reason)))."""
    heard: Said = []
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(url, proxy=proxy, ssl=tls or False, autoclose=False) as socket,
    ):
        heard.append(await _next(socket))
        for message in say:
            if isinstance(message, bytes):
                await socket.send_bytes(message)
            else:
                await socket.send_str(message)
            heard.extend(await _answers(socket, message))
        if not socket.closed:
            await socket.close()
    await asyncio.sleep(0.1)  # aiohttp closes TLS transports on the next turns of the loop
    return heard


async def _next(socket: aiohttp.ClientWebSocketResponse) -> tuple[str, Any]:
    message = await socket.receive(timeout=10)
    if message.type is aiohttp.WSMsgType.CLOSE:
        await socket.close()
        return ("close", (message.data, message.extra))
    kind = "text" if message.type is aiohttp.WSMsgType.TEXT else "binary"
    return (kind, message.data)


async def _answers(socket: aiohttp.ClientWebSocketResponse, sent: str | bytes) -> Said:
    """The answers the upstream gives `sent` (tests/integration/streaming.py says how many)."""
    count = 2 if sent == "twice" else 1
    return [await _next(socket) for _ in range(count)]


CONVERSATION: list[str | bytes] = ["hi", b"\x01\x02\x03", "twice", "bye"]
EXPECTED = [
    ("text", "welcome"),
    ("text", "echo: hi"),
    ("binary", b"\x03\x02\x01"),
    ("text", "one"),
    ("text", "two"),
    ("close", (1000, "bye")),
]


def history(server: RunningServer, count: int) -> list[dict[str, Any]]:
    params = {"wait": "10", "count": str(count)}
    answer = requests.get(f"{server.control}/api/v1/requests", params=params, timeout=20)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


@pytest.mark.parametrize("tls", [False, True])
def test_a_conversation_records_and_replays_offline(
    tls: bool,
    streaming_upstream: StreamingUpstream,
    tls_streaming_upstream: StreamingUpstream,
    local_ca: LocalCA,
    cassette: Path,
    confdir: Path,
) -> None:
    upstream = tls_streaming_upstream if tls else streaming_upstream
    trusting = ssl.create_default_context(cafile=confdir / "mitmproxy-ca-cert.pem") if tls else None
    flags = ["--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        recorded = asyncio.run(talk(upstream.ws_url, recorder.proxy, trusting, CONVERSATION))
    assert recorded == EXPECTED
    assert upstream.connections == 1
    (stored,) = read(cassette).exchanges
    exchange = stored.exchange
    assert exchange.response.status == 101 and exchange.websocket is not None
    said = [(m.from_client, m.text, m.data) for m in exchange.websocket.messages]
    assert said[:3] == [(False, True, b"welcome"), (True, True, b"hi"), (False, True, b"echo: hi")]
    assert len(said) == 9 and exchange.websocket.close_code == 1000
    assert exchange.websocket.close_reason == "bye" and exchange.websocket.closed_by_client is False

    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        replayed = asyncio.run(talk(upstream.ws_url, replayer.proxy, trusting, CONVERSATION))
        (entry,) = history(replayer, 1)
    assert replayed == EXPECTED
    assert upstream.connections == 1  # replay never connected
    assert (entry["source"], entry["protocol"], entry["status"]) == ("cassette", "websocket", 101)
    messages = entry["websocket"]["messages"]
    assert [(m["from_client"], m["text"]) for m in messages[:2]] == [
        (False, "welcome"),
        (True, "hi"),
    ]
    assert entry["websocket"]["close_code"] == 1000


def test_an_unrecorded_message_closes_with_1008_and_a_miss(
    streaming_upstream: StreamingUpstream, cassette: Path, confdir: Path
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        asyncio.run(talk(streaming_upstream.ws_url, recorder.proxy, None, ["hi", "bye"]))
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        heard = asyncio.run(talk(streaming_upstream.ws_url, replayer.proxy, None, ["hi", "what?"]))
        miss, handshake = history(replayer, 2)[:2]
        with Pretenders(replayer.control) as client:
            client.assert_requested("GET /ws")  # the handshake, as any request
            (missed,) = client.misses()
            with pytest.raises(AssertionError, match="Expected next"):
                client.assert_no_misses()
    assert missed.protocol == "websocket" and missed.body == b"what?"
    assert heard[:2] == [("text", "welcome"), ("text", "echo: hi")]
    assert heard[2] == ("close", (1008, "pretenders: no recording answers this message"))
    assert (miss["source"], miss["protocol"], miss["body"]) == ("miss", "websocket", "what?")
    assert "client's text 'what?'" in miss["miss"]
    assert "Expected next (recorded): text 'bye'" in miss["miss"]
    assert handshake["websocket"]["close_code"] == 1008
    assert streaming_upstream.connections == 1


SCRIPT: dict[str, Any] = {
    "rule": "GET /chat",
    "websocket": {
        "send": ["welcome"],
        "replies": [
            {"on": "ping", "send": ["pong"]},
            {"on": "quit", "send": ["bye"], "close": 1000},
        ],
    },
}


def test_a_preset_scripts_a_conversation_offline(
    server: RunningServer, control: str, session: str
) -> None:
    posted = requests.post(f"{control}/api/v1/presets", params={"session": session}, json=SCRIPT)
    assert posted.status_code == 201, posted.text
    shown = posted.json()
    assert shown["status"] == 101 and shown["websocket"]["send"] == ["welcome"]
    assert shown["websocket"]["replies"][1] == {"on": "quit", "send": ["bye"], "close": 1000}
    proxy = server.proxy.replace("http://", f"http://{session}:x@", 1)
    target = "ws://127.0.0.1:1/chat"  # nothing listens there: the preset answers
    said = asyncio.run(script_talk(target, proxy, ["ping", "ping", "quit"]))
    refused = asyncio.run(script_talk(target, proxy, ["ping", "what?"]))
    assert said == [
        ("text", "welcome"),
        ("text", "pong"),
        ("text", "pong"),
        ("text", "bye"),
        ("close", (1000, "")),
    ]
    assert refused[-1] == ("close", (1008, "pretenders: no preset reply answers this message"))
    params = {"session": session, "wait": "10", "count": "3"}
    entries = requests.get(f"{control}/api/v1/requests", params=params, timeout=20).json()
    sources = sorted((e["source"], e["protocol"], e["preset"] is not None) for e in entries)
    assert sources == [
        ("miss", "websocket", False),
        ("preset", "websocket", True),
        ("preset", "websocket", True),
    ]
    (miss,) = [e for e in entries if e["source"] == "miss"]
    assert "Its replies are on: 'ping', 'quit'" in miss["miss"] and miss["body"] == "what?"


async def script_talk(url: str, proxy: str, say: list[str]) -> Said:
    heard: Said = []
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(url, proxy=proxy, autoclose=False) as socket,
    ):
        heard.append(await _next(socket))
        for message in say:
            await socket.send_str(message)
            heard.append(await _next(socket))
            if message == "quit":
                heard.append(await _next(socket))
            if heard[-1][0] == "close":
                break
    await asyncio.sleep(0.1)  # aiohttp closes transports on the next turns of the loop
    return heard


async def with_websockets(url: str, proxy: str, tls: ssl.SSLContext) -> Said:
    """The same conversation with the `websockets` package (its own proxy support: CONNECT)."""
    heard: Said = []
    async with connect(url, proxy=proxy, ssl=tls) as socket:
        heard.append(("text", await socket.recv()))
        for message in CONVERSATION:
            await socket.send(message)
            try:
                for _ in range(2 if message == "twice" else 1):
                    answer = await asyncio.wait_for(socket.recv(), 10)
                    heard.append(("text" if isinstance(answer, str) else "binary", answer))
            except ConnectionClosedOK as closed:
                assert closed.rcvd is not None
                heard.append(("close", (closed.rcvd.code, closed.rcvd.reason)))
    await asyncio.sleep(0.1)  # the transport closes on the next turns of the loop
    return heard


def test_the_websockets_package_records_and_replays_over_tls(
    tls_streaming_upstream: StreamingUpstream, local_ca: LocalCA, cassette: Path, confdir: Path
) -> None:
    upstream = tls_streaming_upstream
    trusting = ssl.create_default_context(cafile=confdir / "mitmproxy-ca-cert.pem")
    flags = ["--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        recorded = asyncio.run(with_websockets(upstream.ws_url, recorder.proxy, trusting))
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        replayed = asyncio.run(with_websockets(upstream.ws_url, replayer.proxy, trusting))
    assert recorded == replayed == EXPECTED
    assert upstream.connections == 1
