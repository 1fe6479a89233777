import asyncio
import socket

import pytest

from pretenders_proxy.server.reservations import Reservations


async def test_a_held_port_takes_listeners_sharing_it_and_nothing_else() -> None:
    held = Reservations()
    port = held.reserve("127.0.0.1", 0)
    try:
        assert port != 0
        servers = [
            await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", port, reuse_port=True)
            for _ in range(2)
        ]
        with pytest.raises(OSError), socket.socket() as other:  # a plain bind is refused
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            other.bind(("127.0.0.1", port))
        for server in servers:
            server.close()
    finally:
        held.close()
    assert held.sockets == []


def test_a_port_something_listens_on_is_refused_even_with_reuse_port() -> None:
    with socket.socket() as sharing:
        sharing.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sharing.bind(("127.0.0.1", 0))
        sharing.listen()
        with pytest.raises(OSError, match="in use"):
            Reservations().reserve("127.0.0.1", sharing.getsockname()[1])


def test_every_address_of_a_name_is_held_on_one_port() -> None:
    held = Reservations()
    try:
        port = held.reserve("localhost", 0)
        ports = {sock.getsockname()[1] for sock in held.sockets}
        assert ports == {port} and len(held.sockets) == len(
            {a[4][0] for a in socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)}
        )
    finally:
        held.close()
