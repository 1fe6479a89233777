"""Several instances recording one cassette (a shared cassette directory, issue 18 item 3):
each exchange appended exactly once, whole, never interleaved with another's."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import start
from tests.integration.upstream import Upstream

EACH = 200


def test_two_instances_recording_one_cassette_keep_every_exchange_whole(
    upstream: Upstream, tmp_path: Path, confdir: Path
) -> None:
    cassette = tmp_path / "api.cassette"  # a shared volume's folder, for both
    with ThreadPoolExecutor(2) as starting:  # both start the new file at once
        both = list(
            starting.map(
                lambda _: start([str(cassette)], confdir=confdir, command="record"), range(2)
            )
        )
    try:
        proxies = [server.proxy for server in both]

        def get(number: int) -> int:
            proxy = proxies[number % 2]
            url = f"{upstream.url}/hello?n={number}"
            answer = requests.get(url, proxies={"http": proxy}, timeout=30)
            return answer.status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(get, range(2 * EACH)))
    finally:
        for server in both:
            server.stop()
    assert statuses == [200] * (2 * EACH)
    loaded = read(cassette)
    assert loaded.truncated_at is None
    numbers = sorted(int(s.exchange.request.query.split(b"=")[1]) for s in loaded.exchanges)
    assert numbers == list(range(2 * EACH))  # each exactly once
    bodies = {s.exchange.response.body for s in loaded.exchanges}
    assert len(bodies) == 1 and b"hello" in next(iter(bodies)).lower()
