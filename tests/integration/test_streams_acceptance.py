"""Issue 16 as a user meets it: an app with an SSE stream and a WebSocket records both through
one `pretenders record`, seeing each event as it is sent; `pretenders replay` then plays them
offline (the upstream gone): the same bytes, paced as recorded at `--replay-speed 1`, at once by
default; the conversation with its recorded answers, and 1008 plus a miss for a new message."""

import asyncio
import itertools
from pathlib import Path

import pytest

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import launch
from tests.integration.streaming import StreamingUpstream
from tests.integration.test_stream_recording import _events, _json
from tests.integration.test_websocket import talk

GAP = 0.3
SAY: list[str | bytes] = ["hi", b"\x01\x02", "twice", "bye"]


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


@pytest.fixture
def recorded(
    streaming_upstream: StreamingUpstream, cassette: Path, confdir: Path
) -> tuple[str, bytes, list[float], list[object]]:
    """Record the app's stream and conversation; what the app saw while recording."""
    sse = f"{streaming_upstream.url}/sse?n=5&gap={GAP}"
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        seen, body = asyncio.run(_events(recorder.proxy, sse))
        heard = asyncio.run(talk(streaming_upstream.ws_url, recorder.proxy, None, SAY))
    sent = streaming_upstream.sent.times["/sse"]
    assert max(got - at for got, at in zip(seen, sent, strict=True)) < 0.25  # as sent
    streaming_upstream.stop()  # from here on, offline
    return sse, body, seen, list(heard)


async def test_recorded_streams_replay_offline_paced_or_at_once(
    recorded: tuple[str, bytes, list[float], list[object]], cassette: Path, confdir: Path
) -> None:
    sse, body, seen, heard = recorded
    exchanges = [stored.exchange for stored in read(cassette).exchanges]
    assert [len(x.response.chunks) for x in exchanges if x.websocket is None] == [5]

    with launch([str(cassette), "--replay-speed", "1"], confdir=confdir, command="replay") as p:
        paced, replayed = await _events(p.proxy, sse)
    assert replayed == body
    for recorded_gap, replayed_gap in zip(gaps(seen), gaps(paced), strict=True):
        assert abs(replayed_gap - recorded_gap) <= 0.2 * recorded_gap, (seen, paced)

    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        at_once, replayed = await _events(replayer.proxy, sse)
        assert replayed == body
        assert at_once[-1] - at_once[0] < 0.5 * (seen[-1] - seen[0])

        ws = sse.split("/sse")[0].replace("http://", "ws://") + "/ws"
        assert await talk(ws, replayer.proxy, None, SAY) == heard
        new = await talk(ws, replayer.proxy, None, ["never said"])
        assert new[-1][0] == "close" and new[-1][1][0] == 1008
        history = await _json(f"{replayer.control}/api/v1/requests")
    misses = [entry for entry in history if entry["source"] == "miss"]
    assert misses and "never said" in str(misses[-1])
