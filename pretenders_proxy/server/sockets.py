"""Socket tricks shared by the listeners."""

import socket
import struct


def reset_on_close(sock: socket.socket | None) -> None:
    """Make closing `sock` send a TCP RST (linger 0), what a crashed peer looks like."""
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
