"""The decision's own cost per /mockhttp/ request, in process, no HTTP: `State.mock` on the
memory store with 1 preset and with W5's 5,000 (`GET /items/<n>$`), and with `--redis URL`
`SharedState.mock` on a real Redis, 32 requests at a time (this process's CPU per request).

`python bench/decision_cost.py [--redis redis://127.0.0.1:6379/0]`; pin it (`taskset -c 0`).
"""

import argparse
import asyncio
import json
import time
import timeit
from collections.abc import Coroutine
from typing import Any

from pretenders_proxy.model.http import quick_request
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.shared.state import SharedState
from pretenders_proxy.store import Store
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.state import State

PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()
REPLY = Reply(200, ((b"Content-Type", b"application/json"),), PAYLOAD)
HEADERS = ((b"Host", b"127.0.0.1:8000"), (b"User-Agent", b"wrk"))
REQUEST = quick_request("GET", b"/items/2500", b"", HEADERS, b"", "http", "127.0.0.1", 8000, "1.1")
MANY, CALLS = 5_000, 100_000


def done[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the memory store's)."""
    try:
        coroutine.send(None)
    except StopIteration as e:
        return e.value  # type: ignore[no-any-return]
    raise RuntimeError("the memory store waited")


def memory() -> dict[str, float]:
    store = Store(history_limit=10_000)
    state = State(store)
    one = store.open("one", SessionProtocol.HTTP, None)
    many = store.open("many", SessionProtocol.HTTP, None)
    store.add_preset(one, Preset(Rule("GET /items/2500$"), REPLY))
    for n in range(MANY):
        store.add_preset(many, Preset(Rule(f"GET /items/{n}$"), REPLY))
    found = {}
    for name, what in (("one", "1 preset"), ("many", f"{MANY} presets")):

        def ask(name: str = name) -> None:
            done(state.mock(name, REQUEST, 404, 0.02, 0.0))

        timings = timeit.repeat(ask, number=CALLS, repeat=5)
        found[f"memory, {what}"] = round(min(timings) / CALLS * 1e6, 2)
    return found


async def redis(url: str) -> dict[str, float]:
    state = SharedState(Store(), url, f"decision-cost-{time.time()}", lambda *_: None)
    await state.start()
    try:
        session = await state.open("bench", SessionProtocol.HTTP, None)
        await state.add_preset(session, Preset(Rule("GET /items/2500$"), REPLY))
        rounds = []
        for _ in range(5):
            cpu = time.process_time()
            for _ in range(300):
                asked = (state.mock("bench", REQUEST, 404, 0.02, 0.0) for _ in range(32))
                await asyncio.gather(*asked)
            rounds.append((time.process_time() - cpu) / (300 * 32) * 1e6)
        return {"redis, 1 preset (CPU)": round(min(rounds), 1)}
    finally:
        await state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", help="a Redis URL: measure SharedState.mock on it too")
    options = parser.parse_args()
    found = memory()
    if options.redis:
        found |= asyncio.run(redis(options.redis))
    for what, us in found.items():
        print(f"{what:32s} {us:8.2f} us a request")


if __name__ == "__main__":
    main()
