"""Upstreams that count every connection (TCP) or datagram (UDP) they get, and clients speaking
through the proxy below HTTP: a CONNECT tunnel carrying any bytes, a DNS query."""

import base64
import socket
import struct
import threading
from urllib.parse import urlsplit

BANNER = b"SSH-2.0-OpenSSH_9.6 upstream\r\n"


class BannerServer:
    """A TCP server greeting each connection with an SSH banner, as sshd does."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with client:
                client.sendall(BANNER)

    def stop(self) -> None:
        self.sock.close()


class UdpCounter:
    """A UDP socket counting the datagrams it receives (and answering none)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.datagrams = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                self.sock.recvfrom(65535)
            except OSError:
                return
            self.datagrams += 1

    def stop(self) -> None:
        self.sock.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def open_tunnel(proxy: str, port: int, user: str | None) -> tuple[socket.socket, bytes]:
    """A socket through the proxy to 127.0.0.1:`port` (CONNECT as `user`), and the proxy's answer
    head."""
    address = urlsplit(proxy)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    auth = ""
    if user is not None:
        token = base64.b64encode(f"{user}:x".encode()).decode()
        auth = f"Proxy-Authorization: Basic {token}\r\n"
    sock.sendall(
        f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head


def read_response(sock: socket.socket) -> bytes:
    """One HTTP/1 response (head and a Content-Length body), leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received and (chunk := sock.recv(4096)):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length and (chunk := sock.recv(4096)):
        body += chunk
    return head + b"\r\n\r\n" + body


def read_all(sock: socket.socket) -> bytes:
    """Everything the peer sends until it closes (or stops sending for the socket's timeout)."""
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        received += b"<timed out>"
    except ConnectionResetError:
        received += b"<reset>"
    return received


def dns_query(name: str, ident: int = 0x1234) -> bytes:
    """A DNS query for the A record of `name` (RFC 1035 wire format)."""
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + question + struct.pack("!HH", 1, 1)


def dns_rcode(answer: bytes) -> int:
    """The response code of a DNS answer (0 no error, 2 SERVFAIL, 5 REFUSED)."""
    return answer[3] & 0x0F
