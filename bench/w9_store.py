"""W9: the shared store: W1, W2 and W3 on `--store redis://` against the memory store, c=32.

One redis-server (started here, on the load core with wrk, append-only file, fsync every
second) serves every Redis system, each under its own `--store-prefix`. The memory and the Redis
system of each workload run at once on the server core and are measured in turns. Then two
instances on that Redis, pinned to cores 0 and 1, share W1's load (two wrk, c=16 each, not
pinned), against instance A alone taking both wrk in turns: on 2 cores the two instances, wrk
and redis-server share the cores. CPU seconds of each process are kept per system.
Targets: Redis >= 0.5 of memory's throughput, p99 < 20 ms at c=32.
"""

import os
import resource
import statistics
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from harness import Load, Service, in_turns, proxy_script, ratio, wrk
from redis_run import Redis, redis_server
from systems import call, pretenders, upstream
from w1_mock import PATH, PRESET, setup_mock
from w2_replay import fetch_through
from w3_smtp import TOTAL, mail_count, send_timed

BOTH_CORES = "0,1"
STORES = ("memory", "redis")


def store_args(store: str, redis: Redis, prefix: str) -> list[str]:
    return [] if store == "memory" else ["--store", redis.url, "--store-prefix", prefix]


class Cpu:
    """CPU seconds each watched process (and the waited-for children: wrk) spent per turn."""

    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services
        self.turns: dict[str, list[dict[str, float]]] = {}

    def watched(self, name: str, measure: Callable[[float], Load]) -> Callable[[float], Load]:
        def run(seconds: float) -> Load:
            before = self._now()
            load = measure(seconds)
            spent = {k: round((v - before[k]) / seconds, 2) for k, v in self._now().items()}
            self.turns.setdefault(name, []).append(spent)
            return load

        return run

    def _now(self) -> dict[str, float]:
        found = {name: s.cpu_seconds() for name, s in self.services.items()}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return found | {"load generators": children.ru_utime + children.ru_stime}

    def share(self, name: str) -> dict[str, float]:
        """Median share of one core each process used during `name`'s measured turns."""
        turns = self.turns[name][1:]  # the first is the warm-up
        return {k: round(statistics.median(t[k] for t in turns), 2) for k in turns[0]}


def mock(options: Any, redis: Redis) -> dict[str, Any]:
    """W1 on each store, measured in turns."""
    with ExitStack() as stack:
        confdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls, services = {}, {"redis-server": redis.service}
        for store in STORES:
            p = stack.enter_context(
                pretenders("serve", store_args(store, redis, "w1"), confdir=confdir)
            )
            setup_mock(p.control, [PRESET])
            urls[f"W1 {store}"], services[f"pretenders {store}"] = p.control + PATH, p.service
        cpu = Cpu(services)
        measures = {
            name: cpu.watched(name, _loader(url, options.connections)) for name, url in urls.items()
        }
        found = in_turns(measures, options.runs, options.warmup, options.seconds)
    return {name: figures | {"cpu_share": cpu.share(name)} for name, figures in found.items()}


def _loader(url: str, connections: int, script: str | None = None) -> Callable[[float], Load]:
    return lambda seconds: wrk(url, seconds=seconds, connections=connections, script=script)


def replay(options: Any, redis: Redis) -> dict[str, Any]:
    """W2 on each store: a cassette recorded once from a local upstream, then stopped."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cassette = folder / "w9.cassette"
        with upstream() as api:
            target = f"{api}/items/1"
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                fetch_through(p.proxy_port, target)
        lua = proxy_script(target, target.split("//", 1)[1].split("/", 1)[0])
        stack.callback(os.unlink, lua)
        urls, services = {}, {"redis-server": redis.service}
        for store in STORES:
            args = [str(cassette), *store_args(store, redis, "w2")]
            p = stack.enter_context(pretenders("replay", args, confdir=folder))
            urls[f"W2 {store}"] = f"http://127.0.0.1:{p.proxy_port}/"
            services[f"pretenders {store}"] = p.service
        cpu = Cpu(services)
        measures = {
            name: cpu.watched(name, _loader(url, options.connections, lua))
            for name, url in urls.items()
        }
        found = in_turns(measures, options.runs, options.warmup, options.seconds)
    return {name: figures | {"cpu_share": cpu.share(name)} for name, figures in found.items()}


def smtp(options: Any, redis: Redis) -> dict[str, Any]:
    """W3 on each store in turns, every message counted through the API."""
    found: dict[str, Any] = {}
    with ExitStack() as stack:
        confdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        systems = {
            f"W3 {store}": stack.enter_context(
                pretenders("serve", store_args(store, redis, "w3"), confdir=confdir)
            )
            for store in STORES
        }
        for p in systems.values():
            send_timed(p.smtp_port, TOTAL // 4)  # warm-up
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in systems}
        lost = dict.fromkeys(systems, 0)
        for _ in range(options.runs):
            for name, p in systems.items():
                call("DELETE", p.control + "/api/v1/mail?session=default")
                runs[name].append(send_timed(p.smtp_port))
                lost[name] += TOTAL - mail_count(p.control)
        for name, done in runs.items():
            found[name] = {
                f: round(statistics.median(r[f] for r in done), 2)
                for f in ("messages_per_s", "p50_ms", "p99_ms")
            } | {"lost": lost[name], "runs": done}
    return found


def pair(options: Any, redis: Redis) -> dict[str, Any]:
    """Two instances on one Redis sharing W1's load, against instance A taking all of it."""
    half = max(1, options.connections // 2)
    with ExitStack() as stack:
        confdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        args = store_args("redis", redis, "pair")
        a = stack.enter_context(pretenders("serve", args, confdir=confdir, core="0"))
        b = stack.enter_context(pretenders("serve", args, confdir=confdir, core="1"))
        setup_mock(a.control, [PRESET])  # made through A, served by both from Redis
        targets = {
            "one instance (A, core 0), 2 wrk": [a.control + PATH] * 2,
            "two instances (A core 0, B core 1), 2 wrk": [a.control + PATH, b.control + PATH],
        }
        services = {"A": a.service, "B": b.service, "redis-server": redis.service}
        cpu = Cpu(services)
        measures = {
            name: cpu.watched(name, _together(urls, half)) for name, urls in targets.items()
        }
        found = in_turns(measures, options.runs, options.warmup, options.seconds)
    return {name: figures | {"cpu_share": cpu.share(name)} for name, figures in found.items()}


def _together(urls: list[str], connections: int) -> Callable[[float], Load]:
    """wrk against each of `urls` at once (on either core); their sum (p50, p99: the worst)."""

    def run(seconds: float) -> Load:
        with ThreadPoolExecutor(len(urls)) as pool:
            loads = list(
                pool.map(
                    lambda url: wrk(url, seconds=seconds, connections=connections, core=BOTH_CORES),
                    urls,
                )
            )
        return Load(
            requests_per_s=sum(x.requests_per_s for x in loads),
            p99_ms=max(x.p99_ms for x in loads),
            requests=sum(x.requests for x in loads),
            errors=sum(x.errors for x in loads),
            non_2xx=sum(x.non_2xx for x in loads),
            p50_ms=max(x.p50_ms for x in loads),
        )

    return run


def run(options: Any) -> dict[str, Any]:
    with redis_server() as redis:
        systems = mock(options, redis) | replay(options, redis) | smtp(options, redis)
        systems |= pair(options, redis)
        memory = redis.info("memory")
        redis_figures = {k: memory[k] for k in ("used_memory_human", "used_memory_peak_human")}
    return {
        "systems": systems,
        "redis": redis_figures | {"appendfsync": "everysec", "core": "1 (with wrk)"},
        **_judged(systems),
    }


def _judged(systems: dict[str, Any]) -> dict[str, Any]:
    ratios, targets = {}, {}
    for work, rate in (
        ("W1", "requests_per_s"),
        ("W2", "requests_per_s"),
        ("W3", "messages_per_s"),
    ):
        ours, base = systems[f"{work} redis"], systems[f"{work} memory"]
        ratios[f"{work} redis / memory"] = share = ratio(ours[rate], base[rate])
        targets[f"{work} redis >= 0.5 of memory"] = share >= 0.5
        if work != "W3":
            targets[f"{work} redis p99 < 20 ms at c=32"] = ours["p99_ms"] < 20
    targets["W3 none lost"] = systems["W3 redis"]["lost"] == systems["W3 memory"]["lost"] == 0
    one, two = (
        systems["one instance (A, core 0), 2 wrk"],
        systems["two instances (A core 0, B core 1), 2 wrk"],
    )
    ratios["two instances / one, on one Redis"] = ratio(
        two["requests_per_s"], one["requests_per_s"]
    )
    ratios["two instances / W1 memory (one core)"] = ratio(
        two["requests_per_s"], systems["W1 memory"]["requests_per_s"]
    )
    return {"ratios": ratios, "targets": targets}
