"""Regenerate cassettes/example.cassette: record a small local API with `pretenders record`.

    ./dev run python scripts/make_example_cassette.py [--output cassettes/example.cassette]

The API runs on 127.0.0.1 (plain HTTP and TLS, with a throwaway CA trusted through
--upstream-ca); the recording is then renamed to api.example.test, ports 80 and 443, so that
the README can replay it as if it came from there.
"""

import argparse
import datetime
import gzip
import ipaddress
import json
import ssl
import struct
import sys
import tempfile
import threading
import zlib
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.testing.launcher import launch

HOST = "api.example.test"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# One transparent pixel, as PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))
    + _chunk(b"IEND", b"")
)
ROUTES = {
    "/hello": (200, "text/plain; charset=utf-8", b"Hello from api.example.test!\n"),
    "/users/42": (200, "application/json", b'{"id": 42, "name": "Ada Lovelace"}'),
    "/search": (200, "application/json", b'{"q": "pretenders", "page": 1, "results": 3}'),
    "/orders/1001": (200, "application/json", b'{"order": 1001, "status": "shipped"}'),
    "/logo.png": (200, "image/png", PNG),
}

GETS = ("/hello", "/users/42", "/search?q=pretenders&page=1", "/logo.png", "/news")


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/news":
            news = json.dumps({"headlines": ["Recorded once", "Replayed forever"]}).encode()
            self._send(200, "application/json", gzip.compress(news, mtime=0), gzipped=True)
        elif path == "/me":
            self._send(200, "application/json", b'{"user": "ada", "plan": "pro"}')
        else:
            self._send(*ROUTES.get(path, (404, "text/plain", b"not found\n")))

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(201, "application/json", b'{"order": 1001, "status": "created"}')

    def _send(self, status: int, kind: str, body: bytes, gzipped: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)


def make_ca(where: Path) -> tuple[Path, ssl.SSLContext]:
    """A throwaway CA and a certificate for 127.0.0.1; the CA file and a server TLS context."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "example CA")])

    def build(subject: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
        )

    ca = build(ca_name, ca_key.public_key()).add_extension(
        x509.BasicConstraints(ca=True, path_length=None), critical=True
    )
    ca_cert = ca.sign(ca_key, hashes.SHA256())
    ip = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    leaf = build(leaf_name, key.public_key())
    cert = leaf.add_extension(x509.SubjectAlternativeName([ip]), critical=False).sign(
        ca_key, hashes.SHA256()
    )
    (where / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (where / "server.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(where / "server.pem")
    return where / "ca.pem", context


def serve(tls: ssl.SSLContext | None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def record(where: Path, plain: str, secure: str, ca: Path) -> Path:
    cassette = where / "raw.cassette"
    args = ["--upstream-ca", str(ca), str(cassette)]
    with launch(args, confdir=where / "conf", command="record") as recorder:
        proxies = {"http": recorder.proxy, "https": recorder.proxy}
        with requests.Session() as app:
            app.trust_env = False
            app.proxies, app.verify = proxies, str(where / "conf" / "mitmproxy-ca-cert.pem")
            for path in GETS:
                app.get(plain + path)
            app.post(plain + "/orders", json={"item": "book", "qty": 1})
            app.get(plain + "/orders/1001")
            app.get(plain + "/me", headers={"Authorization": "Bearer my-secret-token"})
            app.get(secure + "/hello")
            app.get(secure + "/users/42")
    return cassette


def renamed(exchange: Exchange) -> Exchange:
    """The exchange as if it had gone to api.example.test on the scheme's default port."""
    request = exchange.request
    port = 443 if request.scheme == "https" else 80
    headers = tuple((n, HOST.encode() if n.lower() == b"host" else v) for n, v in request.headers)
    return replace(exchange, request=replace(request, host=HOST, port=port, headers=headers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).parents[1] / "cassettes" / "example.cassette"
    parser.add_argument("--output", type=Path, default=default)
    output = parser.parse_args().output
    with tempfile.TemporaryDirectory() as temporary:
        where = Path(temporary)
        ca, tls = make_ca(where)
        plain, secure = serve(None), serve(tls)
        try:
            raw = record(
                where,
                f"http://127.0.0.1:{plain.server_address[1]}",
                f"https://127.0.0.1:{secure.server_address[1]}",
                ca,
            )
        finally:
            for server in (plain, secure):
                server.shutdown()
                server.server_close()
        exchanges = [renamed(stored.exchange) for stored in reading.read(raw).exchanges]
    writing.write(output, exchanges)
    print(f"{output}: {len(exchanges)} exchanges", file=sys.stderr)


if __name__ == "__main__":
    main()
