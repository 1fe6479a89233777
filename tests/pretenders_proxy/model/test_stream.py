import pytest

from pretenders_proxy.model.stream import Timing, paced, pieces, streams, timing_of


def test_a_body_comes_back_in_the_pieces_it_arrived_in() -> None:
    assert pieces(b"abcdef", ((0.0, 2), (0.5, 3), (1.0, 1))) == [
        (0.0, b"ab"), (0.5, b"cde"), (1.0, b"f"),
    ]  # fmt: skip


def test_without_timing_the_body_is_one_piece_at_once() -> None:
    assert pieces(b"abc", ()) == [(0.0, b"abc")]
    assert pieces(b"", ()) == []


def test_bytes_past_the_timing_go_in_a_last_piece() -> None:
    assert pieces(b"abcd", ((0.2, 1),)) == [(0.2, b"a"), (0.2, b"bcd")]


def test_paced_pieces_are_due_at_their_offset_divided_by_the_speed() -> None:
    timing = ((0.0, 1), (0.5, 1), (1.0, 1))
    assert paced(b"abc", timing, 1) == [(0.0, b"a"), (0.5, b"b"), (1.0, b"c")]
    assert paced(b"abc", timing, 2) == [(0.0, b"a"), (0.25, b"b"), (0.5, b"c")]
    assert paced(b"abc", timing, 0) == [(0.0, b"a"), (0.0, b"b"), (0.0, b"c")]


def test_chunks_given_as_gaps_become_a_timing() -> None:
    assert timing_of(((0.0, b"ab"), (0.2, b"c"), (0.3, b""))) == ((0.0, 2), (0.2, 1), (0.5, 0))
    assert timing_of(()) == ()


@pytest.mark.parametrize(
    ("method", "status", "timing", "expected"),
    [
        ("GET", 200, ((0.0, 1),), True),
        ("GET", 200, (), False),
        ("HEAD", 200, ((0.0, 1),), False),
        ("GET", 204, ((0.0, 1),), False),
        ("GET", 304, ((0.0, 1),), False),
        ("GET", 101, ((0.0, 1),), False),
    ],
)
def test_only_a_response_with_pieces_and_a_body_to_send_streams(
    method: str, status: int, timing: Timing, expected: bool
) -> None:
    assert streams(method, status, timing) is expected
