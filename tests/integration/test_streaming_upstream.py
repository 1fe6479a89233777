"""The streaming upstream the stream tests record from does what they rely on, fetched directly."""

import ssl
import time

import aiohttp

from tests.integration.streaming import StreamingUpstream
from tests.integration.tlsca import LocalCA


async def test_events_arrive_one_by_one_with_their_gaps(
    streaming_upstream: StreamingUpstream,
) -> None:
    arrived = []
    url = f"{streaming_upstream.url}/sse?n=3&gap=0.2"
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        async for line in response.content:
            if line.startswith(b"data:"):
                arrived.append((time.monotonic(), line))
    assert [line for _, line in arrived] == [b"data: 0\n", b"data: 1\n", b"data: 2\n"]
    assert arrived[2][0] - arrived[0][0] >= 0.35
    assert len(streaming_upstream.sent.times["/sse"]) == 3


async def test_the_websocket_talks_as_documented(
    tls_streaming_upstream: StreamingUpstream, local_ca: LocalCA
) -> None:
    tls = ssl.create_default_context(cafile=str(local_ca.ca_cert))
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(tls_streaming_upstream.ws_url, ssl=tls) as socket,
    ):
        assert await socket.receive_str() == "welcome"
        await socket.send_str("hi")
        assert await socket.receive_str() == "echo: hi"
        await socket.send_bytes(b"\x01\x02")
        assert await socket.receive_bytes() == b"\x02\x01"
        await socket.send_str("twice")
        assert [await socket.receive_str(), await socket.receive_str()] == ["one", "two"]
        await socket.send_str("bye")
        closing = await socket.receive()
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 1000
    assert tls_streaming_upstream.connections == 1
