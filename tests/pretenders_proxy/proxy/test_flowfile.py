"""mitmproxy flow files both ways: lossless for cassettes, readable from a plain `mitmdump -w`."""

import io

import pytest
from mitmproxy import io as mitm_io
from mitmproxy.test import tflow

from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.proxy import flowfile
from tests.pretenders_proxy.samples import exchanges


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
