"""Each reach into mitmproxy's internals, exercised against the mitmproxy installed: when an upgrade
moves one, its test fails here (and so does the first, until the new version is added)."""

import asyncio
import contextlib
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from concurrent import futures
from pathlib import Path
from typing import Any

import aiohttp
import grpc
import pytest
from mitmproxy import http
from mitmproxy import io as mitm_io
from mitmproxy.addons import core, next_layer, proxyserver, tlsconfig
from mitmproxy.master import Master
from mitmproxy.net.http import url
from mitmproxy.options import Options
from mitmproxy.proxy import server as proxy_server
from mitmproxy.proxy.layers import http as http_layers
from mitmproxy.test import tflow, tutils
from mitmproxy.version import VERSION
from wsproto.utilities import generate_accept_token

from pretenders_proxy.model.stream import WsMessage
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.h2c import PriorKnowledge
from pretenders_proxy.proxy.hooks import HookCache
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.proxy.timeouts import UpstreamTimeout
from pretenders_proxy.server.reservations import Reservations
from pretenders_proxy.server.sockets import reset_on_close
from pretenders_proxy.store.player import Close, Step

CHECKED = ("12.2.3", "12.3.1")
"""The mitmproxy versions every test below passed with (pyproject allows >=12.2,<13)."""


def test_the_installed_mitmproxy_is_one_these_reaches_were_checked_against() -> None:
    assert VERSION in CHECKED, (
        f"mitmproxy {VERSION} is new here: run this file, fix what fails in "
        "pretenders_proxy/proxy/internals.py, then add the version to CHECKED"
    )


def test_the_addons_package_loads_one_addon_at_a_time() -> None:
    probe = (
        "import sys; from pretenders_proxy.proxy import internals; "
        "internals.load_addons_one_by_one(); "
        "from mitmproxy.addons import proxyserver; "
        "print('flask' in sys.modules, 'ldap3' in sys.modules, proxyserver.Proxyserver.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "Proxyserver"]


def test_message_typechecks_can_be_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = http.MessageData.__post_init__  # type: ignore[attr-defined]
    monkeypatch.setattr(http.MessageData, "__post_init__", checked)

    def wrongly_typed() -> object:
        version: bytes = "HTTP/1.1"  # type: ignore[assignment]
        return http.ResponseData(version, http.Headers(), b"", None, 0.0, None, 200, b"OK")

    with pytest.raises(TypeError, match="http_version"):
        wrongly_typed()
    internals.skip_message_typechecks()
    wrongly_typed()  # not checked any more
    assert tutils.tresp(content=b"fine").content == b"fine"


class Configured:
    def __init__(self) -> None:
        self.calls: list[set[str]] = []

    def configure(self, updated: set[str]) -> None:
        self.calls.append(updated)


async def test_the_addon_manager_is_replaced_and_configures_once() -> None:
    master = Master(Options(), with_termlog=False)
    manager = HookCache(master)
    internals.replace_addon_manager(master, manager)
    addon = Configured()
    master.addons.add(addon)
    master.options.update(listen_port=1234)
    assert master.addons is manager
    assert addon.calls == [{"listen_port"}]  # once: mitmproxy's own manager no longer listens


class Probe:
    """Answers /answer, breaks /reset off with a RST; lets anything else go upstream."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.faults: list[str | None] = []

    def request(self, flow: http.HTTPFlow) -> None:
        internals.stash(flow)["seen"] = True
        sock = internals.client_socket(flow)
        self.sockets.append(sock)
        if flow.request.path == "/answer":
            flow.response = http.Response.make(200, b"answered")
        elif flow.request.path == "/reset":
            reset_on_close(sock)
            flow.kill()

    def error(self, flow: http.HTTPFlow) -> None:
        self.faults.append(tags(flow).get("fault"))


@contextlib.asynccontextmanager
async def proxy(confdir: Path, *addons: object, port: int = 0) -> AsyncIterator[int]:
    """A mitmproxy Master in this loop with `addons` after the core ones; yields its port."""
    master = Master(Options(), with_termlog=False)
    master.addons.add(
        core.Core(), proxyserver.Proxyserver(), next_layer.NextLayer(), tlsconfig.TlsConfig()
    )
    master.addons.add(*addons)
    master.options.update(
        listen_host="127.0.0.1", listen_port=port, confdir=str(confdir), connection_strategy="lazy"
    )
    server: proxyserver.Proxyserver = master.addons.get("proxyserver")
    assert await server.setup_servers()
    try:
        yield server.listen_addrs()[0][1]
    finally:
        await server.servers.update([])


async def exchange(port: int, head: bytes) -> bytes:
    """What the proxy sends back to `head`, up to the connection's end (ConnectionResetError)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


def get(target: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()


async def test_the_client_socket_is_found_and_can_be_reset(tmp_path: Path) -> None:
    probe = Probe()
    async with proxy(tmp_path, probe) as port:
        assert (await exchange(port, get("http://x.test/answer"))).endswith(b"answered")
        with pytest.raises(ConnectionResetError):
            await exchange(port, get("http://x.test/reset"))
    assert len(probe.sockets) == 2 and all(hasattr(s, "setsockopt") for s in probe.sockets)


async def test_a_hanging_upstream_is_closed_into_a_502(tmp_path: Path) -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the proxy closes the connection
        writer.close()

    upstream = await asyncio.start_server(hang, "127.0.0.1", 0)
    where = upstream.sockets[0].getsockname()[1]
    timeout, probe = UpstreamTimeout(), Probe()
    async with proxy(tmp_path, probe, timeout) as port:
        timeout.seconds = 0.2
        answer = await exchange(port, get(f"http://127.0.0.1:{where}/hang"))
    upstream.close()
    assert answer.startswith(b"HTTP/1.1 502")
    assert "upstream did not answer within 0.2s" in str(probe.faults)


async def test_long_request_heads_are_refused(tmp_path: Path) -> None:
    internals.limit_request_heads(1024)
    try:
        async with proxy(tmp_path, Probe()) as port:
            long = get("http://x.test/answer").replace(
                b"Host", b"X-Big: " + b"a" * 2000 + b"\r\nHost"
            )
            assert (await exchange(port, long)).startswith(b"HTTP/1.1 431")
            assert (await exchange(port, get("http://x.test/answer"))).endswith(b"answered")
    finally:
        internals.limit_request_heads(64 * 1024)


async def test_heads_refused_before_a_flow_is_made_are_told(tmp_path: Path) -> None:
    told: list[tuple[int, bytes]] = []
    internals.limit_request_heads(1024, lambda client, status, got: told.append((status, got)))
    long = get("http://x.test/answer").replace(b"Host", b"X-Big: " + b"a" * 2000 + b"\r\nHost")
    try:
        async with proxy(tmp_path, Probe()) as port:
            bad = await exchange(port, b"GET http://x.test/ HTTP/1.1 junk\r\n\r\n")
            too_long = await exchange(port, long)
            fine = await exchange(port, get("http://x.test/answer"))
    finally:
        internals.limit_request_heads(64 * 1024)
    assert bad.startswith(b"HTTP/1.1 400") and too_long.startswith(b"HTTP/1.1 431")
    assert fine.endswith(b"answered")
    (malformed, head), (over, kept) = told
    assert (malformed, head) == (400, b"GET http://x.test/ HTTP/1.1 junk\r\n\r\n")
    assert over == 431 and long.startswith(kept) and len(kept) > 1024


async def test_shared_ports_take_several_listeners_and_other_ports_bind_as_before(
    tmp_path: Path,
) -> None:
    held = Reservations()
    port = held.reserve("127.0.0.1", 0)
    internals.share_ports([port])
    try:
        async with proxy(tmp_path, Probe(), port=port), proxy(tmp_path, Probe(), port=port):
            assert (await exchange(port, get("http://x.test/answer"))).endswith(b"answered")
            async with proxy(tmp_path, Probe()) as own:  # a session's own port: port 0
                assert own != port
                with pytest.raises(AssertionError):  # not shared: a second one cannot bind
                    async with proxy(tmp_path, Probe(), port=own):
                        pass
    finally:
        internals._SHARED_PORTS.discard(port)
        held.close()


class Front(asyncio.Protocol):
    """Answers a `/front` request itself; gives the connection to mitmproxy at any other."""

    def __init__(self, instance: object) -> None:
        self.instance = instance
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        while data.startswith(b"GET http://x.test/front "):
            data = data.split(b"\r\n\r\n", 1)[1]
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfront")
        if data:
            internals.stream_to(self.instance, self.transport, data)


async def test_a_front_takes_forward_proxy_connections_and_hands_them_to_mitmproxy(
    tmp_path: Path,
) -> None:
    held = Reservations()
    port = held.reserve("127.0.0.1", 0)
    internals.share_ports([port])
    kept = b"GET http://x.test/front HTTP/1.1\r\nHost: x.test\r\n\r\n"
    internals.front_listeners(Front)
    try:
        async with proxy(tmp_path, Probe(), port=port), proxy(tmp_path, Probe(), port=port):
            answer = await exchange(port, kept + kept + get("http://x.test/answer"))
            assert answer.startswith(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfront" * 2)
            assert answer.endswith(b"answered")
            internals.front_listeners(lambda instance: None)  # mitmproxy's own protocol
            assert (await exchange(port, get("http://x.test/answer"))).endswith(b"answered")
    finally:
        internals.front_listeners(None)
        internals._SHARED_PORTS.discard(port)
        held.close()


async def test_origin_form_requests_are_refused_in_regular_mode_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_layers, "validate_request", http_layers.validate_request)
    internals.refuse_origin_form(lambda request: f"no {request.path} for {request.host_header}")
    internals.refuse_origin_form(lambda request: "installed twice, checked once")
    async with proxy(tmp_path, Probe()) as port:
        refused = await exchange(port, get("/answer"))
        assert refused.startswith(b"HTTP/1.1 400") and b"installed twice" in refused
        assert (await exchange(port, get("http://x.test/answer"))).endswith(b"answered")


async def test_request_heads_begun_are_timed(tmp_path: Path) -> None:
    internals.time_request_heads(0.3)
    try:
        async with proxy(tmp_path, Probe()) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                # a whole request first (keep-alive), then a head that stops half-way
                whole = get("http://x.test/answer").replace(b"Connection: close\r\n", b"")
                writer.write(whole + b"GET http://x.test/answer HTTP/1.1\r\nHost: x\r\n")
                answer = await asyncio.wait_for(reader.read(), 10)
            finally:
                writer.close()
            assert answer.startswith(b"HTTP/1.1 200") and b"answered" in answer
            assert b"HTTP/1.1 408" in answer and b"within 0.3s (--header-timeout)" in answer
    finally:
        internals.time_request_heads(None)


async def test_the_idle_timeout_never_ends_inside_a_hook() -> None:
    internals.idle_timer_waits_for_hooks()
    fired: list[float] = []

    async def close() -> None:
        fired.append(asyncio.get_running_loop().time())

    watchdog = proxy_server.TimeoutWatchdog(0.3, close)  # type: ignore[arg-type]
    with watchdog.disarm():  # a hook runs as the connection starts: the watchdog waits
        watching = asyncio.create_task(watchdog.watch())  # noqa: TID251 - a test's own task
        await asyncio.sleep(0.05)
    with watchdog.disarm():  # the next hook begins as that one ends, and outlasts the timeout
        await asyncio.sleep(0.6)
        assert fired == [], "closed during a hook"
    try:
        await asyncio.wait_for(watching, 5)  # idle again after the hook: it closes
        assert len(fired) == 1
    finally:
        watching.cancel()


class Versions:
    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes | None]] = []

    def response(self, flow: http.HTTPFlow) -> None:
        self.seen.append((flow.request.http_version, flow.server_conn.alpn))


async def test_h2c_is_served_and_spoken_upstream(tmp_path: Path) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    echo = grpc.unary_unary_rpc_method_handler(lambda request, context: b"echo: " + request)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("t.S", {"E": echo}),))
    where = server.add_insecure_port("127.0.0.1:0")
    server.start()
    versions = Versions()
    try:
        async with proxy(tmp_path, PriorKnowledge(), versions) as port:
            options = [("grpc.http_proxy", f"http://127.0.0.1:{port}")]
            with grpc.insecure_channel(f"127.0.0.1:{where}", options=options) as channel:
                call = channel.unary_unary("/t.S/E")
                answer = await asyncio.to_thread(call, b"h2c", timeout=10)
    finally:
        server.stop(grace=None)
    assert answer == b"echo: h2c"
    assert versions.seen == [("HTTP/2.0", b"h2")]  # served HTTP/2, and spoke it upstream


class Refuser:
    def client_connected(self, client: Any) -> None:
        internals.refuse_client(client, b"HTTP/1.1 503 Service Unavailable\r\n\r\nfull")


async def test_a_refused_client_is_told_why_and_closed(tmp_path: Path) -> None:
    async with proxy(tmp_path, Refuser()) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            answer = await asyncio.wait_for(reader.read(), 10)
        finally:
            writer.close()
    assert answer == b"HTTP/1.1 503 Service Unavailable\r\n\r\nfull"


def test_the_stash_is_neither_saved_nor_copied() -> None:
    flow = tflow.tflow(resp=True)
    internals.stash(flow)["converted"] = object()
    tags(flow)["session"] = "saved"
    assert "converted" not in str(flow.get_state())
    assert "converted" not in internals.stash(flow.copy())
    saved = io.BytesIO()
    mitm_io.FlowWriter(saved).add(flow)
    (loaded,) = mitm_io.FlowReader(io.BytesIO(saved.getvalue())).stream()
    assert "converted" not in internals.stash(loaded)
    assert tags(loaded) == {"session": "saved"}  # type: ignore[arg-type]


# The two tests below (pace_responses, and trailers over HTTP/1) were checked with 12.3.1 only.


class Player:
    """Answers every request with the body `abc` in three pieces 0.2 s apart (trailer `x-t: 1`);
    /sized says Content-Length, anything else is chunked."""

    def request(self, flow: http.HTTPFlow) -> None:
        framing = ("Content-Length", "3") if flow.request.path == "/sized" else None
        flow.response = http.Response.make(200, b"abc", dict([framing] if framing else []))
        if framing is None:
            flow.response.headers["Transfer-Encoding"] = "chunked"
            del flow.response.headers["Content-Length"]
            flow.response.trailers = http.Headers(x_t="1")
        internals.play(flow, [(0.0, b"a"), (0.2, b"b"), (0.4, b"c")])


async def arrivals(port: int, head: bytes) -> list[tuple[float, bytes]]:
    """What the proxy sends back to `head`, as it arrives: (seconds after sending, bytes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    start, seen = loop.time(), []
    try:
        writer.write(head)
        while data := await asyncio.wait_for(reader.read(65536), 10):
            seen.append((loop.time() - start, data))
    finally:
        writer.close()
    return seen


async def test_a_response_given_a_schedule_is_sent_piece_by_piece_with_its_trailers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_layers, "HttpStream", http_layers.HttpStream)
    internals.pace_responses()
    internals.limit_request_heads(64 * 1024)  # the HTTP/1 server side that sends trailers
    async with proxy(tmp_path, Player()) as port:
        chunked = await arrivals(port, get("http://x.test/chunked"))
        sized = await arrivals(port, get("http://x.test/sized"))
    first, second, *rest = chunked
    assert first[1].startswith(b"HTTP/1.1 200") and first[1].endswith(b"\r\n\r\n1\r\na\r\n")
    assert second[1] == b"1\r\nb\r\n"
    assert b"".join(data for _, data in rest) == b"1\r\nc\r\n0\r\nx-t: 1\r\n\r\n"
    assert 0.15 < second[0] - first[0] < 0.35 and 0.15 < rest[0][0] - second[0] < 0.35
    assert b"".join(data for _, data in sized).endswith(b"Content-Length: 3\r\n\r\nabc")
    assert len(sized) >= 3  # the pieces as they came, not one lump


async def test_a_client_leaving_mid_play_stops_it_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(http_layers, "HttpStream", http_layers.HttpStream)
    internals.pace_responses()
    async with proxy(tmp_path, Player()) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(get("http://x.test/chunked"))
        assert (await asyncio.wait_for(reader.read(65536), 10)).startswith(b"HTTP/1.1 200")
        writer.close()  # after the first piece, before the others
        await asyncio.sleep(0.6)  # past the pieces' due times
        assert (await exchange(port, get("http://x.test/sized"))).endswith(b"abc")
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


async def test_websocket_urls_are_taken_as_http_and_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_layers, "validate_request", http_layers.validate_request)
    monkeypatch.setattr(url, "default_port", url.default_port)
    monkeypatch.setattr(internals, "_websocket_urls", False)
    async with proxy(tmp_path, Probe()) as port:
        refused = await exchange(port, get("ws://x.test:80/answer"))
        internals.take_websocket_urls()
        plain = await exchange(port, get("ws://x.test/answer"))
        secure = await exchange(port, get("WSS://x.test/answer"))
    assert refused.startswith(b"HTTP/1.1 400") and b"Invalid request scheme: ws" in refused
    assert plain.endswith(b"answered") and secure.endswith(b"answered")


class Echo:
    """A player: says hello, echoes each message, closes with 4000 on `quit`."""

    def opening(self) -> list[Step]:
        return [WsMessage(False, b"hello")]

    def hear(self, message: WsMessage) -> list[Step]:
        if message.data == b"quit":
            return [Close(4000, "as asked")]
        return [WsMessage(False, message.data, message.text)]


class Plays:
    """Answers every request with a 101 whose WebSocket `player` serves; keeps the flows."""

    def __init__(self, player: type[Echo] = Echo) -> None:
        self.player = player
        self.flows: list[http.HTTPFlow] = []

    def request(self, flow: http.HTTPFlow) -> None:
        key = flow.request.headers["Sec-WebSocket-Key"].encode()
        flow.response = http.Response.make(101)
        flow.response.headers.update(
            Upgrade="websocket", Connection="Upgrade", **{"Sec-WebSocket-Accept": ""}
        )
        flow.response.headers["Sec-WebSocket-Accept"] = generate_accept_token(key).decode()
        internals.play_websocket(flow, self.player())
        self.flows.append(flow)


async def test_a_played_websocket_is_served_with_no_server_connection(tmp_path: Path) -> None:
    internals.take_websocket_urls()
    internals.serve_websockets()
    plays = Plays()
    async with proxy(tmp_path, plays) as port, aiohttp.ClientSession() as client:
        target, via = "ws://127.0.0.1:1/chat", f"http://127.0.0.1:{port}"
        async with client.ws_connect(target, proxy=via, autoping=False) as socket:
            assert await socket.receive_str(timeout=5) == "hello"
            await socket.send_bytes(b"\x00\x01")
            assert await socket.receive_bytes(timeout=5) == b"\x00\x01"
            await socket.ping(b"p")
            pong = await socket.receive(timeout=5)
            await socket.send_str("quit")
            closing = await socket.receive(timeout=5)
        async with client.ws_connect(target, proxy=via) as socket:
            await socket.receive_str(timeout=5)
            await socket.close(code=1000)  # the client closes: answered, no server to tell
    await asyncio.sleep(0.1)  # aiohttp closes transports on the next turns of the loop
    assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"p")
    assert (closing.type, closing.data, closing.extra) == (
        aiohttp.WSMsgType.CLOSE,
        4000,
        "as asked",
    )
    first, second = (flow.websocket for flow in plays.flows)
    assert first is not None and second is not None
    assert [(m.from_client, m.content) for m in first.messages][:3] == [
        (False, b"hello"),
        (True, b"\x00\x01"),
        (False, b"\x00\x01"),
    ]
    assert (first.close_code, first.closed_by_client) == (4000, False)
    assert (second.close_code, second.closed_by_client) == (1000, True)


class Broken(Echo):
    def hear(self, message: WsMessage) -> list[Step]:
        raise RuntimeError("a bug")


async def test_bad_frames_and_a_failing_player_close_the_socket_not_the_proxy(
    tmp_path: Path,
) -> None:
    internals.take_websocket_urls()
    internals.serve_websockets()
    plays = Plays()
    upgrade = (
        b"GET ws://127.0.0.1:1/chat HTTP/1.1\r\nHost: 127.0.0.1:1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    async with proxy(tmp_path, plays) as port:
        # an unmasked frame with a reserved opcode: a protocol error (1002)
        answer = await exchange(port, upgrade + b"\x83\x00")
        assert answer.startswith(b"HTTP/1.1 101") and b"\x88" in answer  # a close frame
        code = answer[answer.index(b"\x88") + 2 : answer.index(b"\x88") + 4]
        assert int.from_bytes(code) == 1002
        plays.player = Broken
        async with aiohttp.ClientSession() as client:
            via = f"http://127.0.0.1:{port}"
            async with client.ws_connect("ws://127.0.0.1:1/chat", proxy=via) as socket:
                assert await socket.receive_str(timeout=5) == "hello"
                await socket.send_str("boom")
                closing = await socket.receive(timeout=5)
    await asyncio.sleep(0.1)  # aiohttp closes transports on the next turns of the loop
    assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 1011)
