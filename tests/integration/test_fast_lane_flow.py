"""The fast lane hands a connection over to aiohttp with its flow control as it is: a client
that reads nothing for a while, then a request only aiohttp answers, then everything read."""

import re
import socket
import time

import pytest

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.test_fast_lane import GET, ODD, _mock
from tests.integration.test_slowloris import BOUND

BIG = {"rule": ".* /items/big$", "status": 200, "body": b"b" * (256 << 10)}
CLOSE = b"GET /api/v1/sessions/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
@pytest.mark.parametrize("handed", ["miss", "control call"])
def test_a_request_handed_over_behind_unread_answers_is_answered_in_order(
    server: RunningServer, handed: str, session_name: str
) -> None:
    _mock(server, session_name, [BIG])
    name = session_name.encode()
    big = GET % (name, b"big")
    asks = [big] * 80 + [ODD[handed] % (name, b"x")] + [big] * 8 + [CLOSE]
    with socket.create_connection((server.host, server.port), timeout=BOUND) as connection:
        connection.sendall(b"".join(asks))
        time.sleep(1)  # the server's writes pause: 20 MB of answers, none read yet
        got = _read_all(connection)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", got)  # the bodies are b"bbb...": no match
    assert statuses == [b"200"] * 80 + [b"404"] + [b"200"] * 8 + [b"404"]


def _read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
