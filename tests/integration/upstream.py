"""A local upstream for recording: plain HTTP or TLS, counting the connections it accepts.

Each path exercises something replay must give back byte for byte.
"""

import gzip
import json
import random
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.integration.tlsca import LocalCA

PNG = b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(2000)
BIG = random.Random(10).randbytes(10 * 1024 * 1024)
LATIN1 = "café, naïve, ½ — ÿ".encode("latin-1", "replace") + b"\xff\xfe\x00\x80"
GZIPPED = gzip.compress(
    json.dumps({"compressed": True, "items": list(range(50))}).encode(), mtime=0
)
JSON = "application/json"
USER = {"user": {"id": 1, "name": "Ada", "roles": ["admin"]}, "at": "2026-12-07T00:00:00Z"}
"""What /users/1 answers until a test changes `Upstream.user` (a drifting API)."""
CHUNKS = [b"first chunk\n", b"second chunk, longer than the first\n", b"\x00\x01\x02 last\n"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        routes: dict[str, Callable[[], None]] = {
            "/hello": lambda: self._send(200, b"hello, world\n", "text/plain"),
            "/gzip": lambda: self._send(200, GZIPPED, "application/json", gzip=True),
            "/image.png": lambda: self._send(200, PNG, "image/png"),
            "/big": lambda: self._send(200, BIG, "application/octet-stream"),
            "/latin1": lambda: self._send(200, LATIN1, "text/plain; charset=latin-1"),
            "/chunked": self._chunked,
            "/counter": lambda: self._send(200, str(self.server.counter).encode(), "text/plain"),
            "/headers": self._headers,
            "/slow": self._slow,
            "/users/1": lambda: self._send(200, json.dumps(self.server.user).encode(), JSON),
        }
        route = routes.get(self.path.split("?")[0])
        if route is None:
            self._send(404, b"no such page\n", "text/plain")
        else:
            route()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/counter":
            self.server.counter += int(body or b"1")
            self._send(201, str(self.server.counter).encode(), "text/plain")
        else:
            self._send(200, b"echo: " + body, "application/octet-stream")

    def _slow(self) -> None:
        self.server.waiting.set()
        self.server.release.wait(10)
        self._send(200, b"late\n", "text/plain")

    def _headers(self) -> None:
        seen = json.dumps(dict(self.headers.items()), sort_keys=True).encode()
        self._send(200, seen, "application/json", cookie=True)

    def _send(
        self, status: int, body: bytes, kind: str, *, gzip: bool = False, cookie: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Upstream", "yes")
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        if gzip:
            self.send_header("Content-Encoding", "gzip")
        if cookie:
            self.send_header("Set-Cookie", "session=s3cr3t; HttpOnly")
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in CHUNKS:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls = tls
        self.connections = 0
        self.counter = 0
        self.waiting = threading.Event()  # a /slow request arrived
        self.release = threading.Event()  # let /slow requests answer
        self.user: object = json.loads(json.dumps(USER))
        self.extra_headers: dict[str, str] = {}
        self.server_names: list[str | None] = []  # the SNI of each TLS handshake

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        self.connections += 1
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address


class Upstream:
    """Serves on 127.0.0.1 in a thread until `stop()`; `connections` counts accepted sockets."""

    def __init__(self, ca: LocalCA | None = None) -> None:
        tls = None
        if ca is not None:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(ca.server_cert, ca.server_key)
        self._server = _Server(tls)
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        self.scheme = "https" if tls else "http"
        self.port = self._server.server_address[1]
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        return self._server.connections

    @property
    def server_names(self) -> list[str | None]:
        """The server name (SNI) each TLS client asked for, in order."""
        return self._server.server_names

    @property
    def user(self) -> object:
        return self._server.user

    @user.setter
    def user(self, document: object) -> None:
        self._server.user = document

    @property
    def extra_headers(self) -> dict[str, str]:
        """Headers every answer carries besides its own (a test may add some)."""
        return self._server.extra_headers

    @property
    def waiting(self) -> threading.Event:
        return self._server.waiting

    def stop(self) -> None:
        self._server.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
