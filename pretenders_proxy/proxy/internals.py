"""Every place pretenders reaches into mitmproxy's internals, each a function saying what it relies
on. tests/pretenders_proxy/proxy/test_internals.py exercises each one and names the mitmproxy
versions they were checked against: an upgrade that moves one fails there, loudly.

Importing this module loads neither `mitmproxy.addons` nor `mitmproxy.master` (the entry point
calls `load_addons_one_by_one` before mitmproxy is loaded; see server/startup.py).
"""

import asyncio
import importlib.util
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import mitmproxy
import wsproto
import wsproto.events
from mitmproxy import connection, ctx, http
from mitmproxy.net.free_port import get_free_port
from mitmproxy.net.http import url
from mitmproxy.proxy import commands, events, layer, mode_servers, mode_specs
from mitmproxy.proxy import server as proxy_server
from mitmproxy.proxy.layers import http as http_layers
from mitmproxy.proxy.layers import websocket as websocket_layers
from mitmproxy.proxy.layers.http import _events, _hooks, _http1
from mitmproxy.websocket import WebSocketMessage
from wsproto.connection import ConnectionState
from wsproto.frame_protocol import Opcode

from pretenders_proxy.model.stream import WsMessage
from pretenders_proxy.store.player import Close, Step

if TYPE_CHECKING:
    from mitmproxy.addonmanager import AddonManager
    from mitmproxy.master import Master

logger = logging.getLogger(__name__)
_url_default_port = url.default_port


def load_addons_one_by_one() -> None:
    """Let `import mitmproxy.addons.<name>` load that addon alone: the package is registered
    without running its `__init__`, which imports every addon mitmproxy has (flask, ldap3, ...:
    over a second) to build the default list pretenders never uses.

    Relies on: nothing in `mitmproxy.addons.<name>` needing what the package `__init__` sets up.
    """
    if "mitmproxy.addons" in sys.modules:
        return
    spec = importlib.util.find_spec("mitmproxy.addons")
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    sys.modules["mitmproxy.addons"] = package
    mitmproxy.addons = package


def skip_message_typechecks() -> None:
    """Leave out the type check mitmproxy runs on every field of every HTTP message it makes.

    Relies on: `http.MessageData.__post_init__` doing nothing but those checks (under
    `if __debug__`), so that a no-op in its place changes nothing else.
    """
    if "__post_init__" in vars(http.MessageData):
        http.MessageData.__post_init__ = _unchecked  # type: ignore[method-assign]


def _unchecked(self: object) -> None:
    """MessageData.__post_init__ without its type checks."""


type HeadRefused = Callable[[connection.Client, int, bytes], None]
"""Told of each request head refused with no flow made: (client, status sent, bytes received)."""


class LimitedHttp1Server(_http1.Http1Server):
    """mitmproxy's HTTP/1 server side, refusing a request head longer than `max_head` bytes
    (431), or one begun but not complete within `head_timeout` seconds (408, when set), and
    telling `on_refused` of each head it refuses without making a flow (so no hook hears of it)."""

    max_head: ClassVar[int] = 64 * 1024
    on_refused: ClassVar[HeadRefused | None] = None
    head_timeout: ClassVar[float | None] = None
    deadline: commands.RequestWakeup | None = None
    """The wakeup timing the request head being read now (None: none begun, or no timeout)."""

    trailers: http.Headers | None = None
    """Trailers waiting for the end of a chunked response (HTTP/1 carries them in its last
    chunk); mitmproxy's Http1Server refuses them with an AssertionError."""

    def send(self, event: _events.HttpEvent) -> layer.CommandGenerator[None]:
        if isinstance(event, _events.ResponseTrailers):
            self.trailers = event.trailers  # unless chunked, HTTP/1 cannot carry them: dropped
            return
        if isinstance(event, _events.ResponseEndOfMessage) and self.trailers is not None:
            trailers, self.trailers = self.trailers, None
            if (ending := self._chunked_end(trailers)) is not None:
                yield commands.SendData(self.conn, ending)
                yield from self.mark_done(response=True)
                return
        yield from super().send(event)

    def _chunked_end(self, trailers: http.Headers) -> bytes | None:
        """The last chunk of the response with `trailers`, if it is chunked (and not to a HEAD)."""
        request, response = self.request, self.response
        if request is None or response is None or request.method.upper() == "HEAD":
            return None
        if "chunked" not in response.headers.get("transfer-encoding", "").lower():
            return None
        lines = b"".join(b"%s: %s\r\n" % (name, value) for name, value in trailers.fields)
        return b"0\r\n" + lines + b"\r\n"

    def _handle_event(self, event: events.Event) -> layer.CommandGenerator[None]:
        if isinstance(event, events.Wakeup):  # only ever ours: Http1Server asks for none
            if event.command is self.deadline and self.state == self.read_headers:
                problem = f"the request head did not arrive within {event.command.delay:g}s"
                yield from self._refuse(408, problem + " (--header-timeout)", bytes(self.buf))
            return
        yield from super()._handle_event(event)

    def read_headers(self, event: events.ConnectionEvent) -> layer.CommandGenerator[None]:
        limit = self.max_head
        if isinstance(event, events.DataReceived) and len(self.buf) > limit:
            head = bytes(self.buf)[: limit + 4]  # only ever copied past the limit
            if b"\r\n\r\n" not in head and b"\n\n" not in head:
                problem = f"the request line and headers are over {limit} bytes"
                yield from self._refuse(431, problem, head)
                return
        yield from super().read_headers(event)
        if self.state == self.done and self.request is None:
            # mitmproxy could not parse the head: it sent a 400 and closed, making no flow
            self._refused(400, event.data if isinstance(event, events.DataReceived) else b"")
        if self.state != self.read_headers:
            self.deadline = None  # the head is complete (or refused)
        elif self.buf and self.deadline is None and self.head_timeout is not None:
            # Most heads arrive whole in one read: only one left incomplete is timed.
            self.deadline = commands.RequestWakeup(self.head_timeout)
            yield self.deadline

    def _refuse(self, status: int, problem: str, received: bytes) -> layer.CommandGenerator[None]:
        yield commands.SendData(self.conn, _http1.make_error_response(status, problem))
        yield commands.CloseConnection(self.conn)
        self.state = self.done
        self.deadline = None
        self._refused(status, received)

    def _refused(self, status: int, received: bytes) -> None:
        if (told := LimitedHttp1Server.on_refused) is not None and isinstance(
            self.conn, connection.Client
        ):
            try:
                told(self.conn, status, received)
            except Exception:  # journaling a refusal must not break the connection handler
                logger.exception("journaling a refused request head failed")


def limit_request_heads(max_head: int, on_refused: HeadRefused | None = None) -> None:
    """Make mitmproxy's HTTP layer refuse HTTP/1 request heads over `max_head` bytes with a 431,
    and tell `on_refused` of every head refused without a flow (too long, or malformed: a 400).

    Relies on: the private `_http1.Http1Server` (its `read_headers` state, `buf`, `state`,
    `done`, `request` (None until a head parses), `conn`, and `make_error_response`), looked up
    as `layers.http.Http1Server` by the HTTP layer each time it starts serving a client.
    """
    LimitedHttp1Server.max_head = max_head
    LimitedHttp1Server.on_refused = on_refused
    http_layers.Http1Server = LimitedHttp1Server  # type: ignore[attr-defined]


_validate_request = http_layers.validate_request
"""mitmproxy's own check, which `_validate` runs after ours (installed once, however often)."""
_origin_form: Callable[[http.Request], str] | None = None
WEBSOCKET_SCHEMES = {"ws": "http", "wss": "https"}
_websocket_urls = False


def _validate(
    mode: http_layers.HTTPMode, request: http.Request, validate_inbound_headers: bool
) -> str | None:
    """mitmproxy's `validate_request`, after what `refuse_origin_form` and `take_websocket_urls`
    asked for."""
    if _websocket_urls and request.scheme in WEBSOCKET_SCHEMES:
        request.scheme = WEBSOCKET_SCHEMES[request.scheme]
    if _origin_form is not None and mode is http_layers.HTTPMode.regular and not request.host:
        return _origin_form(request)
    return _validate_request(mode, request, validate_inbound_headers)


def refuse_origin_form(message: Callable[[http.Request], str]) -> None:
    """Make mitmproxy's forward-proxy mode answer an origin-form request (`GET /x` with a Host
    header, not `GET http://host/x`) with a 400 saying `message(request)`, instead of sending it
    to the host its Host header names.

    Relies on: the HTTP layer checking each request head with the module-level
    `validate_request(mode, request, validate_inbound_headers)` before it takes an origin-form
    request's destination from its Host header (`request.host` is still "" then), and answering
    the error it returns with a 400; CONNECT tunnels and reverse listeners have other modes.
    """
    global _origin_form
    _origin_form = message
    http_layers.validate_request = _validate


def take_websocket_urls() -> None:
    """Make the forward proxy take a request whose target is a `ws://` or `wss://` URL (aiohttp's
    `ws_connect` sends `GET ws://host/x` to a proxy) as the `http://` or `https://` one it is:
    mitmproxy refuses it ("Invalid request scheme: ws"), or, with no port in the URL, cannot
    parse it ("Bad HTTP request line").

    Relies on: what `refuse_origin_form` does, and on HTTP/1's `_read_request_line` taking the
    port a URL leaves out from the module-level `url.default_port(scheme)`.
    """
    global _websocket_urls
    _websocket_urls = True
    url.default_port = _default_port
    http_layers.validate_request = _validate


def _default_port(scheme: Any) -> int | None:
    """mitmproxy's `url.default_port`, knowing `ws` (80) and `wss` (443) too."""
    name = scheme.decode() if isinstance(scheme, bytes) else scheme
    return _url_default_port(WEBSOCKET_SCHEMES.get(name, scheme))


def time_request_heads(seconds: float | None) -> None:
    """Make mitmproxy's HTTP layer answer an HTTP/1 request head begun but not complete within
    `seconds` with a 408 and close the connection (None: never). mitmproxy's only timeout is
    its idle one (`tcp_timeout`), which every byte restarts: a head sent a byte at a time would
    hold the connection forever.

    Relies on: what `limit_request_heads` does, and on the HTTP layer routing the `Wakeup` of a
    `RequestWakeup` its Http1Server yields back to that Http1Server (as for HTTP/2 pings).
    """
    LimitedHttp1Server.head_timeout = seconds
    http_layers.Http1Server = LimitedHttp1Server  # type: ignore[attr-defined]


_SHARED_PORTS: set[int] = set()
_listen = mode_servers.AsyncioServerInstance.listen
type Front = Callable[[Any], asyncio.Protocol | None]
_front: Front | None = None


def share_ports(ports: Iterable[int]) -> None:
    """Make mitmproxy's TCP listeners on `ports` share them with other processes listening
    there too (SO_REUSEPORT: --workers, where the kernel spreads connections over them); any
    other listener (a session's own port, always port 0) binds as before.

    Relies on: `AsyncioServerInstance.listen(host, port)` being where every TCP listener of a
    mode binds, by `asyncio.start_server(self.handle_stream, host, port)` for a `tcp` mode.
    """
    _SHARED_PORTS.update(ports)
    mode_servers.AsyncioServerInstance.listen = _listen_here  # type: ignore[method-assign]


def front_listeners(front: Front | None) -> None:
    """Make each forward-proxy (regular mode) listener mitmproxy opens from now on take every
    connection with the protocol `front(instance)` makes (None from it: mitmproxy's own), which
    may give the connection to mitmproxy with `stream_to`; None: mitmproxy's protocol again.

    Relies on: what `share_ports` relies on, and on a TCP listener giving each connection
    only to `handle_stream(reader, writer)`, through asyncio's StreamReaderProtocol.
    """
    global _front
    _front = front
    mode_servers.AsyncioServerInstance.listen = _listen_here  # type: ignore[method-assign]


def stream_to(
    instance: Any, transport: asyncio.Transport, data: bytes, *, paused: bool = False
) -> None:
    """Give the connection `transport` (its protocol a `front_listeners` one) to mitmproxy's
    listener `instance` as `asyncio.start_server` would have, `data` read already; `paused`:
    the transport told the protocol before to pause writing, and has not said to resume."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**16, loop=loop)  # start_server's
    protocol = asyncio.StreamReaderProtocol(reader, instance.handle_stream, loop=loop)
    transport.set_protocol(protocol)
    protocol.connection_made(transport)  # starts handle_stream as a task
    if paused:  # its writer drains until the transport resumes writing (it tells this one)
        protocol.pause_writing()
    if data:
        protocol.data_received(data)


async def _listen_here(self: Any, host: str, port: int) -> list[Any]:
    shared = port in _SHARED_PORTS
    front = _front if isinstance(self.mode, mode_specs.RegularMode) else None
    if self.mode.transport_protocol != "tcp" or (front is None and not shared):
        return await _listen(self, host, port)
    if front is None:
        return [await asyncio.start_server(self.handle_stream, host, port, reuse_port=True)]
    if port == 0 and (free := get_free_port()):  # one port for IPv4 and IPv6, as mitmproxy's
        try:
            return await _listen_here(self, host, free)
        except Exception as e:
            logger.debug("failed to listen on a single port (%r), falling back", e)
    loop = asyncio.get_running_loop()

    def protocol() -> asyncio.Protocol:
        made = front(self)
        if made is not None:
            return made
        reader = asyncio.StreamReader(limit=2**16, loop=loop)
        return asyncio.StreamReaderProtocol(reader, self.handle_stream, loop=loop)

    return [await loop.create_server(protocol, host, port, reuse_port=shared or None)]


H2 = b"h2"


def serve_h2c(client: connection.Client) -> None:
    """Make the HTTP layer about to serve `client` (plaintext, having sent the HTTP/2 preface)
    speak HTTP/2 to it: h2c with prior knowledge, as gRPC clients do in a CONNECT tunnel.

    Relies on: the HTTP layer choosing its Http2Server, when it starts, by `client.alpn ==
    b"h2"` alone (TLS or not), and that server reading the client's preface itself.
    """
    client.alpn = H2


def speaks_h2c(client: connection.Client) -> bool:
    """Whether `serve_h2c` made `client` an h2c client."""
    return client.alpn == H2 and not client.tls


def connect_h2c(server: connection.Server) -> None:
    """Make the HTTP layer speak HTTP/2 with prior knowledge on `server`, a plaintext upstream
    connection about to open (mitmproxy would speak HTTP/1.1 to it).

    Relies on: `HttpClient` (and the HTTP layer, when the server speaks first) choosing
    Http2Client by `server.alpn == b"h2"` once the connection is open, TLS or not, and nothing
    resetting `alpn` on a connection without TLS.
    """
    server.alpn = H2


def idle_timer_waits_for_hooks() -> None:
    """Make the idle timeout (`tcp_timeout`) never close a connection while an addon hook runs
    (a preset's `after` delay). mitmproxy's watchdog is disarmed around each hook, but checks
    that only before each countdown: when one hook ends and the next begins at once, the
    countdown the first one's end released still runs, and expires inside the second (seen:
    2 to 5 in 24 proxied presets with `after: 3` cut at a 2 s idle timeout). Its `watch` here
    checks again when a countdown ends.

    Relies on: `server.TimeoutWatchdog.watch` being the task each connection handler runs, and
    the watchdog's `can_timeout` (set unless a hook runs), `last_activity`, `timeout` and
    `callback`, as mitmproxy's own `watch` uses them.
    """
    proxy_server.TimeoutWatchdog.watch = _watch  # type: ignore[method-assign]


async def _watch(self: Any) -> None:
    """mitmproxy's TimeoutWatchdog.watch, closing only when no hook runs at the countdown's end."""
    try:
        while True:
            await self.can_timeout.wait()
            await asyncio.sleep(self.timeout - (time.time() - self.last_activity))
            idle = self.last_activity + self.timeout < time.time()
            if idle and self.can_timeout.is_set():
                await self.callback()
                return
    except asyncio.CancelledError:
        return


def replace_addon_manager(master: "Master", manager: "AddonManager") -> None:
    """Make `manager` (made for `master`, before any addon is added) the addon manager of `master`.

    Relies on: `Master.__init__` making an AddonManager whose private `_configure_all` listens to
    `options.changed`; it is disconnected here, or each option change would configure every
    addon twice (`manager` listens with its own).
    """
    master.options.changed.disconnect(master.addons._configure_all)
    master.addons = manager


def _handler(flow: http.HTTPFlow) -> Any:
    """The ConnectionHandler serving the flow's client: Proxyserver.connections by client id."""
    return ctx.master.addons.get("proxyserver").connections[flow.client_conn.id]


def client_socket(flow: http.HTTPFlow) -> socket.socket | None:
    """The socket of the flow's client connection; None when it is gone (or this moved).

    Relies on: `Proxyserver.connections` (by client id) and the handler's `transports[client]`,
    whose `writer` is an asyncio StreamWriter.
    """
    try:
        transport = _handler(flow).transports[flow.client_conn]
        found: socket.socket | None = transport.writer.get_extra_info("socket")
    except (AttributeError, KeyError) as e:
        logger.debug("no socket for the client of %s: %r", flow.request.url, e)
        return None
    return found


def client_transport(flow: http.HTTPFlow) -> object | None:
    """The asyncio transport of the flow's client connection; None when it is gone.

    Relies on: what `client_socket` relies on.
    """
    try:
        found: object = _handler(flow).transports[flow.client_conn].writer.transport
    except (AttributeError, KeyError):
        return None
    return found


def has_upstream(flow: http.HTTPFlow) -> bool:
    """Whether the flow's client and its upstream connection are both still open.

    Relies on: `Proxyserver.connections` and the handler's `transports` (by connection).
    """
    proxyserver = ctx.master.addons.get("proxyserver")
    handler = proxyserver and proxyserver.connections.get(flow.client_conn.id)
    return handler is not None and flow.server_conn in handler.transports


def close_upstream(flow: http.HTTPFlow) -> None:
    """Close the flow's upstream connection; mitmproxy then answers the client with a 502.

    Relies on: the handler's `close_connection(connection)`.
    """
    _handler(flow).close_connection(flow.server_conn)


def refuse_client(client: connection.Client, answer: bytes) -> None:
    """Send `answer` to a client just connected, then close it: mitmproxy kills a client whose
    `error` is set by a `client_connected` hook, without a word.

    Relies on: `Proxyserver.connections` (by client id) holding the client's handler by the
    time `client_connected` runs, and its `transports[client].writer`; mitmproxy's kill then
    closes that writer, which sends what was written first.
    """
    client.error = "refused: too many connections (--max-connections)"
    try:
        handler = ctx.master.addons.get("proxyserver").connections[client.id]
        handler.transports[client].writer.write(answer)
    except (AttributeError, KeyError) as e:
        logger.debug("no writer for client %s: %r", client.peername, e)


def stash(flow: http.HTTPFlow) -> dict[str, Any]:
    """Where to keep what our addons work out once per flow and mitmproxy must never save.

    Relies on: flows keeping a `__dict__` (no `__slots__`) that `get_state()`, and so saving and
    copying a flow, ignores: it names the fields it saves.
    """
    return flow.__dict__


type Schedule = Sequence[tuple[float, bytes]]
"""The pieces of a response body, each with when it is due (seconds after the headers)."""
_PLAY = "_pretenders_play"


def play(flow: http.HTTPFlow, schedule: Schedule) -> None:
    """Have the response the flow is given (`flow.response`, whose body is the pieces joined)
    sent piece by piece: the headers, then each piece as its own write when it is due, then
    the response's trailers. Takes effect once `pace_responses` has run."""
    stash(flow)[_PLAY] = schedule


def pace_responses() -> None:
    """Make mitmproxy's HTTP layer play the responses `play` was given a schedule for.

    Relies on: the HTTP layer making each stream as the module-level `HttpStream(context,
    stream_id)`; `HttpStream.send_response` (the response hook, `check_killed`, then headers,
    body, trailers and `flow_done` once `client_state` is `state_done`), its `server_state`,
    `handle_protocol_error`, and `SendHttp` of `ResponseHeaders`/`ResponseData`/
    `ResponseTrailers` to `context.client`; on a layer's `_handle_event` being replaceable per
    instance (mitmproxy does so itself for upgrades: `passthrough`); and on the HTTP layer
    routing the `Wakeup` of a `RequestWakeup` a stream yields back to that stream
    (`HttpLayer.command_sources`).
    """
    http_layers.HttpStream = PacedHttpStream  # type: ignore[misc]


@dataclass(slots=True)
class _Playing:
    schedule: Schedule
    start: float
    next: int = 0
    wakeup: commands.RequestWakeup | None = None


class PacedHttpStream(http_layers.HttpStream):
    """mitmproxy's HTTP stream, sending a response given a schedule (`play`) piece by piece,
    waiting between pieces with wakeups (the layers cannot sleep)."""

    playing: _Playing | None = None

    def _while_playing(self, event: events.Event) -> layer.CommandGenerator[None]:
        """The stream's event handler while it plays (only then: no cost to other streams)."""
        if isinstance(event, events.Wakeup):  # only ever ours: HttpStream asks for none
            if self.playing is not None and event.command is self.playing.wakeup:
                yield from self._play()
            return
        yield from http_layers.HttpStream._handle_event(self, event)

    def send_response(self, already_streamed: bool = False) -> layer.CommandGenerator[None]:
        flow = self.flow
        schedule = stash(flow).pop(_PLAY, None)
        if already_streamed or not schedule or flow.response is None:
            yield from super().send_response(already_streamed)
            return
        flow.response.timestamp_end = time.time()
        yield _hooks.HttpResponseHook(flow)
        self.server_state = self.state_done
        if (yield from self.check_killed(False)):
            return
        head = _events.ResponseHeaders(self.stream_id, flow.response, end_stream=False)
        yield http_layers.SendHttp(head, self.context.client)
        self.server_state = self.state_playing
        self.playing = _Playing(schedule, time.monotonic())
        self._handle_event = self._while_playing
        yield from self._play()

    def _play(self) -> layer.CommandGenerator[None]:
        """Send every piece that is due, then wait for the next; at the end, finish the flow."""
        playing = self.playing
        assert playing is not None and self.flow.response is not None
        client = self.context.client
        while playing.next < len(playing.schedule):
            due, data = playing.schedule[playing.next]
            wait = playing.start + due - time.monotonic()
            if wait > 0.0005:
                playing.wakeup = commands.RequestWakeup(wait)
                yield playing.wakeup
                return
            playing.next += 1
            if data:  # an empty chunk would end a chunked body
                yield http_layers.SendHttp(_events.ResponseData(self.stream_id, data), client)
        self._stop()
        if trailers := self.flow.response.trailers:
            yield http_layers.SendHttp(_events.ResponseTrailers(self.stream_id, trailers), client)
        if self.client_state == self.state_done:
            yield from self.flow_done()

    def state_playing(self, _: events.Event) -> layer.CommandGenerator[None]:
        """While playing, nothing comes from a server (there is none)."""
        yield from ()

    def handle_protocol_error(
        self,
        event: _events.RequestProtocolError | _events.ResponseProtocolError,
    ) -> layer.CommandGenerator[None]:
        if self.playing is not None:  # the client went away mid-play: stop, quietly
            self._stop()
        yield from super().handle_protocol_error(event)

    def _stop(self) -> None:
        """Done playing: back to mitmproxy's own handler, as a stream whose response is sent."""
        self.playing = None
        self.server_state = self.state_done
        if self._handle_event == self._while_playing:
            del self._handle_event


class WsPlayer(Protocol):
    """The server's side of a WebSocket that pretenders answers itself (store.player)."""

    def opening(self) -> list[Step]: ...
    def hear(self, message: WsMessage) -> list[Step]: ...


_PLAYER = "_pretenders_ws_player"


def play_websocket(flow: http.HTTPFlow, player: WsPlayer) -> None:
    """Have `player` be the server of the WebSocket that follows the flow's 101 (set by an addon
    at the latest in the `response` hook), instead of an upstream: see `serve_websockets`."""
    stash(flow)[_PLAYER] = player


def serve_websockets() -> None:
    """Make mitmproxy's WebSocket layer play the server itself for a flow given a player
    (`play_websocket`): mitmproxy relays every frame to the server connection, which an
    answered 101 never opened; its HTTP layer then fails on the first frame it must send there
    (a close, a ping, a client message not dropped). Other WebSockets are relayed as before.

    Relies on: the HTTP layer making `layers.websocket.WebsocketLayer(context, flow)` (looked up
    at each upgrade) with client frames as `DataReceived`/`ConnectionClosed` of the client; its
    `WebsocketConnection` (wsproto, with `send2` and `frame_buf`), the start, message and end
    hooks, `WebSocketMessageInjected` (`inject.websocket`) and `flow.websocket`'s fields.
    """
    websocket_layers.WebsocketLayer = PlayedWebsocketLayer  # type: ignore[misc]


class PlayedWebsocketLayer(websocket_layers.WebsocketLayer):
    """The WebSocket layer, serving a played flow's client itself (no server frames at all)."""

    def __init__(self, context: Any, flow: http.HTTPFlow) -> None:
        super().__init__(context, flow)
        self.player: WsPlayer | None = stash(flow).get(_PLAYER)
        if self.player is not None:
            self._handle_event = self._open

    def _open(self, event: events.Event) -> layer.CommandGenerator[None]:
        client = self.context.client
        self.client_ws = websocket_layers.WebsocketConnection(
            wsproto.ConnectionType.SERVER, [], conn=client
        )
        yield websocket_layers.WebsocketStartHook(self.flow)
        self._handle_event = self._serve
        assert self.player is not None
        yield from self._steps(self._played(self.player.opening))

    def _serve(self, event: events.Event) -> layer.CommandGenerator[None]:
        client_ws = self.client_ws
        if isinstance(event, websocket_layers.WebSocketMessageInjected):
            if not event.message.from_client:  # `inject.websocket` to the client
                yield from self._steps([_ws_message(event.message)])
            return
        if not isinstance(event, events.ConnectionEvent) or event.connection != client_ws.conn:
            return
        client_ws.receive_data(event.data if isinstance(event, events.DataReceived) else None)
        for ws_event in client_ws.events():
            if isinstance(ws_event, wsproto.events.Message):
                yield from self._heard(ws_event)
            elif isinstance(ws_event, wsproto.events.Ping):
                yield client_ws.send2(ws_event.response())
            elif isinstance(ws_event, wsproto.events.CloseConnection):
                yield from self._close(ws_event.code, ws_event.reason or "", by_client=True)
            if self._handle_event != self._serve:
                return  # closed

    def _heard(self, ws_event: wsproto.events.Message[Any]) -> layer.CommandGenerator[None]:
        data = ws_event.data
        text = isinstance(data, str)
        buffer = self.client_ws.frame_buf
        buffer[-1] += data.encode() if isinstance(data, str) else data
        if not ws_event.message_finished:
            return
        content = b"".join(buffer)
        self.client_ws.frame_buf = [b""]
        opcode = Opcode.TEXT if text else Opcode.BINARY
        player = self.player
        assert self.flow.websocket is not None and player is not None
        self.flow.websocket.messages.append(WebSocketMessage(opcode, True, content))
        yield websocket_layers.WebsocketMessageHook(self.flow)
        heard = WsMessage(True, content, text)
        yield from self._steps(self._played(lambda: player.hear(heard)))

    def _played(self, play: Callable[[], list[Step]]) -> list[Step]:
        """What the player says to do; a player that fails closes the socket (1011), logged."""
        try:
            return play()
        except Exception:
            logger.exception("playing the WebSocket of %s failed", self.flow.request.url)
            return [Close(1011, "pretenders: playing this conversation failed")]

    def _steps(self, steps: list[Step]) -> layer.CommandGenerator[None]:
        assert self.flow.websocket is not None
        for step in steps:
            if isinstance(step, Close):
                yield from self._close(step.code, step.reason, by_client=False)
                return
            opcode = Opcode.TEXT if step.text else Opcode.BINARY
            self.flow.websocket.messages.append(WebSocketMessage(opcode, False, step.data))
            sent: wsproto.events.Event
            if step.text:
                sent = wsproto.events.TextMessage(step.data.decode("utf-8", "replace"))
            else:
                sent = wsproto.events.BytesMessage(step.data)
            yield self.client_ws.send2(sent)

    def _close(self, code: int, reason: str, *, by_client: bool) -> layer.CommandGenerator[None]:
        websocket = self.flow.websocket
        assert websocket is not None
        websocket.timestamp_end = time.time()
        websocket.closed_by_client = by_client
        websocket.close_code, websocket.close_reason = code, reason
        client_ws = self.client_ws
        if client_ws.state in {ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING}:
            yield client_ws.send2(wsproto.events.CloseConnection(code, reason))
        yield commands.CloseConnection(client_ws.conn)
        self._handle_event = self._closed
        yield websocket_layers.WebsocketEndHook(self.flow)
        self.flow.live = False

    def _closed(self, event: events.Event) -> layer.CommandGenerator[None]:
        yield from ()


def _ws_message(message: WebSocketMessage) -> WsMessage:
    return WsMessage(message.from_client, message.content, message.type == Opcode.TEXT)
