"""The mitmproxy edge: the only package importing mitmproxy, one addon per concern."""

from typing import Any

from pretenders_proxy.proxy.alpn import Http2First
from pretenders_proxy.proxy.connections import ConnectionLimits
from pretenders_proxy.proxy.control import ControlRoute
from pretenders_proxy.proxy.h2c import PriorKnowledge
from pretenders_proxy.proxy.hostmap import HostMapper
from pretenders_proxy.proxy.journal import Journal
from pretenders_proxy.proxy.lane import ProxyLane
from pretenders_proxy.proxy.limits import HeadLimit
from pretenders_proxy.proxy.modes import ModeControl
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.recorder import Recorder
from pretenders_proxy.proxy.responder import Responder
from pretenders_proxy.proxy.seal import Seal
from pretenders_proxy.proxy.services import Services
from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.proxy.streams import Streams
from pretenders_proxy.proxy.targets import OriginForm
from pretenders_proxy.proxy.timeouts import UpstreamTimeout
from pretenders_proxy.proxy.trust import Trust
from pretenders_proxy.proxy.websocket import WebSockets
from pretenders_proxy.server.runtime import Runtime


def default_addons(runtime: Runtime | None = None) -> list[Any]:
    """Our addons, in the order mitmproxy calls each hook on them.

    The order matters where two addons use the same hook (tests/pretenders_proxy/proxy/
    test___init__.py fails if it breaks):
    - Recorder before ModeControl (`configure`): Recorder turns the redact options into the
      redaction that ModeControl's reload of the cassettes reads (replay ignores redacted names).
    - Responder before UpstreamTimeout (`request`): the timeout only times flows that go
      upstream, i.e. that the Responder left unanswered.
    - Responder before HostMapper (`request`): the decision (and what is recorded and
      journaled) sees the original name; HostMapper only moves what is left to the upstream.
    - Recorder before Journal (`response`): when an exchange cannot be recorded, the Recorder
      replaces its response with a 500, and history keeps what the client got.
    - Streams before Recorder (`done`): streams still open at shutdown are recorded (cut)
      before the Recorder closes the cassettes.
    - Streams before Journal (`response`, `error`): a stream that could not be recorded, or was
      cut, is noted so before history keeps it.
    - WebSockets before Recorder (`done`): it records the sockets still open at shutdown before
      the Recorder closes the cassettes; and before Journal (`response`): a 101 it cannot play
      becomes a 400, which history keeps.
    - Journal last (`response`, `error`): it journals each flow once every other addon is done
      with it, reading their tags (UpstreamTimeout's fault, the Recorder's failure).
    - ProxyLane after Options (`configure`): it reads the settings Options makes. It takes
      the forward proxy's connections before mitmproxy does (proxy/front.py), deciding and
      journaling as SessionRouter, Responder and Journal would; what it hands over goes
      through every addon, the Responder carrying out the decision made already.
    The rest are order-free: SessionPorts only listens; SessionRouter and ControlRoute tag flows
    at `requestheaders` and `http_connect`, before any `request` hook runs (Seal and HeadLimit
    ask the SessionRouter only later, when a connection opens or a head is refused); Options
    first by convention (it declares the shared options); Trust, Http2First, HeadLimit,
    OriginForm, ConnectionLimits and Seal use hooks no other addon of ours has, but for
    PriorKnowledge, which shares `next_layer` and `server_connect` with Seal and only sets ALPN,
    which Seal never reads, and HostMapper, which shares `server_connect` with them and only
    sets the server name (HeadLimit and OriginForm each change a different part of mitmproxy at
    `load`; Seal only reads `tls_clienthello`, and takes what it notes from hooks that all come
    before a connection opens, whether mitmproxy's own addons come before ours, as here, or
    after, as in mitmdump). Within the Responder, presets answer first, then the cassettes, then
    the mode (answering); Seal asks the same decision of every connection to a server.
    """
    runtime = runtime or Runtime()
    ports = SessionPorts(runtime)
    router = SessionRouter(runtime, ports)
    limits = ConnectionLimits()
    lane = ProxyLane(runtime, ports, limits)
    return [
        Options(runtime),
        Services(runtime),
        ports,
        router,
        ControlRoute(runtime),
        Trust(),
        Http2First(),
        PriorKnowledge(),
        HeadLimit(runtime, router),
        OriginForm(),
        limits,
        lane,
        Streams(runtime),
        WebSockets(runtime),
        Recorder(runtime),
        ModeControl(runtime),
        Responder(runtime, lane),
        HostMapper(),
        UpstreamTimeout(),
        Seal(runtime, router),
        Journal(runtime),
    ]


__all__ = ["default_addons"]
