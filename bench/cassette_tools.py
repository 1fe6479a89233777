"""W6: cassette tools on a 100,000-exchange cassette: show, stats and convert stream.

A cassette is generated in a temporary directory (never kept); each command runs as its own
process and reports wall time and peak RSS (its VmHWM). The baseline is `reading.read`, which holds
every exchange at once: the tools must stay far below it and far below the cassette's size.
Run alone: `python bench/cassette_tools.py [--exchanges N]`.
"""

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import peak_rss_mb

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Request, Response

EXCHANGES = 100_000
PYTHON = sys.executable
HOLD_ALL = "from pathlib import Path; import sys; from pretenders_proxy.cassette import reading; " \
    "print(len(reading.read(Path(sys.argv[1])).exchanges))"  # fmt: skip


def generated(count: int) -> Iterator[Exchange]:
    """Varied exchanges: JSON bodies of 0.5-2 KB, every tenth a 4 KB binary one."""
    rng = random.Random(6)
    meta = Meta("2026-01-01T00:00:00+00:00", 5.0)
    for n in range(count):
        host = f"api{n % 7}.example.test"
        request = Request("GET" if n % 5 else "POST", f"/items/{n}".encode(), b"page=1",
                          ((b"Host", host.encode()), (b"Accept", b"*/*")),
                          b'{"q": 1}' if n % 5 == 0 else b"", "https", host, 443)  # fmt: skip
        if n % 10 == 9:
            body, kind = rng.randbytes(4096), b"application/octet-stream"
        else:
            body, kind = json.dumps({"id": n, "pad": "x" * rng.randrange(500, 2000)}).encode(), \
                b"application/json"  # fmt: skip
        headers = ((b"Content-Type", kind), (b"Content-Length", str(len(body)).encode()))
        yield Exchange(request, Response(200 if n % 13 else 404, headers, body, "OK"), meta)


def measured(command: list[str]) -> dict[str, float]:
    """Wall time and peak RSS of one child process.

    The peak is the child's own VmHWM, read until it exits: wait4's ru_maxrss would include the
    RSS of this (forking) process, which Linux carries over an exec.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        with contextlib.suppress(OSError):
            peak = max(peak, peak_rss_mb(process.pid))
        time.sleep(0.02)
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}")
    return {"wall_s": round(time.perf_counter() - started, 2), "peak_rss_mb": round(peak, 1)}


def run(options: Any) -> dict[str, Any]:
    count = getattr(options, "exchanges", EXCHANGES)
    with tempfile.TemporaryDirectory(prefix="pretenders-w6-") as where:
        cassette = Path(where) / "big.cassette"
        writing.write(cassette, generated(count))
        os.sync()  # a user's cassette is on disk: no flushing of it while the tools are timed
        size_mb = round(cassette.stat().st_size / 2**20, 1)
        tool = [PYTHON, "-m", "pretenders_proxy", "cassette"]
        systems = {
            "reading.read (holds all, baseline)": measured([PYTHON, "-c", HOLD_ALL, str(cassette)]),
            "cassette --help (start-up)": measured([*tool, "--help"]),
            "import flowfile (mitm start-up)": measured(
                [PYTHON, "-c", "import pretenders_proxy.proxy.flowfile"]
            ),
            "show": measured([*tool, "show", str(cassette)]),
            "stats": measured([*tool, "stats", str(cassette)]),
        }
        for target in ("out.json", "out.har", "out.mitm"):
            output = Path(where) / target
            systems[f"convert to {target}"] = measured(
                [*tool, "convert", str(cassette), str(output)]
            )
            output.unlink()
    for figures in systems.values():
        figures["exchanges_per_s"] = round(count / figures["wall_s"])
    hold = systems["reading.read (holds all, baseline)"]["peak_rss_mb"]
    tools = [name for name in systems if name.startswith(("show", "stats", "convert"))]
    ratios = {f"{name}: peak RSS / reading.read's": round(systems[name]["peak_rss_mb"] / hold, 3)
              for name in tools}  # fmt: skip
    ratios["cassette size (MiB)"] = size_mb
    return {
        "systems": systems,
        "ratios": ratios,
        "targets": {
            f"{name} peak RSS < half of reading.read's": systems[name]["peak_rss_mb"] < hold / 2
            for name in tools
        },
        "exchanges": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=EXCHANGES)
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
