"""mitmproxy flow files both ways: lossless for cassettes, readable from a plain `mitmdump -w`."""

import io

import pytest
from mitmproxy import io as mitm_io
from mitmproxy.test import tflow
from mitmproxy.websocket import WebSocketMessage

from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.stream import WsMessage
from pretenders_proxy.proxy import flowfile
from tests.pretenders_proxy.samples import exchanges, streams


def test_exchanges_come_back_equal_through_a_flow_file() -> None:
    stream = io.BytesIO()
    flowfile.write(stream, exchanges(), Losses())
    stream.seek(0)
    assert list(flowfile.read(stream, Losses())) == exchanges()


def test_a_flow_saved_by_mitmdump_gets_its_timing_from_the_timestamps() -> None:
    flow = tflow.tflow(resp=True)
    exchange = flowfile.exchange_of(flow)
    started, ended = flow.request.timestamp_start, flow.response.timestamp_end  # type: ignore[union-attr]
    assert exchange.meta.duration_ms == round((ended - started) * 1000, 3)  # type: ignore[operator]
    assert exchange.meta.redacted == ()


def test_a_flow_our_addons_tagged_in_mitmdump_gets_its_timing_too() -> None:
    """`mitmdump -s addons/pretenders.py -w` saves our addons' tags under the same key."""
    flow = tflow.tflow(resp=True)
    flow.metadata[flowfile.KEY] = {"session": "default", "source": "upstream"}
    exchange = flowfile.exchange_of(flow)
    assert exchange.meta.recorded_at != "" and exchange.meta.duration_ms > 0


def test_flows_that_are_no_exchanges_are_left_out_and_said() -> None:
    stream = io.BytesIO()
    writer = mitm_io.FlowWriter(stream)
    for flow in (tflow.tflow(resp=True), tflow.tflow(), tflow.ttcpflow()):
        writer.add(flow)
    stream.seek(0)
    losses = Losses()
    assert len(list(flowfile.read(stream, losses))) == 1
    assert losses.lines() == [
        "dropped: flows without a response (1 exchange)",
        "dropped: tcp flows (not HTTP) (1 exchange)",
    ]


def test_anything_else_is_refused() -> None:
    with pytest.raises(CassetteError, match="not a mitmproxy flow file"):
        list(flowfile.read(io.BytesIO(b"not a flow"), Losses()))


def test_conversations_go_in_mitmproxys_own_websocket_data_and_chunks_in_our_notes() -> None:
    sse, socket = streams()
    flow = flowfile.flow_of(socket)
    assert flow.websocket is not None
    opened = flow.response.timestamp_end  # type: ignore[union-attr]
    assert [(m.type, m.from_client, m.content, m.timestamp) for m in flow.websocket.messages] == [
        (1, False, b"hello", opened),
        (1, True, b'{"ask": 1}', opened + 0.25),
        (2, False, b"\x00\x01\xff", opened + 0.5),
        (1, True, "héllo".encode(), opened + 1.125),
    ]
    websocket = flow.websocket
    assert (websocket.close_code, websocket.close_reason, websocket.closed_by_client) == (
        1000,
        "bye",
        True,
    )
    notes = flowfile.flow_of(sse).metadata[flowfile.KEY]
    assert (notes["chunks"], notes["cut"]) == ([[0.0, 11], [0.5, 11], [1.25, 13]], sse.response.cut)
    stream = io.BytesIO()
    flowfile.write(stream, streams(), Losses())
    stream.seek(0)
    assert list(flowfile.read(stream, Losses())) == streams()


def test_a_websocket_flow_mitmdump_saved_is_read_with_offsets_from_the_101() -> None:
    flow = tflow.twebsocketflow()
    opened = flow.response.timestamp_end  # type: ignore[union-attr]
    websocket = flow.websocket
    assert websocket is not None
    websocket.messages[0].timestamp = opened + 0.5
    websocket.messages.append(WebSocketMessage(1, False, "old text", opened - 1))  # type: ignore[arg-type]
    websocket.messages.append(WebSocketMessage(2, True, b"x", opened + 1, dropped=True))
    losses = Losses()
    talk = flowfile.exchange_of(flow, losses).websocket
    assert talk is not None
    assert talk.messages[0] == WsMessage(True, b"hello binary", False, 0.5)
    assert talk.messages[-1] == WsMessage(False, b"old text", True, 0.0)  # mitmproxy 6 kept str
    assert len(talk.messages) == len(websocket.messages) - 1
    assert (talk.close_code, talk.closed_by_client) == (1000, False)
    assert losses.lines() == [
        "dropped: WebSocket messages mitmproxy dropped (never forwarded) (1 exchange)"
    ]
    assert flowfile.exchange_of(flow).response.chunks == ()  # mitmproxy keeps no timing
