"""ConnectionLimits: the proxy listeners' bounds. A request head begun must be complete within
--header-timeout (408), a connection silent for --idle-timeout closes (mitmproxy's
`tcp_timeout`), and each listener keeps at most --max-connections clients (503 beyond)."""

import math

from mitmproxy import connection, ctx
from mitmproxy.addonmanager import Loader
from mitmproxy.proxy import mode_specs

from pretenders_proxy.proxy import internals
from pretenders_proxy.server.gate import Gate, http_refusal

HEADER = "pretenders_header_timeout"
IDLE = "pretenders_idle_timeout"
UPSTREAM = "pretenders_upstream_timeout"
CAP = "pretenders_max_connections"


class ConnectionLimits:
    """Times request heads, sets the idle timeout, and counts clients per proxy listener."""

    def __init__(self) -> None:
        self.cap = 512  # until configure() reads the option
        self.gates: dict[str, Gate] = {}
        self.admitted: dict[str, Gate] = {}
        """The gate each client counted in went through, by client id."""
        self.carried: dict[object, Gate] = {}
        """Clients the fast lane admitted and handed over (proxy/lane.py), by address."""

    def load(self, loader: Loader) -> None:
        internals.idle_timer_waits_for_hooks()

    def configure(self, updated: set[str]) -> None:
        options = ctx.options
        if HEADER in updated:
            internals.time_request_heads(float(getattr(options, HEADER)))
        if updated & {IDLE, UPSTREAM} and IDLE in options and "tcp_timeout" in options:
            # mitmproxy's idle timeout also bounds the wait for an upstream's answer: never
            # shorter than --upstream-timeout, whose 502 says what happened.
            seconds = max(float(getattr(options, IDLE)), float(getattr(options, UPSTREAM, 0)))
            if options.tcp_timeout != math.ceil(seconds):
                options.update(tcp_timeout=math.ceil(seconds))
        if CAP in updated:
            self.cap = int(getattr(options, CAP))
            for gate in self.gates.values():
                gate.cap = self.cap
                gate.refusal = http_refusal(gate.name, gate.cap)

    def carry(self, peername: object, gate: Gate) -> None:
        """Count the client at `peername` in, through `gate` already, when mitmproxy sees it."""
        self.carried[peername] = gate

    def client_connected(self, client: connection.Client) -> None:
        if self.carried and (carried := self.carried.pop(client.peername, None)) is not None:
            self.admitted[client.id] = carried
            return
        gate = self.gate_of(client.proxy_mode)
        if gate.admit():
            self.admitted[client.id] = gate
        elif isinstance(client.proxy_mode, mode_specs.RegularMode):
            internals.refuse_client(client, gate.refusal)
        else:  # a reverse listener's clients may speak TLS first: a plain 503 would be noise
            internals.refuse_client(client, b"")

    def client_disconnected(self, client: connection.Client) -> None:
        if (gate := self.admitted.pop(client.id, None)) is not None:
            gate.leave()

    def gate_of(self, mode: mode_specs.ProxyMode) -> Gate:
        key = mode.full_spec
        if (gate := self.gates.get(key)) is None:
            name = "proxy" if isinstance(mode, mode_specs.RegularMode) else f"listener {key}"
            gate = self.gates[key] = Gate(name, self.cap, b"")
            gate.refusal = http_refusal(name, self.cap)
        return gate
