"""W4: cassette scale. Replay from a 100,000-exchange cassette (~270 MB) against one exchange.

The cassette is generated in a temporary directory with pretenders' own cassette writer (never
kept). Measured: the time from starting `pretenders replay` to the first request answered
through the proxy (a cold start, then a second start that reads the index it cached in the
confdir), the peak RSS (VmHWM), and replay req/s with 100,000 exchanges vs with 1. Baseline:
`mitmdump --server-replay` started on the same exchanges as a flow file; by default on a tenth
of them (10,000 flows, its time and memory grow linearly) to keep the run short, or on all of
them with `--w4-full-mitmdump`. Targets: ready < 3 s, peak RSS < 400 MB, req/s within 10% of 1.
"""

import os
import tempfile
import time
import urllib.error
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness import Load, free_port, in_turns, proxy_script, ratio, wrk
from systems import PAYLOAD, Pretenders, mitmdump, pretenders
from w2_replay import fetch_through

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Request, Response

MANY = 100_000
HOST, PORT = "api.example.test", 8080
BODY = PAYLOAD + b" " * (2_300 - len(PAYLOAD))  # ~2.7 KB items: ~270 MB for 100,000


def exchanges(count: int) -> Iterator[Exchange]:
    for n in range(count):
        request = Request(
            method="GET",
            path=f"/items/{n}".encode(),
            headers=(
                (b"Host", f"{HOST}:{PORT}".encode()),
                (b"User-Agent", b"bench/1.0"),
                (b"Accept", b"application/json"),
                (b"Accept-Encoding", b"identity"),
                (b"X-Request-Id", f"{n:032x}".encode()),
            ),
            host=HOST,
            port=PORT,
        )
        response = Response(
            status=200,
            reason="OK",
            headers=(
                (b"Content-Type", b"application/json"),
                (b"Content-Length", str(len(BODY)).encode()),
                (b"Date", b"Mon, 30 Nov 2026 12:00:00 GMT"),
                (b"Server", b"bench-upstream"),
                (b"Cache-Control", b"no-store"),
            ),
            body=BODY,
        )
        yield Exchange(request, response, Meta(recorded_at="2026-11-30T12:00:00+00:00"))


def flows(path: Path, count: int) -> None:
    """The same exchanges as a mitmproxy flow file (what mitmdump --server-replay reads)."""
    from mitmproxy import connection, http, io

    with path.open("wb") as stream:
        writer = io.FlowWriter(stream)
        for exchange in exchanges(count):
            req, res = exchange.request, exchange.response
            client = connection.Client(
                peername=("127.0.0.1", 1), sockname=("127.0.0.1", 2), timestamp_start=time.time()
            )
            flow = http.HTTPFlow(client, connection.Server(address=(req.host, req.port)))
            flow.request = http.Request(
                req.host, req.port, b"GET", b"http", f"{req.host}:{req.port}".encode(),
                req.path, b"HTTP/1.1", http.Headers(list(req.headers)), b"", None, 0, 0,
            )  # fmt: skip
            flow.response = http.Response(
                b"HTTP/1.1", 200, b"OK", http.Headers(list(res.headers)), res.body, None, 0, 0
            )
            writer.add(flow)


def until_answered(proxy_port: int, url: str, started: float, timeout: float) -> float:
    """Seconds from `started` until `url` is answered through the proxy."""
    deadline = started + timeout
    while time.monotonic() < deadline:
        try:
            fetch_through(proxy_port, url)
            return round(time.monotonic() - started, 2)
        except (OSError, urllib.error.URLError):
            time.sleep(0.02)
    raise TimeoutError(f"nothing answered {url} within {timeout:g}s")


def target(count: int) -> str:
    return f"http://{HOST}:{PORT}/items/{count // 2}"


@contextmanager
def started(cassette: Path, count: int, confdir: Path) -> Iterator[tuple[Pretenders, float]]:
    """`pretenders replay cassette`, and the seconds until it answered its first request."""
    began = time.monotonic()
    with pretenders("replay", [str(cassette)], confdir=confdir, wait=False) as p:
        yield p, until_answered(p.proxy_port, target(count), began, 300)


def alternated(servers: dict[str, tuple[int, str]], options: Any) -> dict[str, dict[str, Any]]:
    """Each proxy's (port, target URL) median req/s, measured in turns (harness.in_turns)."""
    lua = {name: proxy_script(url, url.split("/")[2]) for name, (_, url) in servers.items()}

    def measure(name: str) -> Callable[[float], Load]:
        url = f"http://127.0.0.1:{servers[name][0]}/"
        return lambda seconds: wrk(
            url, seconds=seconds, connections=options.connections, script=lua[name]
        )

    try:
        return in_turns(
            {name: measure(name) for name in servers}, options.runs, options.warmup, options.seconds
        )
    finally:
        for path in lua.values():
            os.unlink(path)


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        one, many = folder / "one.cassette", folder / "many.cassette"
        writing.write(one, exchanges(1))
        began = time.monotonic()
        writing.write(many, exchanges(MANY))
        size_mb = round(many.stat().st_size / 2**20, 1)
        written_s = round(time.monotonic() - began, 1)
        # A user's cassette was written long before its replay: nothing of it (or of anything
        # else just written) is still being flushed to disk while the starts are timed.
        os.sync()
        # One confdir for all: its CA is made by the first start, the index of the big
        # cassette is cached by the second (a cold start), and the third start reads it.
        small, big = "pretenders replay, 1 exchange", f"pretenders replay, {MANY} exchanges"
        with (
            started(one, 1, folder) as (first, first_ready),
            started(many, MANY, folder) as (second, second_ready),
        ):
            systems[small] = {"ready_s": first_ready}
            systems[big] = {"ready_s": second_ready}
            systems[big]["peak_rss_mb_at_ready"] = round(second.service.peak_rss_mb(), 1)
            measured = alternated(
                {
                    small: (first.proxy_port, target(1)),
                    big: (second.proxy_port, target(MANY)),
                },
                options,
            )
            for name, figures in measured.items():
                systems[name] |= figures
            systems[small]["peak_rss_mb"] = round(first.service.peak_rss_mb(), 1)
            systems[big]["peak_rss_mb"] = round(second.service.peak_rss_mb(), 1)
        with started(many, MANY, folder) as (third, third_ready):
            systems[f"{big}, second start"] = {
                "ready_s": third_ready,
                "peak_rss_mb_at_ready": round(third.service.peak_rss_mb(), 1),
            }
        flows_count = MANY if options.w4_full_mitmdump else MANY // 10
        flow_file = folder / "many.flows"
        flows(flow_file, flows_count)
        os.sync()  # as for the cassettes: the flows are on disk before mitmdump is timed
        port = free_port()
        began = time.monotonic()
        replay = ["-S", str(flow_file), "--set", "server_replay_reuse=true"]
        with mitmdump([*replay, "--set", f"confdir={folder}"], port, wait=False) as m:
            ready = until_answered(port, target(flows_count), began, 900)
            systems[f"mitmdump --server-replay, {flows_count} flows"] = {
                "ready_s": ready,
                "peak_rss_mb": round(m.peak_rss_mb(), 1),
            }
    ours = systems[f"pretenders replay, {MANY} exchanges"]
    again = systems[f"pretenders replay, {MANY} exchanges, second start"]
    base = systems["pretenders replay, 1 exchange"]
    share = ratio(ours["requests_per_s"], base["requests_per_s"])
    return {
        "cassette": {"exchanges": MANY, "size_mb": size_mb, "written_in_s": written_s},
        "systems": systems,
        "ratios": {f"req/s {MANY} exchanges / 1 exchange": share},
        "targets": {
            "ready < 3 s (cold start)": ours["ready_s"] < 3,
            "ready < 3 s (second start, cached index)": again["ready_s"] < 3,
            "peak RSS < 400 MB": ours["peak_rss_mb"] < 400,
            "req/s within 10% of 1 exchange": share >= 0.9,
        },
    }
