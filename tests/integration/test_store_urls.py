"""The other store URLs docs/scale.md gives: `rediss://` (TLS, with the CA in the query string)
and `unix://` (a socket), here two instances reaching one real redis-server each way."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests

from pretenders_proxy.testing.launcher import start
from tests.integration.redis_server import free_port
from tests.integration.tlsca import LocalCA, make_ca
from tests.integration.v1_clients import client, opened


@pytest.fixture
def tls_and_socket(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A redis-server listening only on TLS and on a unix socket: the two store URLs to it."""
    ca: LocalCA = make_ca(tmp_path)
    port, socket = free_port(), tmp_path / "redis.sock"
    command = ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1"]
    command += ["--tls-cert-file", str(ca.server_cert), "--tls-key-file", str(ca.server_key)]
    command += ["--tls-ca-cert-file", str(ca.ca_cert), "--tls-auth-clients", "no"]
    command += ["--unixsocket", str(socket), "--dir", str(tmp_path), "--save", ""]
    with (tmp_path / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert process.poll() is None and time.monotonic() < deadline, "redis-server failed"
            time.sleep(0.05)
        yield (f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={ca.ca_cert}", f"unix://{socket}?db=0")
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_instances_on_rediss_and_unix_urls_share_one_redis(
    tls_and_socket: tuple[str, str], confdir: Path
) -> None:
    over_tls, over_socket = (start(["--store", url], confdir=confdir) for url in tls_and_socket)
    try:
        for server in (over_tls, over_socket):
            store = httpx.get(f"{server.control}/health").json()["store"]
            assert (store["kind"], store["state"]) == ("redis", "up")
        opened(over_tls.control, "tls").when("GET /a").reply("both", times=1)
        proxy = over_socket.proxy.replace("://", "://tls:x@", 1)
        answer = requests.get("http://api.test/a", proxies={"http": proxy}, timeout=10)
        assert answer.text == "both"
        assert client(over_tls.control, "tls").presets() == []  # used up, for both
    finally:
        over_tls.stop()
        over_socket.stop()
