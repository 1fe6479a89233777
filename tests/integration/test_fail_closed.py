"""Replay with --on-miss error, and mock mode, never open a connection to any upstream, whatever
the protocol: HTTP(S), raw TCP or TLS after CONNECT, WebSocket, a 101 to another protocol."""

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import certifi
import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.clients import CLIENTS
from tests.integration.conftest import AppEnv
from tests.integration.raw import BannerServer, open_tunnel, read_all, read_response
from tests.integration.upstream import Upstream


def _direct(url: str) -> int:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url).status_code


def test_misses_in_replay_connect_to_no_upstream(
    upstream: Upstream, tls_upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv,
    banner: BannerServer,
) -> None:  # fmt: skip
    known = Request("GET", b"/known", host="127.0.0.1", port=upstream.port)
    writing.write(cassette, [Exchange(known, Response(200, body=b"recorded"))])
    reverse = ["--reverse", f"{upstream.url}=0", "--reverse", f"{tls_upstream.url}=0"]
    with launch([*reverse, str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        proxied = [
            fetch(server.url + path).status
            for fetch in CLIENTS.values()
            for server in (upstream, tls_upstream)
            for path in ("/hello", "/known?x=1")
        ]
        hit = CLIENTS["requests"](upstream.url + "/known")
        reversed_ = [
            _direct(replayer.reverse(target.url) + "/hello") for target in (upstream, tls_upstream)
        ]
        sock, _ = open_tunnel(replayer.proxy, banner.port, None)  # `pretenders replay`, as is
        with sock:
            sock.sendall(b"SSH-2.0-OpenSSH_9.6 client\r\n")
            tunneled = read_all(sock)
        (ssh,) = journal(replayer.control, "default")[-1:]
    assert (tunneled, banner.connections) == (b"", 0)
    assert (ssh["url"], ssh["protocol"], ssh["source"]) == (
        f"tcp://127.0.0.1:{banner.port}",
        "tcp",
        "miss",
    )
    assert proxied == [404] * 16
    assert (hit.status, hit.body) == (200, b"recorded")
    assert reversed_ == [404, 404]
    assert (upstream.connections, tls_upstream.connections) == (0, 0)
    _direct(upstream.url + "/hello")  # and the counter does count
    assert upstream.connections == 1


# Every protocol, in every session that may not go upstream: each connection is refused, the
# upstream never sees one, and the session's history keeps it as a miss naming the protocol.

MISS_BODY = b"nothing recorded"
UPGRADE = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: {upgrade}\r\n"
UPGRADE += "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
UPGRADE += "Sec-WebSocket-Version: 13\r\n\r\n"


@pytest.fixture
def banner() -> Iterator[BannerServer]:
    running = BannerServer()
    yield running
    running.stop()


def switch(control: str, session: str, **mode: object) -> None:
    answer = requests.put(f"{control}/api/v1/mode", params={"session": session}, json=mode)
    assert answer.status_code == 200, answer.text


@pytest.fixture(params=["mock", "replay"])
def sealed(request: pytest.FixtureRequest, control: str, session: str, tmp_path: Path) -> str:
    """A fresh session that may not go upstream: in mock mode, or replaying with on-miss error
    a cassette that has nothing for what the tests send."""
    if request.param == "replay":
        path = tmp_path / "sealed.cassette"
        known = Request("GET", b"/known", host="127.0.0.1", port=1)
        writing.write(path, [Exchange(known, Response(200, body=MISS_BODY))])
        switch(control, session, mode="replay", cassettes=[str(path)], on_miss="error")
    return session


def journal(control: str, session: str, count: int = 1) -> list[dict[str, Any]]:
    """The session's history, once it holds `count` entries (waiting up to 10 s)."""
    params = {"session": session, "wait": "10", "count": str(count)}
    answer = requests.get(f"{control}/api/v1/requests", params=params, timeout=20)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def refused_because(entry: dict[str, Any]) -> str:
    """The part of a refusal's explanation that names the mode."""
    return entry["miss"].partition(" was refused: ")[2].partition(".")[0]


def test_raw_tcp_after_connect_is_refused_and_journaled(
    server: RunningServer, control: str, sealed: str, banner: BannerServer
) -> None:
    sock, head = open_tunnel(server.proxy, banner.port, sealed)
    with sock:
        sock.sendall(b"SSH-2.0-OpenSSH_9.6 client\r\n")
        answer = read_all(sock)
    assert head.startswith(b"HTTP/1.1 200") and answer == b""  # closed, nothing relayed
    assert banner.connections == 0
    (entry,) = journal(control, sealed)
    seen = (entry["method"], entry["url"], entry["protocol"], entry["source"], entry["status"])
    assert seen == ("CONNECT", f"tcp://127.0.0.1:{banner.port}", "tcp", "miss", None)
    assert entry["body"] == "SSH-2.0-OpenSSH_9.6 client\r\n"
    assert refused_because(entry).endswith("sends nothing upstream")


def test_tls_the_client_will_not_let_pretenders_decrypt_is_refused_and_journaled(
    server: RunningServer, control: str, sealed: str, banner: BannerServer
) -> None:
    sock, _ = open_tunnel(server.proxy, banner.port, sealed)
    public_roots = ssl.create_default_context(cafile=certifi.where())  # not pretenders' CA
    with sock, pytest.raises(ssl.SSLCertVerificationError):
        public_roots.wrap_socket(sock, server_hostname="localhost")
    assert banner.connections == 0
    (entry,) = journal(control, sealed)
    seen = (entry["method"], entry["url"], entry["protocol"], entry["source"])
    assert seen == ("CONNECT", f"tls://127.0.0.1:{banner.port}", "tls", "miss")
    assert "unknown ca" in entry["error"] and "pretenders env" in entry["error"]


def test_a_websocket_upgrade_gets_the_miss_reply(
    server: RunningServer, control: str, confdir: Path, sealed: str, banner: BannerServer
) -> None:
    proxy = server.proxy.replace("http://", f"http://{sealed}:x@", 1)
    trusting = ssl.create_default_context(cafile=confdir / "mitmproxy-ca-cert.pem")
    statuses = [
        asyncio.run(ws_status(f"wss://127.0.0.1:{banner.port}/chat", proxy, trusting)),
        asyncio.run(ws_status(f"ws://127.0.0.1:{banner.port}/chat", proxy, None)),
    ]
    sock, _ = open_tunnel(server.proxy, banner.port, sealed)
    with sock:
        sock.sendall(UPGRADE.format(port=banner.port, upgrade="websocket").encode())
        raw = read_response(sock)
    # the miss, for ws:// in absolute form too (taken as http://): nothing recorded or preset
    # answers these, and a sealed session sends nothing upstream
    assert statuses == [404, 404]
    assert raw.startswith(b"HTTP/1.1 404 ") and b"X-Pretenders-Miss: 1" in raw
    assert banner.connections == 0
    entries = journal(control, sealed, count=3)
    seen = [(e["method"], e["url"], e["protocol"], e["source"]) for e in entries]
    assert seen == [
        ("GET", f"https://127.0.0.1:{banner.port}/chat", "websocket", "miss"),
        ("GET", f"http://127.0.0.1:{banner.port}/chat", "websocket", "miss"),
        ("GET", f"http://127.0.0.1:{banner.port}/chat", "websocket", "miss"),
    ]


async def ws_status(url: str, proxy: str, tls: ssl.SSLContext | None) -> int:
    """The status a WebSocket handshake through the proxy gets (101: it was accepted)."""
    try:
        async with aiohttp.ClientSession() as client:
            try:
                async with client.ws_connect(url, proxy=proxy, ssl=tls or False):
                    return 101
            except aiohttp.WSServerHandshakeError as e:
                return e.status
    finally:
        await asyncio.sleep(0.1)  # aiohttp closes TLS transports on the next turns of the loop


@pytest.mark.parametrize("mode", ["mock", "replay"])
def test_a_101_to_another_protocol_opens_no_tunnel_upstream(
    server: RunningServer, control: str, session: str, mode: str, tmp_path: Path,
    banner: BannerServer,
) -> None:  # fmt: skip
    """A preset (mock) or a recording (replay) answering 101 makes mitmproxy relay raw TCP."""
    switched = Response(101, ((b"Upgrade", b"foo"), (b"Connection", b"Upgrade")))
    if mode == "mock":
        preset = {"rule": "GET /chat", "status": 101, "headers": {"Upgrade": "foo"}}
        preset["headers"]["Connection"] = "Upgrade"
        assert requests.post(f"{control}/api/v1/presets?session={session}", json=preset).ok
    else:
        path = tmp_path / "upgrade.cassette"
        chat = Request("GET", b"/chat", host="127.0.0.1", port=banner.port)
        writing.write(path, [Exchange(chat, switched)])
        switch(control, session, mode="replay", cassettes=[str(path)], on_miss="error")
    sock, _ = open_tunnel(server.proxy, banner.port, session)
    with sock:
        sock.sendall(UPGRADE.format(port=banner.port, upgrade="foo").encode())
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 101 ") and answer.endswith(b"\r\n\r\n")  # then closed
    assert banner.connections == 0
    entries = journal(control, session, count=2)
    seen = [(e["method"], e["protocol"], e["source"]) for e in entries]
    assert seen == [
        ("GET", "http", "preset" if mode == "mock" else "cassette"),
        ("CONNECT", "tcp", "miss"),
    ]
