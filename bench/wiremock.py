"""WireMock, the same-run baseline of issue 20: its standalone jar from the npm registry's
`wiremock` package (installed once into the git-ignored bench/.cache/), run with Java 17."""

import json
import re
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, Load, Service, free_port, service

VERSION = "3.13.2"
CACHE = ROOT / "bench" / ".cache" / "npm"
PACKAGE = CACHE / "node_modules" / "wiremock"
JOURNALS = {
    "default": [],
    "bounded": ["--max-request-journal-entries", "10000"],
    "off": ["--no-request-journal"],
}
"""WireMock's request journal, which `verify` reads as pretenders' history is read. `default`:
every request kept, no bound (a load of a minute here grew the JVM past 2.8 GB, and its 6 GB
default heap would run out during a run: the benches clear it before each turn, as a test
suite's `WireMock.reset()` does); `bounded`: the last 10,000 (pretenders' `--history-limit`),
which ran at ~500 req/s here; `off`: none kept (bench/wiremock_journal.py measures all three)."""


def choose_jar(package: Path) -> Path:
    """The runnable jar the package names (its package.json's `runnable-jar-regexp`, which
    npm-java-runner, the package's own launcher, runs)."""
    pattern = re.compile(json.loads((package / "package.json").read_text())["runnable-jar-regexp"])
    found = sorted(
        path
        for path in package.rglob("*.jar")
        if pattern.fullmatch(path.relative_to(package).as_posix())
    )
    if len(found) != 1:
        raise RuntimeError(f"{package}: expected one runnable jar, found {found}")
    return found[0]


def jar() -> Path:
    """The standalone jar, installed with npm on first use."""
    if not (PACKAGE / "package.json").exists() or _version() != VERSION:
        CACHE.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund"]
        subprocess.run([*npm, "--ignore-scripts", f"wiremock@{VERSION}"], check=True)
    return choose_jar(PACKAGE)


def _version() -> str:
    return str(json.loads((PACKAGE / "package.json").read_text())["version"])


def java_version() -> str:
    """`java -version`'s first line (it prints to stderr)."""
    found = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    return found.stderr.splitlines()[0]


@dataclass
class WireMock:
    service: Service
    port: int
    flags: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def clear_journal(self) -> None:
        """Forget the requests served so far (`DELETE /__admin/requests`)."""
        request = urllib.request.Request(self.url + "/__admin/requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()

    def cleared(self, measure: Callable[[float], Load]) -> Callable[[float], Load]:
        """`measure`, each run after clearing the journal (its size stays one run's)."""

        def run(seconds: float) -> Load:
            self.clear_journal()
            return measure(seconds)

        return run

    def stub(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        """`GET path` answered with `body` and `headers`, through the admin API."""
        mapping = {
            "request": {"method": "GET", "url": path},
            "response": {"status": 200, "headers": headers, "body": body.decode()},
        }
        request = urllib.request.Request(
            self.url + "/__admin/mappings",
            data=json.dumps(mapping).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()


@contextmanager
def wiremock(journal: str = "default") -> Iterator[WireMock]:
    """WireMock on a free port, pinned to the server core, with its root in a temporary folder
    (no mappings read from the checkout); `journal` names one of JOURNALS. Every other option
    is WireMock's default."""
    port = free_port()
    flags = JOURNALS[journal]
    with tempfile.TemporaryDirectory(prefix="bench-wiremock-") as root:
        command = ["java", "-jar", str(jar()), "--port", str(port), "--bind-address", "127.0.0.1"]
        command += ["--root-dir", root, "--disable-banner", *flags]
        with service("wiremock", command, port) as running:
            yield WireMock(running, port, flags)


def warm_up(
    measure: Callable[[float], Load], seconds: float = 5, least: int = 8, most: int = 20
) -> dict[str, object]:
    """Load rounds of `seconds` until the JIT has settled: at least `least` rounds, then until
    two in a row agree within 5%, at most `most` rounds; each round's requests/s is kept.
    A cold WireMock here rose for 35-40 s (1.2k, 3.6k, 4.8k, 6.4k, 5.2k, 9.7k, 12.0k, 11.0k
    req/s in 5 s rounds) and sat on plateaus on the way: agreement alone stopped too early."""
    rates: list[float] = []
    while len(rates) < most and not (len(rates) >= least and _agree(rates[-2:])):
        rates.append(round(measure(seconds).requests_per_s, 1))
    return {"round_s": seconds, "requests_per_s": rates, "settled": _agree(rates[-2:])}


def _agree(last_two: list[float], within: float = 0.05) -> bool:
    return len(last_two) == 2 and abs(last_two[0] - last_two[1]) <= within * max(last_two)
