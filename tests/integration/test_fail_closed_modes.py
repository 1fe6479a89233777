"""The mitmproxy modes a user can add through `mitmdump -s addons/pretenders.py` (UDP, DNS, hosts
passed through undecrypted) send nothing upstream either in mock mode or replay with on-miss
error: each is refused and journaled as a miss with its protocol."""

import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import certifi
import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.server import ready
from tests.integration.raw import (
    BannerServer,
    UdpCounter,
    dns_query,
    dns_rcode,
    free_udp_port,
    open_tunnel,
)

ADDON = Path(__file__).parents[2] / "addons" / "pretenders.py"
SILENCE = 1.0
"""Seconds a UDP client waits for an answer that a refused connection never sends."""


@dataclass
class Upstreams:
    tcp: BannerServer
    udp: UdpCounter
    dns: UdpCounter


@dataclass
class Mitmdump:
    control: str
    proxy: str
    udp: int
    dns: int
    dns_mode: int


@pytest.fixture
def upstreams() -> Iterator[Upstreams]:
    running = Upstreams(BannerServer(), UdpCounter(), UdpCounter())
    yield running
    for server in (running.tcp, running.udp, running.dns):
        server.stop()


@pytest.fixture(params=["mock", "replay"])
def mitmdump(
    request: pytest.FixtureRequest, tmp_path: Path, upstreams: Upstreams
) -> Iterator[Mitmdump]:
    """A stock mitmdump with the pretenders addons, listening in every mode below, with the
    default session in mock mode or replaying with on-miss error. The UDP ports are picked free
    before mitmdump binds them, so another test may take one in between: then it starts again
    on other ports (at most three times)."""
    for attempt in range(3):
        process, log, ready_file, ports = _start_mitmdump(request.param, tmp_path, upstreams)
        found = _wait_ready(process, log, ready_file)
        if found is not None:
            break
        process.wait(15)
        busy = "address already in use" in log.read_text(errors="replace")
        assert busy and attempt < 2, f"mitmdump did not start: {log.read_text(errors='replace')}"
    try:
        listeners = found["listeners"]
        yield Mitmdump(listeners["control"], listeners["proxy"], *ports)
    finally:
        process.terminate()
        process.wait(15)


def _start_mitmdump(
    mode: str, tmp_path: Path, upstreams: Upstreams
) -> tuple[subprocess.Popen[bytes], Path, Path, tuple[int, int, int]]:
    udp, dns, dns_mode = free_udp_port(), free_udp_port(), free_udp_port()
    ready_file = tmp_path / "ready.json"
    ready_file.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).parent / "mitmdump"), "-s", str(ADDON),
        "--listen-host", "127.0.0.1", "--mode", "regular@0",
        "--mode", f"reverse:udp://127.0.0.1:{upstreams.udp.port}@{udp}",
        "--mode", f"reverse:dns://127.0.0.1:{upstreams.dns.port}@{dns}",
        "--mode", f"dns@{dns_mode}",
        "--ignore-hosts", f"^127\\.0\\.0\\.1:{upstreams.tcp.port}$",
        "--set", f"confdir={tmp_path / 'conf'}", "--set", "pretenders_api_port=0",
        "--set", "pretenders_smtp_port=0",
        "--set", f"pretenders_ready_file={ready_file}",
    ]  # fmt: skip
    if mode == "replay":
        cassette = tmp_path / "sealed.cassette"
        writing.write(cassette, [Exchange(Request("GET", b"/known", host="a.test"), Response(200))])
        command += ["--set", "pretenders_mode=replay", "--set", f"pretenders_cassettes={cassette}"]
    log = tmp_path / "mitmdump.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    return process, log, ready_file, (udp, dns, dns_mode)


def _wait_ready(
    process: subprocess.Popen[bytes], log: Path, ready_file: Path
) -> dict[str, Any] | None:
    """What mitmdump's ready file says once it listens; None if it exited first."""
    deadline = time.monotonic() + 30
    while (found := ready.read(ready_file)) is None:
        if process.poll() is not None:
            return None
        assert time.monotonic() < deadline, f"mitmdump did not start: {log.read_text()}"
        time.sleep(0.02)
    return found


def ask(port: int, datagram: bytes) -> bytes | None:
    """Send one datagram to 127.0.0.1:`port`; the answer, or None after SILENCE."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(SILENCE)
        client.sendto(datagram, ("127.0.0.1", port))
        try:
            return client.recv(65535)
        except TimeoutError:
            return None


def misses(control: str, count: int) -> list[dict[str, Any]]:
    params = {"wait": "10", "count": str(count)}
    found: list[dict[str, Any]] = requests.get(
        f"{control}/api/v1/requests", params=params, timeout=20
    ).json()
    return found


def test_udp_dns_and_undecrypted_tls_are_refused_and_journaled(
    mitmdump: Mitmdump, upstreams: Upstreams
) -> None:
    sock, _ = open_tunnel(mitmdump.proxy, upstreams.tcp.port, None)  # --ignore-hosts: passed
    public_roots = ssl.create_default_context(cafile=certifi.where())  # through undecrypted
    with sock, pytest.raises((ssl.SSLError, OSError)):
        public_roots.wrap_socket(sock, server_hostname="localhost")
    udp = ask(mitmdump.udp, b"hello over udp")
    dns = ask(mitmdump.dns, dns_query("api.example.test"))
    dns_mode = ask(mitmdump.dns_mode, dns_query("api.example.test"))
    assert (upstreams.tcp.connections, upstreams.udp.datagrams, upstreams.dns.datagrams) == (
        0,
        0,
        0,
    )
    assert udp is None and dns_mode is None  # closed: nothing answers
    assert dns is not None and dns_rcode(dns) == 2  # SERVFAIL: the resolver could not be asked
    entries = misses(mitmdump.control, 4)
    seen = {(e["protocol"], e["url"], e["source"]) for e in entries}
    assert seen == {
        ("dns", f"dns://127.0.0.1:{mitmdump.dns_mode}", "miss"),
        ("dns", f"dns://127.0.0.1:{upstreams.dns.port}", "miss"),
        ("tls", f"tls://127.0.0.1:{upstreams.tcp.port}", "miss"),
        ("udp", f"udp://127.0.0.1:{upstreams.udp.port}", "miss"),
    }
    assert {"A api.example.test", "hello over udp"} <= {e["body"] for e in entries}
