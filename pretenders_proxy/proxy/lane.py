"""ProxyLane: the forward proxy's fast lane. Each connection of a forward-proxy listener is taken
by a FrontConnection first (proxy/front.py); a request lanecall reads is decided here as the
SessionRouter and the Responder decide it, and answered with the bytes mitmproxy would send,
journaled as the Journal would journal it, when those bytes are known beforehand (a preset's
reply, a recording). Any other outcome goes to mitmproxy with the request: the Responder
carries out the decision made here (`take`). `--plain-mock-replies` turns the lane off."""

import asyncio
import time
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from mitmproxy import connection, ctx, http
from mitmproxy.addonmanager import Loader

from pretenders_proxy.api.heads import Heads
from pretenders_proxy.errors import TooManySessionsError
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.connections import ConnectionLimits
from pretenders_proxy.proxy.control import is_control
from pretenders_proxy.proxy.convert import Wire, wire_of
from pretenders_proxy.proxy.front import Answered, FrontConnection
from pretenders_proxy.proxy.hooks import HookCache
from pretenders_proxy.proxy.lanecall import MAX_BODY, Call
from pretenders_proxy.proxy.laneshared import Done, Replay, settled
from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.server.gate import Gate
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store import answering
from pretenders_proxy.store.answering import Outcome, Replayed, Via
from pretenders_proxy.store.presets import PresetReply
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION
from pretenders_proxy.store.state import State

if TYPE_CHECKING:
    from pretenders_proxy.shared.link import Then
    from pretenders_proxy.shared.state import Cursor, SharedState

_KEPT = 4096
_CRL = b".crl"
"""TlsConfig answers a request for its CA's revocation list (`/mitmproxy-<serial>.crl`)."""


class Decision(NamedTuple):
    """What the lane decided for a request it hands to mitmproxy: the outcome and the replay
    speed for the Responder to carry out, or the error deciding raised."""

    outcome: Outcome | None
    speed: float = 1.0
    error: Exception | None = None


class ProxyLane:
    def __init__(self, runtime: Runtime, ports: SessionPorts, limits: ConnectionLimits) -> None:
        self.runtime, self.ports, self.limits = runtime, ports, limits
        self.on = self._ours = False  # until load() and configure() say
        self.idle = 600.0  # mitmproxy's tcp_timeout, which ConnectionLimits sets
        self.body_cap = MAX_BODY
        self.heads: Heads[Call] = Heads()
        """Each distinct bodiless head read once (lanecall.read depends on it and body_cap)."""
        self.open: set[FrontConnection] = set()
        self.decided: dict[Any, tuple[asyncio.Transport, Decision]] = {}
        """Decisions handed over with their request, by the client's address."""
        self._wires: dict[int, tuple[object, Wire | None]] = {}

    def load(self, loader: Loader) -> None:
        # Only in our own Master: under `mitmdump -s`, mitmproxy's addons (header rules, maps,
        # blocklists) may act on any request before ours do.
        self._ours = isinstance(loader.master.addons, HookCache)
        internals.front_listeners(self.front)

    def configure(self, updated: set[str]) -> None:
        settings, options = self.runtime.settings, ctx.options
        # TlsConfig answers or kills some requests itself (eMudhra's revocation hosts)
        revoking = getattr(options, "emudhra", False) or getattr(options, "emudhra_old", False)
        self.on = self._ours and not settings.plain_mock_replies and not revoking
        self.body_cap = min(MAX_BODY, settings.max_body_size)
        self.heads = Heads()
        if "tcp_timeout" in options:
            self.idle = float(options.tcp_timeout)

    def done(self) -> None:
        internals.front_listeners(None)
        for front in list(self.open):
            front.close()

    def client_disconnected(self, client: connection.Client) -> None:
        found = self.decided.get(client.peername) if self.decided else None
        if found is not None and found[0].is_closing():  # never taken: its client went
            del self.decided[client.peername]

    def front(self, instance: Any) -> Any:
        """The protocol taking a new connection of `instance` (a forward-proxy listener); None
        when the lane is off (mitmproxy's own)."""
        if not self.on:
            return None
        gate = self.limits.gate_of(instance.mode)
        if not gate.admit():
            return gate.refuse()
        return FrontConnection(self, instance, gate)

    def hand_over(
        self,
        instance: Any,
        transport: asyncio.Transport,
        data: bytes,
        gate: Gate,
        decided: Decision | None,
        paused: bool,
    ) -> None:
        """Give the connection to mitmproxy from `data` on, admitted already, with the decision
        made for the request `data` begins with (`paused`: its writing is)."""
        peer = transport.get_extra_info("peername")
        if decided is not None:
            self.decided[peer] = (transport, decided)
        self.limits.carry(peer, gate)
        internals.stream_to(instance, transport, data, paused=paused)

    def take(self, flow: http.HTTPFlow) -> Decision | None:
        """The decision handed over with the flow's request (the Responder's to carry out)."""
        if not self.decided:
            return None
        found = self.decided.get(flow.client_conn.peername)
        if found is None or found[0] is not internals.client_transport(flow):
            return None  # another connection's, from the same address before this one
        del self.decided[flow.client_conn.peername]
        return found[1]

    @property
    def waits(self) -> bool:
        """Whether deciding awaits (a shared store), or is done at once (the memory store)."""
        return type(self.runtime.state) is not State

    def answer_now(self, call: Call, port: int, memo: bool = False) -> Answered:
        """Decide `call` in the memory store, and answer it (its bytes) if the lane can.
        `memo`: its Request is the head cache's, whose answer the session's presets may
        remember (as on `/mockhttp/`: State.mock_now)."""
        started = time.time()
        session = self._session(call, port)
        if session is None:
            return None
        request = call.request
        outcome: Outcome | None = session.presets.recall(request) if memo else None
        if outcome is None:
            settings = self.runtime.settings
            miss, budget = settings.miss_status, settings.regex_timeout
            try:
                outcome = answering.answer(session, request, Via.PROXY, miss, budget, memo=memo)
            except Exception as e:
                return Decision(None, error=e)
        wire = self._wire(outcome)
        if wire is None:
            return Decision(outcome, self._speed(session))
        took = (time.time() - started) * 1000  # as the Journal measures it
        # the memory store's State.journal is the Store's, called here with no keywords to pass on
        self.runtime.store.journal(session, request, outcome.note, wire.kept, duration_ms=took)
        return wire.wire

    def begin(self, call: Call, port: int, done: Done) -> None:
        """`answer_now` in a shared store: `done` is called with the answer (or the error that
        stopped it), with no task while a replay is answered from the copy (laneshared)."""
        started = time.time()
        opened = self._session(call, port)
        if opened is None:
            return done(None)
        if not Replay.start(self, call, opened, started, done):
            self.awaited(call, opened, started, done)

    def awaited(
        self, call: Call, opened: Session, started: float, done: Done, *, fresh: bool = False
    ) -> None:
        task = asyncio.get_running_loop().create_task(self.answer(call, opened, started, fresh))
        task.add_done_callback(lambda finished: done(settled(finished)))

    async def answer(self, call: Call, opened: Session, started: float, fresh: bool) -> Answered:
        """The request of `opened`'s session answered with its round trips awaited, as the
        addons await them (`fresh`: the session checked first, its copy out of date)."""
        state, settings = self.runtime.state, self.runtime.settings
        try:
            session = await state.traffic(opened.name, create=state.shared, verified=fresh)
            outcome = await state.answer(
                session,
                call.request,
                Via.PROXY,
                settings.miss_status,
                settings.regex_timeout,
                checked=fresh,
            )
        except Exception as e:
            return self.refused(e)
        answered, written = self.finish(call, opened, session, outcome, started)
        if written is not None:
            await written
        return answered

    def refused(self, error: Exception) -> "Decision":
        """Deciding failed: mitmproxy answers with the error."""
        return Decision(None, error=error)

    def finish(
        self,
        call: Call,
        opened: Session,
        session: Session | None,
        outcome: Outcome,
        started: float,
        then: "Then | None" = None,
        cursor: "Cursor | None" = None,
    ) -> tuple[Answered, Any]:
        """The answer to `outcome` and, when the lane writes it, its journaling to await first;
        with `then` (a shared store's replay, laneshared) no future: True, and `then` hears
        the journal's reply (with `cursor`, the replay's advance's too)."""
        wire = self._wire(outcome)
        if wire is None:
            return Decision(outcome, self._speed(session)), None
        found = self.runtime.store.find(opened.name)
        if found is None:
            return wire.wire, None
        return wire.wire, self._journal(found, call, outcome, wire, started, then, cursor)

    def writes(self, outcome: Outcome) -> bool:
        """Whether the lane writes `outcome`'s answer itself (its bytes known beforehand)."""
        return self._wire(outcome) is not None

    def _session(self, call: Call, port: int) -> Session | None:
        """The request's session as SessionRouter opens it; None leaves the request to
        mitmproxy (a control call, a new name past --max-sessions)."""
        request = call.request
        if (request.query or request.path).endswith(_CRL):
            return None
        if is_control(self.runtime, call.host, call.port):
            return None
        name = call.user or self.ports.sessions.get(port) or DEFAULT_SESSION
        store = self.runtime.store
        try:
            session = store.open(name, SessionProtocol.HTTP)
        except TooManySessionsError:
            return None
        store.touch(session)
        return session

    def _speed(self, session: Session | None) -> float:
        own = None if session is None else session.playback.config.replay_speed
        return self.runtime.settings.replay_speed if own is None else own

    def _journal(
        self,
        session: Session,
        call: Call,
        outcome: Outcome,
        wire: Wire,
        started: float,
        then: "Then | None" = None,
        cursor: "Cursor | None" = None,
    ) -> Any:
        """Journal the answered request as the Journal does in `session` (live); what to await
        before answering (with `then`: True, `then` hears it)."""
        took = (time.time() - started) * 1000
        args = (session, call.request, outcome.note, wire.kept)
        if then is not None:
            state = cast("SharedState", self.runtime.state)
            state.journal_then(then, *args, cursor, duration_ms=took)
            return True
        return self.runtime.state.journal(*args, duration_ms=took)

    def _wire(self, outcome: Outcome) -> Wire | None:
        """The bytes mitmproxy sends for `outcome`, if they are known beforehand; a preset's
        outcome is one object (store.presets.served_by), found again at once."""
        known = self._wires.get(id(outcome))
        if known is not None and known[0] is outcome:
            return known[1]
        match outcome:
            case PresetReply(_, response, after, _, script):
                if after or script is not None:
                    return None
            case Replayed(response, _, conversation, _):
                if conversation is not None or response.trailers:
                    return None
            case _:
                return None
        found = self._wires.get(id(response))
        if found is not None and found[0] is response:
            wire = found[1]
        else:
            try:
                wire = wire_of(response, preset=isinstance(outcome, PresetReply))
            except Exception:  # mitmproxy's path says what is wrong with it, as it always has
                wire = None
            self._keep(response, wire)
        if isinstance(outcome, PresetReply):
            self._keep(outcome, wire)
        return wire

    def _keep(self, made: object, wire: Wire | None) -> None:
        if len(self._wires) >= _KEPT:
            self._wires.clear()
        self._wires[id(made)] = (made, wire)
