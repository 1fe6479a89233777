from typing import Any

import pytest
from mitmproxy.proxy import mode_specs
from mitmproxy.test import taddons, tflow

from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.connections import ConnectionLimits
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.server.runtime import Runtime


def client(spec: str = "regular") -> Any:
    made = tflow.tclient_conn()
    made.proxy_mode = mode_specs.ProxyMode.parse(spec)
    return made


def test_the_idle_timeout_becomes_mitmproxys_never_below_the_upstream_timeout() -> None:
    limits = ConnectionLimits()
    with taddons.context(Options(Runtime()), limits) as tctx:
        tctx.configure(limits, pretenders_idle_timeout=75.0, pretenders_upstream_timeout=60.0)
        assert tctx.options.tcp_timeout == 75
        tctx.configure(limits, pretenders_idle_timeout=1.5, pretenders_upstream_timeout=0.0)
        assert tctx.options.tcp_timeout == 2  # mitmproxy takes whole seconds: rounded up
        tctx.configure(limits, pretenders_upstream_timeout=120.0)
        assert tctx.options.tcp_timeout == 120  # its 502 comes before the connection closes


def test_the_header_timeout_is_handed_to_the_http_layer() -> None:
    limits = ConnectionLimits()
    try:
        with taddons.context(Options(Runtime()), limits) as tctx:
            tctx.configure(limits, pretenders_header_timeout=7.5)
            assert internals.LimitedHttp1Server.head_timeout == 7.5
    finally:
        internals.time_request_heads(None)


def test_each_listener_counts_its_clients_and_refuses_past_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[tuple[Any, bytes]] = []
    monkeypatch.setattr(internals, "refuse_client", lambda c, answer: told.append((c, answer)))
    limits = ConnectionLimits()
    with taddons.context(Options(Runtime()), limits) as tctx:
        tctx.configure(limits, pretenders_max_connections=2)
        regular = [client() for _ in range(3)]
        reverse = [client("reverse:http://api.test@9001") for _ in range(3)]
        for one in regular + reverse:
            limits.client_connected(one)
        assert [c for c, _ in told] == [regular[2], reverse[2]]
        assert told[0][1].startswith(b"HTTP/1.1 503 ") and b"the proxy has 2" in told[0][1]
        assert told[1][1] == b""  # its clients may speak TLS first: closed without a word
        limits.client_disconnected(regular[2])  # refused: was never counted
        limits.client_disconnected(regular[0])
        limits.client_connected(regular[2])
        assert len(told) == 2  # a place was free again
        tctx.configure(limits, pretenders_max_connections=5)
        assert {gate.cap for gate in limits.gates.values()} == {5}


def test_a_client_the_fast_lane_admitted_is_counted_once() -> None:
    limits = ConnectionLimits()
    with taddons.context(Options(Runtime()), limits) as tctx:
        tctx.configure(limits, pretenders_max_connections=1)
        handed = client()
        gate = limits.gate_of(handed.proxy_mode)
        assert gate.admit()  # as the lane admits a connection it takes
        limits.carry(handed.peername, gate)
        limits.client_connected(handed)  # mitmproxy's, once handed over: already in
        assert gate.open == 1 and not handed.error and not limits.carried
        limits.client_disconnected(handed)
        assert gate.open == 0
