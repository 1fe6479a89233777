"""A real upstream that misbehaves on purpose, for the recording fault tests.

Paths pick the fault: /ok answers, /reset resets the connection, /hang never answers,
/truncated promises more body than it sends, /garbage answers with something that is not HTTP.
`refused_url()` is an address where nothing listens.
"""

import contextlib
import socket
import struct
import threading

OK_BODY = b"fine\n"


def refused_url() -> str:
    """http://127.0.0.1:<port> where nothing listens (the port was just free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


class FaultyUpstream:
    """Serves on 127.0.0.1 in threads until `stop()`."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stopped = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            while request := _read_head(connection):
                path = request.split(b" ", 2)[1]
                if path == b"/ok":
                    connection.sendall(_head(len(OK_BODY)) + OK_BODY)
                elif path == b"/reset":  # SO_LINGER 0: close() sends RST
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    break
                elif path == b"/hang":
                    self._stopped.wait()
                    break
                elif path == b"/truncated":
                    connection.sendall(_head(1000) + b"only the first bytes")
                    break
                else:
                    connection.sendall(b"\x00\x01 this is not HTTP\r\n\r\n")
                    break
        except OSError:
            pass
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        # close() alone does not wake a thread blocked in accept(); shutdown() does.
        for sock in [self._listener, *self._open]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(5)


def _head(length: int) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % length


def _read_head(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data
