from mitmproxy.test import tflow

from pretenders_proxy.model.stream import Cut
from pretenders_proxy.proxy.capture import Capture, attach, capture_of


def test_pieces_are_kept_with_their_offsets_and_close_ones_merged() -> None:
    capture = Capture(100, started=10.0)
    capture.add(b"one", 10.2)
    capture.add(b"-", 10.2005)  # within a millisecond of the piece before: the same piece
    capture.add(b"two", 10.5)
    assert bytes(capture.body) == b"one-two"
    assert capture.timing == ((0.2, 4), (0.5, 3))
    assert capture.size == 7 and capture.last == 10.5 and capture.cut is None


def test_past_the_limit_the_recording_is_cut_and_the_size_still_counted() -> None:
    capture = Capture(5, started=0.0)
    capture.add(b"abc", 1.0)
    capture.add(b"defg", 2.0)
    capture.add(b"hij", 3.0)
    assert bytes(capture.body) == b"abcde" and capture.timing == ((1.0, 3), (2.0, 2))
    assert capture.cut is Cut.SIZE and capture.size == 10 and capture.last == 3.0
    capture.stop(Cut.CLIENT)  # the first cut stays
    assert capture.cut is Cut.SIZE


def test_a_preview_stops_keeping_without_a_cut() -> None:
    capture = Capture(2, started=0.0, over=None)
    capture.add(b"abc", 1.0)
    capture.add(b"d", 2.0)
    assert bytes(capture.body) == b"ab" and capture.cut is None and capture.size == 4
    capture.stop(Cut.SHUTDOWN)
    assert capture.cut is Cut.SHUTDOWN


def test_a_flow_carries_its_capture_unsaved() -> None:
    flow = tflow.tflow(resp=True)
    assert capture_of(flow) is None
    capture = Capture(1, 0.0)
    attach(flow, capture)
    assert capture_of(flow) is capture
    assert "_pretenders_capture" not in str(flow.get_state())
