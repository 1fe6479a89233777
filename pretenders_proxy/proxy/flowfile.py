"""mitmproxy flow files (`mitmdump -w`), both ways, through mitmproxy's own FlowReader/Writer.

What a flow cannot hold natively (the recording notes) rides in `flow.metadata["pretenders"]`,
which mitmproxy saves, so cassette -> flows -> cassette is lossless.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, cast

from mitmproxy import connection, exceptions, http
from mitmproxy import io as mitm_io

from pretenders_proxy.cassette.formats.common import Losses, timestamp
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.proxy.convert import request_from_flow, response_from_flow

KEY = "pretenders"


def write(stream: IO[bytes], exchanges: Iterable[Exchange], losses: Losses) -> None:
    writer = mitm_io.FlowWriter(stream)
    for exchange in exchanges:
        writer.add(flow_of(exchange))


def flow_of(exchange: Exchange) -> http.HTTPFlow:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    started = timestamp(meta.recorded_at)
    ended = started + meta.duration_ms / 1000
    address = (request.host.strip("[]"), request.port)
    client = connection.Client(
        peername=("127.0.0.1", 0), sockname=("127.0.0.1", 0), timestamp_start=started
    )
    server = connection.Server(address=address, timestamp_start=started)
    flow = http.HTTPFlow(client, server)
    flow.request = http.Request(
        request.host,
        request.port,
        request.method.encode(),
        request.scheme.encode(),
        b"",
        request.target,
        request.http_version.encode(),
        http.Headers(request.headers),
        request.body,
        None,
        started,
        started,
    )
    flow.response = http.Response(
        response.http_version.encode(),
        response.status,
        response.reason.encode(),
        http.Headers(response.headers),
        response.body,
        None if response.trailers is None else http.Headers(response.trailers),
        ended,
        ended,
    )
    flow.metadata[KEY] = {
        "recorded_at": meta.recorded_at,
        "duration_ms": meta.duration_ms,
        "redacted": list(meta.redacted),
    }
    return flow


def read(stream: IO[bytes], losses: Losses) -> Iterator[Exchange]:
    try:
        for flow in mitm_io.FlowReader(cast(BinaryIO, stream)).stream():
            if not isinstance(flow, http.HTTPFlow):
                losses.note(f"{flow.type} flows (not HTTP)")
            elif flow.response is None:
                losses.note("flows without a response")
            else:
                yield exchange_of(flow)
    except exceptions.FlowReadException as e:
        raise CassetteError(f"not a mitmproxy flow file ({e})") from None


def exchange_of(flow: http.HTTPFlow) -> Exchange:
    if flow.response is None:
        raise ValueError("a flow without a response is not an exchange")
    saved: Any = flow.metadata.get(KEY)
    # The same key holds our addons' tags on a flow saved by `mitmdump -s addons/pretenders.py
    # -w`: notes of ours are only what carries a recording time.
    if isinstance(saved, dict) and "recorded_at" in saved:
        meta = Meta(
            recorded_at=str(saved.get("recorded_at", "")),
            duration_ms=float(saved.get("duration_ms", 0.0)),
            redacted=tuple(str(name) for name in saved.get("redacted", ())),
        )
    else:
        started = flow.request.timestamp_start
        ended = flow.response.timestamp_end or started
        meta = Meta(
            recorded_at=datetime.fromtimestamp(started, UTC).isoformat(),
            duration_ms=round((ended - started) * 1000, 3),
        )
    request = request_from_flow(flow.request)
    return Exchange(request, response_from_flow(flow.response), meta)
