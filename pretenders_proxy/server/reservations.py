"""Ports reserved for `--workers N`: picked and held once by the parent, so that every worker
listens on the same port (SO_REUSEPORT) and a port given as 0 is one number for all of them."""

import socket
from dataclasses import dataclass, field

PASSIVE = socket.AI_PASSIVE


@dataclass(eq=False)
class Reservations:
    """Sockets bound (never listening) with SO_REUSEPORT: the kernel hands connections only to
    listening sockets, so these take none, but no process without SO_REUSEPORT may take the
    port while they are held."""

    sockets: list[socket.socket] = field(default_factory=list)

    def reserve(self, host: str, port: int) -> int:
        """Hold `port` (0: a free one) on every address of `host`; the port held. OSError as
        bind raises it when the port is taken."""
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=PASSIVE)
        for family, kind, proto, _, address in found:
            # A bind without SO_REUSEPORT first: it fails where anything listens already,
            # even a process of ours sharing the port, which SO_REUSEPORT alone would join.
            with socket.socket(family, kind, proto) as probe:
                _prepare(probe, family)
                probe.bind((address[0], port, *address[2:]))  # "" is every interface
                port = probe.getsockname()[1]
            held = socket.socket(family, kind, proto)
            _prepare(held, family, reuse_address=False)  # so a listener's bind cannot join
            held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            self.sockets.append(held)
            held.bind((address[0], port, *address[2:]))
        return port

    def close(self) -> None:
        for held in self.sockets:
            held.close()
        self.sockets.clear()


def _prepare(sock: socket.socket, family: int, reuse_address: bool = True) -> None:
    """The options asyncio's create_server sets, so that binds conflict as the listeners' do."""
    if reuse_address:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
