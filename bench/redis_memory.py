"""Redis memory per journal entry: 10,000 `/mockhttp/` requests and 10,000 mails of ~2 KB.

    python bench/redis_memory.py [--entries 10000]

Starts a redis-server (bench/redis_run.py) and one `pretenders serve --store redis://...` on it,
reads `INFO memory` used_memory before and after each batch (once every entry is in Redis), and
`MEMORY USAGE` of the keys that grew: the session's history (or mail) stream and the fleet's
change log (one item per change, trimmed near 100,000). Requests go to two presets: a 2-byte
reply and the benchmarks' 1 KB JSON reply (history keeps a preview of each body).
Result: bench/results/redis_memory.json.
"""

import argparse
import base64
import http.client
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from harness import machine, write
from redis_run import Redis, redis_server
from systems import pretenders
from w1_mock import PRESET, setup_mock
from w3_smtp import send_timed

PREFIX = "memory"
SMALL = PRESET | {"rule": PRESET["rule"] | {"rule": "GET /small"}}
SMALL |= {"body": base64.b64encode(b"ok").decode(), "headers": {"Content-Type": "text/plain"}}


def key(session: str, part: str) -> str:
    return f"{{{PREFIX}}}:s:{session}:{part}"


def used(redis: Redis) -> int:
    return int(redis.info("memory")["used_memory"])


def number(reply: bytes) -> int:
    """An integer reply (`:123`), or 0 for a nil one."""
    return int(reply[1:].split(b"\r\n")[0]) if reply.startswith(b":") else 0


def sizes(redis: Redis, keys: dict[str, str]) -> dict[str, int]:
    return {
        name: number(redis.command("MEMORY", "USAGE", k, "SAMPLES", "0"))
        for name, k in keys.items()
    }


def requests(port: int, path: str, count: int, connections: int = 8) -> None:
    """`count` keep-alive GETs of `path` over `connections` connections, each answered 200."""

    def share(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count // connections + (slot < count % connections)):
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{path}: {answer.status}")
        connection.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(share, range(connections)))


def settled(redis: Redis, stream: str, count: int) -> None:
    """Wait until `stream` holds `count` items (journal writes finish after the answers)."""
    deadline = time.monotonic() + 60
    while number(redis.command("XLEN", stream)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stream} did not reach {count} items")
        time.sleep(0.1)


def batch(redis: Redis, what: str, stream: str, count: int, send: Any) -> dict[str, Any]:
    keys = {what: stream, "change log": f"{{{PREFIX}}}:log"}
    before, keys_before = used(redis), sizes(redis, keys)
    send()
    settled(redis, stream, count)
    after, keys_after = used(redis), sizes(redis, keys)
    grown = {k: keys_after[k] - keys_before[k] for k in keys}
    return {
        "entries": count,
        "used_memory_before": before,
        "used_memory_after": after,
        "used_memory_grew": after - before,
        "used_memory_peak": int(redis.info("memory")["used_memory_peak"]),
        "bytes_per_entry": round((after - before) / count),
        "per_10000_entries_mib": round((after - before) / count * 10_000 / 2**20, 2),
        "keys_grew_bytes": grown,
        "keys_bytes_per_entry": {k: round(v / count) for k, v in grown.items()},
    }


def run(entries: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with redis_server() as redis, tempfile.TemporaryDirectory() as confdir:
        args = ["--store", redis.url, "--store-prefix", PREFIX, "--history-limit", str(entries)]
        with pretenders("serve", args, confdir=Path(confdir)) as p:
            for name, preset, path in (
                ("small", SMALL, "/small"),
                ("json1k", PRESET, "/items/42"),
            ):
                setup_mock(p.control, [preset], name)
                stream, url = key(name, "history"), f"/mockhttp/{name}{path}"
                found[f"requests, {name} reply"] = batch(
                    redis,
                    "history",
                    stream,
                    entries,
                    lambda url=url: requests(p.port, url, entries),
                )
            found["mails of ~2 KB"] = batch(
                redis, "mail", key("default", "mail"), entries,
                lambda: send_timed(p.smtp_port, entries),
            )  # fmt: skip
            found["pretenders peak RSS (MiB)"] = round(p.service.peak_rss_mb(), 1)
        persistence = redis.info("persistence")
        found["aof_current_size_mib"] = round(int(persistence["aof_current_size"]) / 2**20, 1)
        found["redis_version"] = redis.info("server")["redis_version"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    options = parser.parse_args()
    result = {
        "workload": "redis_memory",
        "about": __doc__.strip().splitlines()[0],
        "machine": machine(),
        "settings": vars(options),
        **run(options.entries),
    }
    path = write("redis_memory", result)
    for name, figures in result.items():
        print(f"{name}: {figures}")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
