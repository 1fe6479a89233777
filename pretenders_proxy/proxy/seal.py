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
from mitmproxy.proxy import layer, mode_specs, server_hooks

from pretenders_proxy.model.journal import Note, Protocol, Source
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.control import is_control
from pretenders_proxy.proxy.convert import connection_request
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.answering import Refused, connect

logger = logging.getLogger(__name__)
KEPT = 1024
"""Bytes of what a refused connection sent first that history keeps."""
WHAT = {
    Protocol.TCP: "raw TCP to {}",
    Protocol.TLS: "TLS to {} that pretenders does not decrypt",
    Protocol.UDP: "UDP to {}",
    Protocol.DNS: "DNS to {}",
}
REFUSED_CERTIFICATE = ("unknown ca", "bad certificate", "certificate unknown")
"""The TLS alerts of a client that does not accept the certificate it was shown."""
CA_HINT = "the client must trust pretenders' CA (`pretenders env` says how)"


class Seen(NamedTuple):
    """What a connection about to be opened to a server carries, noted on the way."""

    protocol: Protocol
    first: bytes = b""
    """What the client sent first (kept as the journaled request's body)."""


class Seal:
    """Notes what each non-HTTP connection carries, then lets it open upstream or refuses it."""

    def __init__(self, runtime: Runtime, router: SessionRouter) -> None:
        self.runtime = runtime
        self.router = router
        self.seen: weakref.WeakKeyDictionary[connection.Server, Seen] = weakref.WeakKeyDictionary()

    def next_layer(self, data: layer.NextLayer) -> None:
        # After mitmproxy's NextLayer addon chose (it comes first): a raw relay opens upstream
        # when it starts, and nothing else would tell what it carries.
        protocol = internals.relayed_protocol(data)
        if protocol is not None:
            self._note(data.context.server, protocol, data.data_client())

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        if data.ignore_connection:  # an addon passes it through undecrypted
            self._note(data.context.server, Protocol.TLS, data.client_hello.raw_bytes())

    def tcp_start(self, flow: tcp.TCPFlow) -> None:
        self._note(flow.server_conn, Protocol.TCP)  # e.g. after a 101 to an Upgrade not WebSocket

    def udp_start(self, flow: udp.UDPFlow) -> None:
        self._note(flow.server_conn, Protocol.UDP)

    def dns_request(self, flow: dns.DNSFlow) -> None:
        question = flow.request.question
        asked = f"{dns_types.to_str(question.type)} {question.name}" if question else ""
        self._note(flow.server_conn, Protocol.DNS, asked.encode())

    def _note(self, server: connection.Server, protocol: Protocol, first: bytes = b"") -> None:
        self.seen.setdefault(server, Seen(protocol, first[:KEPT]))

    def client_connected(self, client: connection.Client) -> None:
        # mitmproxy's DNS mode answers from this machine's resolver, opening no connection that
        # server_connect could refuse: a sealed session's DNS client is turned away at once.
        if not _resolved_by_mitmproxy(client):
            return
        host, port, *_ = client.sockname or ("", 0)
        refused = self._decide(client, (host, port), Seen(Protocol.DNS))
        if refused is not None:
            client.error = refused  # documented: mitmproxy then closes the client connection

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        server = data.server
        host, port, *_ = server.address or ("", 0)
        refused = self._decide(data.client, (host, port), self.seen.pop(server, None))
        if refused is not None:
            server.error = refused  # documented: mitmproxy then does not connect

    def _decide(
        self, client: connection.Client, address: tuple[str, int], seen: Seen | None
    ) -> str | None:
        """Why the connection to `address` may not open (None: it may); journaled when `seen`
        says what it carries (an HTTP connection is the Journal's, by its flows)."""
        host, port = address
        if seen is None and is_control(self.runtime, host, port):
            return None  # our own control API (ControlRoute's calls), not an upstream
        target = f"{host}:{port}"
        what = WHAT[seen.protocol].format(target) if seen else f"a connection to {target}"
        try:
            session = self.router.session_of_client(client)
            outcome = connect(session, what)
        except Exception as e:  # fail closed
            logger.exception("deciding on %s failed", what)
            return f"pretenders: deciding on {what} failed: {e!r}"
        if seen is not None:
            request = connection_request(seen.protocol, host, port, seen.first)
            self.runtime.store.journal(session, request, outcome.note, protocol=seen.protocol)
        if not isinstance(outcome, Refused):
            return None
        if seen is None:  # not HTTP the Responder let through (its session would allow it)
            logger.warning("%s", outcome.explanation.strip())
        return outcome.explanation.strip()

    def tls_failed_client(self, data: tls.TlsData) -> None:
        error = data.conn.error or ""
        if not any(alert in error for alert in REFUSED_CERTIFICATE):
            return  # a client that just went away says nothing of what it wanted
        host, port, *_ = data.context.server.address or ("", 0)
        session = self.router.session_of_client(data.context.client)
        outcome = connect(session, f"TLS to {host}:{port} ({CA_HINT})")
        if isinstance(outcome, Refused):  # nothing would have answered it: a miss
            note = Note(Source.MISS, miss=outcome.explanation, error=error)
        else:  # intercepting failed where it would have been passed upstream
            note = Note(Source.ERROR, error=f"{error}; {CA_HINT}")
        request = connection_request(Protocol.TLS, host, port, b"")
        self.runtime.store.journal(session, request, note, protocol=Protocol.TLS)


def _resolved_by_mitmproxy(client: connection.Client) -> bool:
    """DNS that mitmproxy's own resolver answers (its DnsResolver addon, in mitmdump): the DNS
    mode, and WireGuard's resolver address."""
    mode = client.proxy_mode
    if isinstance(mode, mode_specs.DnsMode):
        return True
    return isinstance(mode, mode_specs.WireGuardMode) and client.sockname[:2] == ("10.0.0.53", 53)
