from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow, tutils

from pretenders_proxy.cassette import reading
from pretenders_proxy.model.stream import Cut
from pretenders_proxy.proxy.capture import capture_of
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.streams import STREAM_ABOVE, Passer, Streams, streams
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime


def _response(status: int = 200, **headers: str) -> http.Response:
    response = tutils.tresp(status_code=status, content=None)
    response.headers.clear()
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


@pytest.mark.parametrize(
    ("response", "streamed"),
    [
        (_response(content_type="text/event-stream", content_length="10"), True),
        (_response(content_type="application/grpc+proto", content_length="5"), True),
        (_response(transfer_encoding="chunked"), True),
        (_response(content_type="text/plain"), True),  # no length: ends when the upstream closes
        (_response(content_length=str(STREAM_ABOVE + 1)), True),
        (_response(content_length=str(STREAM_ABOVE)), False),
        (_response(content_length="0", content_type="text/event-stream"), False),
        (_response(204), False),
        (_response(101, upgrade="websocket"), False),
        (_response(content_length="x"), False),  # mitmproxy refuses it itself
    ],
)
def test_what_streams(response: http.Response, streamed: bool) -> None:
    assert streams(tutils.treq(), response) is streamed


def _streaming(streams_addon: Streams, record: Path | None, **headers: str) -> http.HTTPFlow:
    flow = tflow.tflow()
    if record is not None:
        tags(flow)["record"] = str(record)
    flow.response = _response(**headers)
    streams_addon.responseheaders(flow)
    return flow


def test_a_streamed_exchange_is_recorded_whole_at_its_end(tmp_path: Path) -> None:
    cassette = tmp_path / "s.cassette"
    addon = Streams(Runtime())
    with taddons.context(Options(Runtime()), addon):
        flow = _streaming(addon, cassette, content_type="text/event-stream")
        passer = flow.response.stream if flow.response else None
        assert isinstance(passer, Passer)
        assert passer(b"data: 1\n\n") == [b"data: 1\n\n"]  # passed on at once
        assert passer(b"") == []
        addon.response(flow)
        addon.done()
        addon.runtime.cassettes.close()
    (stored,) = reading.read(cassette).exchanges
    assert stored.exchange.response.body == b"data: 1\n\n"
    assert len(stored.exchange.response.chunks) == 1 and stored.exchange.response.cut == ""


def test_the_last_byte_of_a_known_length_waits_for_the_recording(tmp_path: Path) -> None:
    addon = Streams(Runtime())
    size = STREAM_ABOVE + 2
    with taddons.context(Options(Runtime()), addon):
        flow = _streaming(addon, tmp_path / "s.cassette", content_length=str(size))
        passer = flow.response.stream if flow.response else None
        assert isinstance(passer, Passer)
        assert passer(b"a" * (size - 2)) == [b"a" * (size - 2)]
        assert passer(b"bc") == [b"b"]
        assert passer(b"") == [b"c"]  # recorded: the last byte goes
        addon.runtime.cassettes.close()
        failing = _streaming(addon, tmp_path / "no" / "s.cassette", content_length=str(size))
        passer = failing.response.stream if failing.response else None
        assert isinstance(passer, Passer)
        passer(b"x" * size)
        assert passer(b"") == []  # not recorded: the client never gets it all
    assert failing.error is not None and failing.error.msg == "Connection killed."
    assert "could not be recorded" in tags(failing)["fault"]


def test_streams_open_at_shutdown_are_recorded_cut(tmp_path: Path) -> None:
    cassette = tmp_path / "s.cassette"
    addon = Streams(Runtime())
    with taddons.context(Options(Runtime()), addon):
        flow = _streaming(addon, cassette, transfer_encoding="chunked")
        passer = flow.response.stream if flow.response else None
        assert isinstance(passer, Passer)
        passer(b"piece")
        addon.done()
        addon.runtime.cassettes.close()
        addon.error(flow)  # the connection going afterwards changes nothing
    capture = capture_of(flow)
    assert capture is not None and capture.ended and addon.live == {}
    (stored,) = reading.read(cassette).exchanges
    assert stored.exchange.response.body == b"piece"
    assert stored.exchange.response.cut == Cut.SHUTDOWN


def test_a_stream_not_recorded_keeps_a_preview_and_our_own_api_is_only_streamed() -> None:
    addon = Streams(Runtime())
    with taddons.context(Options(Runtime()), addon):
        flow = _streaming(addon, None, content_type="text/event-stream")
        capture = capture_of(flow)
        assert capture is not None and capture.limit == 64 * 1024 and capture.over is None
        control = tflow.tflow()
        tags(control)["control"] = True
        control.response = _response(content_type="text/event-stream")
        addon.responseheaders(control)
        assert control.response.stream is True and capture_of(control) is None


def test_a_response_made_here_is_neither_streamed_nor_captured() -> None:
    """mitmproxy calls `responseheaders` for a response an addon set too (a preset's chunks, a
    replayed stream): it has its body already, which the play sends; capturing it would leave
    history an empty body."""
    addon = Streams(Runtime())
    with taddons.context(Options(Runtime()), addon):
        flow = tflow.tflow()
        flow.response = tutils.tresp(content=b"data: 1\n\n")
        flow.response.headers["Content-Type"] = "text/event-stream"
        del flow.response.headers["Content-Length"]
        addon.responseheaders(flow)
        assert capture_of(flow) is None and not flow.response.stream
