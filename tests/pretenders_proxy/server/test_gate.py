import asyncio
import logging

import pytest

from pretenders_proxy.server.gate import Gate, http_refusal, smtp_refusal


def test_the_gate_admits_up_to_its_cap_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = Gate("control port", 2, b"no")
    with caplog.at_level(logging.WARNING):
        assert [gate.admit() for _ in range(5)] == [True, True, False, False, False]
    assert (gate.open, gate.refused) == (2, 3)
    assert len(caplog.records) == 1  # said once, not per refusal
    assert "control port: 2 connections open (--max-connections)" in caplog.text
    gate.leave()
    assert gate.admit() and gate.open == 2


def test_refusals_name_the_listener_and_the_flag() -> None:
    http = http_refusal("proxy", 512)
    head, body = http.split(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert b"Connection: close" in head and f"Content-Length: {len(body)}".encode() in head
    assert (
        body
        == b"pretenders: the proxy has 512 connections open (--max-connections); try again later\n"
    )
    assert smtp_refusal(3).startswith(b"421 ") and smtp_refusal(3).endswith(b"closing\r\n")


async def test_a_refused_connection_is_told_and_closed() -> None:
    gate = Gate("control port", 0, b"full\n")
    server = await asyncio.get_running_loop().create_server(gate.refuse, "127.0.0.1", 0)
    try:
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        assert await asyncio.wait_for(reader.read(), 10) == b"full\n"
        writer.close()
    finally:
        server.close()
