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
from itertools import pairwise
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
which ran 10x slower than the default here; `off`: none kept (bench/wiremock_journal.py
measures all three)."""


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


def compiled(pid: int) -> int:
    """Methods the JVM's JIT has compiled so far (`jstat -compiler`'s first column)."""
    found = subprocess.run(["jstat", "-compiler", str(pid)], capture_output=True, text=True)
    return int(found.stdout.splitlines()[1].split()[0])


def warm_up(
    measure: Callable[[float], Load], pid: int, seconds: float = 5, most: int = 24
) -> dict[str, object]:
    """Load rounds of `seconds` until the JIT has settled: two rounds in a row that each
    compiled fewer than 1% more methods (`jstat -compiler`), at most `most` rounds; each
    round's requests/s and compiled count are kept. Rates alone mislead here: a cold WireMock
    on a busy core sat at ~2,000 req/s for 20 s, then rose to ~8,000 once C2 had compiled its
    hot path (about 50 s in), and on a shared machine no two rounds agree within 5% anyway."""
    rates: list[float] = []
    counts = [compiled(pid)]
    while len(rates) < most and not _settled(counts):
        rates.append(round(measure(seconds).requests_per_s, 1))
        counts.append(compiled(pid))
    settled = _settled(counts)
    return {"round_s": seconds, "requests_per_s": rates, "compiled": counts, "settled": settled}


def _settled(counts: list[int], rounds: int = 2, share: float = 0.01) -> bool:
    last = counts[-rounds - 1 :]
    return len(last) == rounds + 1 and all(b - a < share * a for a, b in pairwise(last))
