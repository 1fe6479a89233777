"""The systems a benchmark starts: pretenders itself and the peers it is compared with."""

import json
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pretenders.server.server as original_server
from harness import LOAD_CORE, PYTHON, ROOT, Service, free_port, pinned, service

BENCH = ROOT / "bench"
PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()
"""The 1 KB JSON body the workloads serve."""


@dataclass
class Pretenders:
    """A running pretenders and its ports."""

    service: Service
    port: int
    proxy_port: int
    smtp_port: int

    @property
    def control(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def pretenders(
    command: str,
    args: Sequence[str] = (),
    *,
    confdir: Path,
    wait: bool = True,
    core: str | None = None,
) -> Iterator[Pretenders]:
    """`pretenders <command> ARGS` on free ports, ready when its control API answers.

    `wait=False`: the block starts at once (to time the start-up itself). `core`: another core
    than the server's.
    """
    port, proxy_port, smtp_port = free_port(), free_port(), free_port()
    line = [
        PYTHON,
        "-m",
        "pretenders_proxy",
        command,
        *args,
        "--port",
        str(port),
        "--proxy-port",
        str(proxy_port),
        "--smtp-port",
        str(smtp_port),
        "--smtp-port-range",
        "0",
        "--confdir",
        str(confdir),
        "--log-level",
        "warning",
    ]
    line = pinned(core, line) if core else line
    with service(f"pretenders-{command}", line, port if wait else None) as running:
        yield Pretenders(running, port, proxy_port, smtp_port)


def call(method: str, url: str, body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=600) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


@contextmanager
def script(name: str, port: int, *args: str, core: str | None = None) -> Iterator[Service]:
    """One of the small servers in bench/peers/ (`name`.py), listening on `port`."""
    command = [PYTHON, str(BENCH / "peers" / f"{name}.py"), str(port), *args]
    with service(name, pinned(core, command) if core else command, port) as running:
        yield running


@contextmanager
def upstream() -> Iterator[str]:
    """The real service behind the proxy: 1 KB JSON at /items/<n>, on the load core."""
    port = free_port()
    with script("upstream", port, core=LOAD_CORE):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def mitmdump(args: Sequence[str], port: int, *, wait: bool = True) -> Iterator[Service]:
    """mitmdump of the same mitmproxy version pretenders runs on, quiet."""
    command = [str(Path(PYTHON).with_name("mitmdump")), "-q", "-p", str(port), *args]
    with service("mitmdump", command, port if wait else None) as running:
        yield running


@contextmanager
def original_pretenders(port: int) -> Iterator[Service]:
    """The original pretenders 1.4.5 boss server (bottle), run by path as its docs say.

    It writes its log and pid files into its working directory: a temporary one, not the
    checkout.
    """
    command = [PYTHON, original_server.__file__, "--host", "127.0.0.1", "--port", str(port)]
    with (
        tempfile.TemporaryDirectory(prefix="bench-pretenders-1.4.5-") as cwd,
        service("pretenders-1.4.5", command, port, cwd=Path(cwd)) as running,
    ):
        yield running
