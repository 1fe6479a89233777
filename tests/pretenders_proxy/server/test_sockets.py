import socket
import struct

from pretenders_proxy.server.sockets import reset_on_close


def test_reset_on_close_lingers_0_seconds() -> None:
    with socket.socket() as sock:
        reset_on_close(sock)
        linger = sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.calcsize("ii"))
        assert struct.unpack("ii", linger) == (1, 0)
    reset_on_close(None)  # a transport without a socket: nothing to do
