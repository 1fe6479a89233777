"""Listing a full journal while /health is asked every 10 ms: how long does /health wait?

    python bench/list_while_health.py [--requests 10000] [--big-every 100] [--big-size 1m]
                                      [--walks 3] [--server-path DIR]

pretenders (on the server core) gets `--requests` requests on one mock, every `--big-every`th a
POST of `--big-size` bytes; then, on the load core, one process asks GET /health every 10 ms
(keep-alive) and records each answer's latency while another lists the whole journal `--walks`
times: GET /api/v1/requests page after page (limit 1000, following X-Next-Cursor; a server
without pages answers everything at once), then the 1.4 GET /history/<mock>. The same probe runs
first with nothing being listed, as the baseline. The target: /health p99 under 100 ms while
listing. `--server-path DIR` runs the server from another checkout (the code before a change),
to compare. The summary goes to bench/results/list_while_health.json.
"""

import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import LOAD_CORE, PYTHON, free_port, machine, service, write

MOCK = "journal"
PROBE_EVERY = 0.01


def fill(port: int, count: int, big_every: int, big_size: int) -> None:
    """`count` requests on the mock from 4 keep-alive connections, every `big_every`th big."""
    big = b"B" * big_size

    def send(numbers: range) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for n in numbers:
            if n % big_every == 0:
                connection.request("POST", f"/mockhttp/{MOCK}/upload/{n}", body=big)
            else:
                connection.request("GET", f"/mockhttp/{MOCK}/items/{n}?page={n % 7}")
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=send, args=(range(i, count, 4),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def probe(port: int, stop: "multiprocessing.synchronize.Event", out: Connection) -> None:
    """GET /health every PROBE_EVERY s until `stop`; sends back each latency in ms."""
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", "/health")
        answer = connection.getresponse()
        answer.read()
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(max(0.0, PROBE_EVERY - (time.perf_counter() - started)))
    out.send(latencies)


def walk(port: int) -> dict[str, float]:
    """Every page of the journal, as bytes (not parsed: the lister must not slow the probe)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started, pages, size, cursor = time.perf_counter(), 0, 0, ""
    while True:
        query = f"session={MOCK}&limit=1000" + (f"&cursor={cursor}" if cursor else "")
        connection.request("GET", f"/api/v1/requests?{query}")
        answer = connection.getresponse()
        if answer.status == 400:  # a server without pages: no limit, everything at once
            answer.read()
            connection.request("GET", f"/api/v1/requests?session={MOCK}")
            answer = connection.getresponse()
        size += len(answer.read())
        pages += 1
        if not (cursor := answer.getheader("X-Next-Cursor") or ""):
            break
    v1 = time.perf_counter() - started
    connection.request("GET", f"/history/{MOCK}")
    history = len(connection.getresponse().read())
    return {
        "v1_seconds": round(v1, 3),
        "v1_pages": pages,
        "v1_mib": round(size / 2**20, 1),
        "history_14_seconds": round(time.perf_counter() - started - v1, 3),
        "history_14_mib": round(history / 2**20, 1),
    }


def measured(port: int, work: "object") -> tuple[list[float], object]:
    """The /health latencies while `work()` runs (a 2 s probe when it is None)."""
    stop = multiprocessing.Event()
    mine, theirs = multiprocessing.Pipe()
    prober = multiprocessing.Process(target=probe, args=(port, stop, theirs))
    prober.start()
    time.sleep(0.2)
    result = work() if callable(work) else time.sleep(2)
    stop.set()
    latencies: list[float] = mine.recv()
    prober.join()
    return latencies, result


def figures(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "probes": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


def run(options: argparse.Namespace) -> dict[str, object]:
    port = free_port()
    env = {"PYTHONPATH": options.server_path} if options.server_path else None
    line = [PYTHON, "-m", "pretenders_proxy", "serve", "--port", str(port), "--log-level"]
    line += ["warning", "--proxy-port", "0", "--smtp-port", "0", "--smtp-port-range", "0"]
    with tempfile.TemporaryDirectory() as confdir:
        line += ["--confdir", confdir]
        cwd = Path(confdir)  # not this checkout: --server-path decides which code runs
        with service("pretenders", line, port, env=env, cwd=cwd) as server:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/http", body=f'{{"name": "{MOCK}"}}')
            connection.getresponse().read()
            fill(port, options.requests, options.big_every, options.big_size)
            idle, _ = measured(port, None)
            walks: list[dict[str, float]] = []
            busy, _ = measured(port, lambda: walks.extend(walk(port) for _ in range(options.walks)))
            rss = server.peak_rss_mb()
    return {"idle": figures(idle), "listing": figures(busy), "walks": walks, "peak_rss_mb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--big-every", type=int, default=100)
    parser.add_argument("--big-size", type=int, default=1024 * 1024)
    parser.add_argument("--walks", type=int, default=3)
    parser.add_argument("--server-path", default="", help="run the server from this checkout")
    options = parser.parse_args()
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    result = {"workload": "list_while_health", "machine": machine(), "settings": vars(options)}
    result |= run(options)
    result["targets"] = {"health p99 < 100 ms while listing": result["listing"]["p99_ms"] < 100}
    print(write("list_while_health", result))
    for key in ("idle", "listing", "walks", "peak_rss_mb", "targets"):
        print(f"{key}: {result[key]}")


if __name__ == "__main__":
    main()
