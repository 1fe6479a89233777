"""Match keys: what replay spends making the index key of one request, by kind of body.

`python bench/match_keys.py [--count 20000]` prints CPU microseconds per key (best of 5) for a GET
without a body (W2 and W4's requests), a 1 KB JSON POST (parsed, canonical), the same with two
`--ignore` paths, a form POST and a 1 KB body of another type (hashed as bytes), and the time to
key 100,000 W4 requests, and 100,000 of those JSON POSTs, at once (a cassette's load). Run it
from an older checkout (its .venv, this file's path) for a same-machine comparison.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from w4_cassette import exchanges

from pretenders_proxy.matching.fields import MatchSpec
from pretenders_proxy.model.http import Request

ORDER = {
    "items": [
        {"id": i, "name": f"item {i}", "tags": ["a", "b"], "price": i * 1.5} for i in range(12)
    ],
    "meta": {"timestamp": 1733500000, "nonce": "x" * 32},
}


def post(body: bytes, content_type: bytes) -> Request:
    headers = ((b"Host", b"api.example.test"), (b"Content-Type", content_type))
    return Request("POST", b"/orders", b"", headers, body, "http", "api.example.test", 80)


def best(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    count = parser.parse_args().count
    body = json.dumps(ORDER).encode()
    cases = {
        "GET, no body": next(exchanges(1)).request,
        f"JSON POST, {len(body)} bytes": post(body, b"application/json"),
        "form POST, 12 fields": post(
            b"&".join(b"f%d=%d" % (i, i) for i in range(12)), b"application/x-www-form-urlencoded"
        ),
        f"octet-stream POST, {len(body)} bytes": post(body, b"application/octet-stream"),
    }
    plain = MatchSpec()
    try:  # an older checkout has no --ignore
        from pretenders_proxy.matching.ignore import parse_ignore

        ignoring: MatchSpec | None = MatchSpec(
            ignore=parse_ignore(["json:$.meta.timestamp", "json:$..nonce"])
        )
    except ImportError:
        ignoring = None
    for name, request in cases.items():
        many = [request] * count
        seconds = best(lambda: [plain.key(r) for r in many])  # noqa: B023
        print(f"{name:40} {seconds / count * 1e6:8.2f} us/key")
    if ignoring is not None:
        many = [cases[f"JSON POST, {len(body)} bytes"]] * count
        seconds = best(lambda: [ignoring.key(r) for r in many])
        print(f"{'JSON POST, 2 --ignore paths':40} {seconds / count * 1e6:8.2f} us/key")
    cassette = [exchange.request for exchange in exchanges(100_000)]
    seconds = best(lambda: plain.keys(cassette))
    print(f"{'keys of 100,000 W4 requests at once':40} {seconds * 1000:8.1f} ms")
    posts = [cases[f"JSON POST, {len(body)} bytes"]] * 100_000
    seconds = best(lambda: plain.keys(posts), repeat=1)
    print(f"{'keys of 100,000 such JSON POSTs at once':40} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
