"""Seal: a session that may not reach the upstream (mock mode, replay with on-miss error) sends
nothing upstream, whatever the protocol. Every connection mitmproxy opens to a server passes its
`server_connect` hook, where `store.answering.connect` decides; what is not HTTP is journaled with
its protocol (refused: a miss; passed through: upstream), as is TLS the client would not let
pretenders read."""

import logging
import weakref
from typing import NamedTuple

from mitmproxy import connection, dns, tcp, tls, udp
from mitmproxy.net.dns import types as dns_types
from mitmproxy.net.tls import starts_like_tls_record
from mitmproxy.proxy import layer, mode_specs, server_hooks

from pretenders_proxy.model.journal import Note, Source, TrafficProtocol
from pretenders_proxy.proxy.control import is_control
from pretenders_proxy.proxy.convert import connection_request
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.answering import Refused, connect

logger = logging.getLogger(__name__)
KEPT = 1024
"""Bytes of what a connection sent first that history keeps."""
WHAT = {
    TrafficProtocol.TCP: "raw TCP to {}",
    TrafficProtocol.TLS: "TLS to {} that pretenders does not decrypt",
    TrafficProtocol.UDP: "UDP to {}",
    TrafficProtocol.DNS: "DNS to {}",
}
REFUSED_CERTIFICATE = ("unknown ca", "bad certificate", "certificate unknown")
"""The TLS alerts of a client that does not accept the certificate it was shown."""
CA_HINT = "the client must trust pretenders' CA (`pretenders env` gives the bundle)"


class Seen(NamedTuple):
    """What a connection to a server carries, as far as the hooks before it opens tell."""

    protocol: TrafficProtocol | None
    """Known from a flow of that protocol; None: only the client's first bytes are known."""
    first: bytes = b""
    """What the client sent first (kept as the journaled request's body)."""

    def guess(self, transport: str) -> TrafficProtocol:
        if self.protocol is not None:
            return self.protocol
        if transport == "udp":
            return TrafficProtocol.UDP
        return TrafficProtocol.TLS if starts_like_tls_record(self.first) else TrafficProtocol.TCP


class Seal:
    """Notes what each connection carries, then lets it open upstream or refuses it."""

    def __init__(self, runtime: Runtime, router: SessionRouter) -> None:
        self.runtime = runtime
        self.router = router
        self.seen: weakref.WeakKeyDictionary[connection.Server, Seen] = weakref.WeakKeyDictionary()

    # What a connection carries. Each hook below comes before mitmproxy opens the connection,
    # whichever order the addons are in (in mitmdump, scripts come before mitmproxy's own).

    def next_layer(self, data: layer.NextLayer) -> None:
        if first := data.data_client():  # the latest wins: a tunnel's bytes after its CONNECT
            self._note(data.context.server, None, first)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        if data.ignore_connection:  # an addon passes it through undecrypted
            self._note(data.context.server, TrafficProtocol.TLS, data.client_hello.raw_bytes())

    def tcp_start(self, flow: tcp.TCPFlow) -> None:
        self._note(flow.server_conn, TrafficProtocol.TCP)  # e.g. after a 101 to a non-WebSocket

    def udp_start(self, flow: udp.UDPFlow) -> None:
        self._note(flow.server_conn, TrafficProtocol.UDP)

    def dns_request(self, flow: dns.DNSFlow) -> None:
        question = flow.request.question
        asked = f"{dns_types.to_str(question.type)} {question.name}" if question else ""
        self._note(flow.server_conn, TrafficProtocol.DNS, asked.encode())

    def _note(
        self, server: connection.Server, protocol: TrafficProtocol | None, first: bytes = b""
    ) -> None:
        noted = self.seen.get(server, Seen(None))
        if protocol is None and noted.protocol is not None:
            return  # a protocol known is not forgotten for bytes seen later
        self.seen[server] = Seen(protocol or noted.protocol, (first or noted.first)[:KEPT])

    # The decision, where every connection to a server passes.

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        server = data.server
        host, port, *_ = server.address or ("", 0)
        if is_control(self.runtime, host, port):
            return  # our own control API (ControlRoute's calls), not an upstream
        seen = self.seen.pop(server, None)
        refused = self._decide(data.client, (host, port), server.transport_protocol, seen)
        if refused is not None:
            server.error = refused  # documented: mitmproxy then does not connect

    def client_connected(self, client: connection.Client) -> None:
        # mitmproxy's DNS mode answers from this machine's resolver, opening no connection that
        # server_connect could refuse: a sealed session's DNS client is turned away at once.
        if _resolved_by_mitmproxy(client):
            host, port, *_ = client.sockname or ("", 0)
            refused = self._decide(client, (host, port), "udp", Seen(TrafficProtocol.DNS))
            if refused is not None:
                client.error = refused  # documented: mitmproxy then closes the connection

    def _decide(
        self, client: connection.Client, address: tuple[str, int], transport: str, seen: Seen | None
    ) -> str | None:
        """Why the connection to `address` may not open (None: it may), journaled unless it may
        be HTTP (whose flows the Journal journals)."""
        host, port = address
        protocol = seen.guess(transport) if seen is not None else None
        target = f"{host}:{port}"
        what = WHAT[protocol].format(target) if protocol else f"a connection to {target}"
        try:
            session = self.router.session_of_client(client)
            outcome = connect(session, what)
        except Exception as e:  # fail closed
            logger.exception("deciding on %s failed", what)
            return f"pretenders: deciding on {what} failed: {e!r}"
        refused = outcome.explanation.strip() if isinstance(outcome, Refused) else None
        # What is refused is not HTTP: the Responder answers all HTTP of a session it refuses.
        journaled = refused or (seen is not None and seen.protocol is not None)
        if session is not None and seen is not None and protocol is not None and journaled:
            request = connection_request(protocol, host, port, seen.first)
            self.runtime.state.journal(session, request, outcome.note, protocol=protocol)
        elif refused:
            logger.warning("%s", refused)
        return refused

    def tls_failed_client(self, data: tls.TlsData) -> None:
        error = data.conn.error or ""
        if not any(alert in error for alert in REFUSED_CERTIFICATE):
            return  # a client that just went away says nothing of what it wanted
        host, port, *_ = data.context.server.address or ("", 0)
        session = self.router.session_of_client(data.context.client)
        what = f"TLS to {host}:{port} that the client would not let pretenders decrypt"
        outcome = connect(session, what)
        if isinstance(outcome, Refused):  # nothing would have answered it: a miss
            note = Note(Source.MISS, miss=outcome.explanation, error=f"{error}; {CA_HINT}")
        else:  # intercepting failed where it would have been passed upstream
            note = Note(Source.ERROR, error=f"{error}; {CA_HINT}")
        if session is None:  # a new session name past --max-sessions: nowhere to journal it
            return
        request = connection_request(TrafficProtocol.TLS, host, port, b"")
        self.runtime.state.journal(session, request, note, protocol=TrafficProtocol.TLS)


def _resolved_by_mitmproxy(client: connection.Client) -> bool:
    """DNS that mitmproxy's own resolver answers (its DnsResolver addon, in mitmdump): the DNS
    mode, and WireGuard's resolver address."""
    mode = client.proxy_mode
    if isinstance(mode, mode_specs.DnsMode):
        return True
    sockname = client.sockname or ()
    return isinstance(mode, mode_specs.WireGuardMode) and sockname[:2] == ("10.0.0.53", 53)
