"""gRPC unary calls per second, one grpcio channel calling one after the other: straight to a
local grpc server, and replayed offline by `pretenders replay` (h2c and TLS), in turns.

    ./dev run python bench/grpc_calls.py [--calls 2000] [--runs 3]

Rough figures for docs/reliability.md (`## Streams: gRPC`), not a bench/run.py workload: the
client is Python and shares the machine with the server, so the ratio is what to read.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.testing.launcher import launch
from tests.integration.grpc_upstream import GET, GrpcUpstream, call, channel
from tests.integration.tlsca import make_ca


def rate(target: str, proxy: str | None, roots: bytes | None, calls: int) -> float:
    """Calls per second of `calls` unary calls over one channel (after 50 to warm it up)."""
    with channel(target, proxy, roots) as chan:
        for _ in range(50):
            call(chan, GET, b"widget")
        started = time.perf_counter()
        for _ in range(calls):
            call(chan, GET, b"widget")
        return calls / (time.perf_counter() - started)


def measure(tls: bool, calls: int, runs: int, where: Path) -> dict[str, float]:
    ca = make_ca(where) if tls else None
    upstream = GrpcUpstream(ca)
    cassette, confdir = where / f"grpc-{tls}.cassette", where / "conf"
    upstream_roots = ca.ca_cert.read_bytes() if ca else None
    try:
        flags = ["--upstream-ca", str(ca.ca_cert)] if ca else []
        with launch([*flags, str(cassette)], confdir=confdir, command="record") as recorder:
            roots = (confdir / CA_CERT).read_bytes() if ca else None
            with channel(upstream.target, recorder.proxy, roots) as chan:
                call(chan, GET, b"widget")
        direct, replayed = [], []
        with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
            for _ in range(runs):  # in turns, so that a busier machine slows both alike
                direct.append(rate(upstream.target, None, upstream_roots, calls))
                replayed.append(rate(upstream.target, replayer.proxy, roots, calls))
    finally:
        upstream.stop()
    return {"direct": statistics.median(direct), "replayed": statistics.median(replayed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        for tls in (False, True):
            found = measure(tls, args.calls, args.runs, Path(where))
            ratio = found["replayed"] / found["direct"]
            print(
                f"{'TLS' if tls else 'h2c'}: direct {found['direct']:.0f} calls/s, replayed "
                f"{found['replayed']:.0f} calls/s ({ratio:.2f}x), median of {args.runs} runs"
            )


if __name__ == "__main__":
    main()
