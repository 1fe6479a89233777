"""Load: 256 concurrent keep-alive connections replaying through the proxy for 60 s, 0 errors.

    python bench/load.py [--seconds 60] [--connections 256]

A cassette is recorded from a local upstream, the upstream is stopped, and `pretenders replay`
answers wrk's connections (loopback only). Every socket error, timeout and non-2xx answer
counts as an error; the summary goes to bench/results/load.json.
"""

import argparse
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import machine, proxy_script, write, wrk
from systems import pretenders, upstream
from w2_replay import fetch_through


def run(seconds: float, connections: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette = folder / "load.cassette"
        with upstream() as api:
            target = f"{api}/items/1"
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                fetch_through(p.proxy_port, target)
        lua = proxy_script(target, target.split("//", 1)[1].split("/", 1)[0])
        try:
            with pretenders("replay", [str(cassette)], confdir=folder) as p:
                url = f"http://127.0.0.1:{p.proxy_port}/"
                wrk(url, seconds=3, connections=16, script=lua)  # warm-up
                load = wrk(url, seconds=seconds, connections=connections, script=lua)
                alive = fetch_through(p.proxy_port, target) != b""
                rss = p.service.peak_rss_mb()
        finally:
            os.unlink(lua)
    errors = load.errors + load.non_2xx
    return {
        "load": asdict(load),
        "errors": errors,
        "peak_rss_mb": round(rss, 1),
        "answers_after_load": alive,
        "targets": {"zero errors": errors == 0, "still answering": alive},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=256)
    options = parser.parse_args()
    result = {
        "workload": "load",
        "about": __doc__.strip().splitlines()[0],
        "machine": machine(),
        "settings": vars(options),
        **run(options.seconds, options.connections),
    }
    path = write("load", result)
    print({k: v for k, v in result.items() if k not in ("about", "machine")})
    print(f"-> {path}")
    sys.exit(0 if all(result["targets"].values()) else 1)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
