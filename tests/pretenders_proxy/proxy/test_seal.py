"""Seal: every connection to a server asks the decision; what is not HTTP is journaled with its
protocol. In a real mitmproxy (in this loop) for tunnels, hook by hook for the rest."""

import asyncio
import logging
from pathlib import Path

import pytest
from mitmproxy import connection, tls
from mitmproxy.options import Options
from mitmproxy.proxy import mode_specs, server_hooks
from mitmproxy.proxy.context import Context
from mitmproxy.test import tflow

from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.model.journal import Entry, Source, TrafficProtocol
from pretenders_proxy.proxy.seal import Seal
from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION
from tests.pretenders_proxy.proxy.test_internals import proxy

BANNER = b"SSH-2.0-upstream\r\n"


def _sealed() -> tuple[Runtime, SessionRouter, Seal]:
    runtime = Runtime()
    router = SessionRouter(runtime, SessionPorts(runtime))
    return runtime, router, Seal(runtime, router)


def _record(runtime: Runtime, name: str = DEFAULT_SESSION) -> None:
    session = runtime.store.get(name)
    session.playback = Playback(ModeConfig(Mode.RECORD, ("c.cassette",)))


def _history(runtime: Runtime, name: str = DEFAULT_SESSION) -> list[Entry]:
    return list(runtime.store.get(name).history)


class Counting:
    """A TCP server sending a banner to each connection, counting them."""

    def __init__(self) -> None:
        self.connections = 0

    async def greet(self, _: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(BANNER)
        await writer.drain()
        writer.close()


async def _tunnel(port: int, target: int) -> bytes:
    """CONNECT to 127.0.0.1:`target`, send an SSH banner, read to the end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"CONNECT 127.0.0.1:{target} HTTP/1.1\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200")
    writer.write(b"SSH-2.0-client\r\n")
    try:
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


@pytest.mark.parametrize("record", [False, True])
async def test_a_tunnel_goes_upstream_only_where_the_session_may_reach_it(
    tmp_path: Path, record: bool
) -> None:
    runtime, router, seal = _sealed()
    if record:
        _record(runtime)
    counting = Counting()
    upstream = await asyncio.start_server(counting.greet, "127.0.0.1", 0)
    target = upstream.sockets[0].getsockname()[1]
    async with proxy(tmp_path, router, seal) as port:
        answer = await _tunnel(port, target)
    upstream.close()
    (entry,) = _history(runtime)
    assert (entry.request.method, entry.request.url, entry.protocol) == (
        "CONNECT",
        f"tcp://127.0.0.1:{target}",
        TrafficProtocol.TCP,
    )
    assert entry.request.body == b"SSH-2.0-client\r\n"
    if record:  # passed through, unrecorded
        assert (answer, counting.connections, entry.source) == (BANNER, 1, Source.UPSTREAM)
    else:
        assert (answer, counting.connections, entry.source) == (b"", 0, Source.MISS)
        assert entry.miss is not None and "mock mode sends nothing upstream" in entry.miss


def _connect(seal: Seal, address: tuple[str, int], client: connection.Client) -> str | None:
    server = connection.Server(address=address)
    seal.server_connect(server_hooks.ServerConnectionHookData(server, client))
    return server.error


def test_a_connection_nothing_says_is_not_http_is_refused_unjournaled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime, _, seal = _sealed()
    with caplog.at_level(logging.WARNING):
        refused = _connect(seal, ("api.test", 443), tflow.tclient_conn())
    assert refused is not None and "a connection to api.test:443 was refused" in refused
    assert _history(runtime) == [] and refused in caplog.text
    _record(runtime)
    assert _connect(seal, ("api.test", 443), tflow.tclient_conn()) is None  # an HTTP upstream
    assert _history(runtime) == []  # HTTP: the Journal journals its flows


def test_the_control_api_is_not_an_upstream() -> None:
    runtime, _, seal = _sealed()
    runtime.listeners["control"] = "http://127.0.0.1:8000"
    assert _connect(seal, ("localhost", 8000), tflow.tclient_conn()) is None
    assert _connect(seal, ("127.0.0.1", 8001), tflow.tclient_conn()) is not None


def test_what_a_connection_carries_comes_from_the_hooks_before_it_opens() -> None:
    runtime, _, seal = _sealed()
    udp, dns, tcp = tflow.tudpflow(), tflow.tdnsflow(), tflow.ttcpflow()
    seal.udp_start(udp)
    seal.dns_request(dns)
    seal.tcp_start(tcp)
    for flow in (udp, dns, tcp):
        seal.server_connect(
            server_hooks.ServerConnectionHookData(flow.server_conn, flow.client_conn)
        )
        assert flow.server_conn.error is not None
    seen = [(e.protocol, e.source, e.request.body) for e in _history(runtime)]
    assert seen == [
        (TrafficProtocol.UDP, Source.MISS, b""),
        (TrafficProtocol.DNS, Source.MISS, b"A dns.google"),
        (TrafficProtocol.TCP, Source.MISS, b""),
    ]


def test_the_session_is_that_of_the_connect() -> None:
    runtime, router, seal = _sealed()
    connect = tflow.tflow()
    connect.request.method = "CONNECT"
    connect.request.headers["Proxy-Authorization"] = "Basic YWxpY2U6eA=="  # alice:x
    router.http_connect(connect)
    runtime.store.open("alice", SessionProtocol.HTTP)
    _record(runtime, "alice")
    assert _connect(seal, ("db.test", 5432), connect.client_conn) is None
    assert _connect(seal, ("db.test", 5432), tflow.tclient_conn()) is not None  # default: mock


def test_dns_that_mitmproxy_resolves_itself_is_turned_away_at_once() -> None:
    runtime, _, seal = _sealed()
    client = tflow.tclient_conn()
    client.proxy_mode = mode_specs.ProxyMode.parse("dns")
    client.sockname = ("127.0.0.1", 5353)
    seal.client_connected(client)
    regular = tflow.tclient_conn()
    seal.client_connected(regular)
    assert client.error is not None and "DNS to 127.0.0.1:5353 was refused" in client.error
    assert regular.error is None
    (entry,) = _history(runtime)
    assert (entry.protocol, entry.source, entry.request.url) == (
        TrafficProtocol.DNS,
        Source.MISS,
        "dns://127.0.0.1:5353",
    )


@pytest.mark.parametrize(
    ("error", "record", "source"),
    [
        (
            "The client does not trust the proxy's certificate (tlsv1 alert unknown ca)",
            False,
            "miss",
        ),
        (
            "The client does not trust the proxy's certificate (tlsv1 alert unknown ca)",
            True,
            "error",
        ),
        ("The client disconnected during the handshake.", False, None),
    ],
)
def test_tls_the_client_would_not_let_pretenders_decrypt(
    error: str, record: bool, source: str | None
) -> None:
    runtime, _, seal = _sealed()
    if record:
        _record(runtime)
    client = tflow.tclient_conn()
    client.error = error
    context = Context(client, Options())
    context.server = connection.Server(address=("api.test", 443))
    seal.tls_failed_client(tls.TlsData(client, context))
    entries = _history(runtime)
    assert [str(e.source) for e in entries] == ([source] if source else [])
    if entries:
        assert (
            entries[0].protocol is TrafficProtocol.TLS
            and entries[0].request.url == "tls://api.test:443"
        )
        assert entries[0].error is not None and "pretenders env" in entries[0].error
