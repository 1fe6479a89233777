from pretenders_proxy.model.stream import pieces


def test_a_body_comes_back_in_the_pieces_it_arrived_in() -> None:
    assert pieces(b"abcdef", ((0.0, 2), (0.5, 3), (1.0, 1))) == [
        (0.0, b"ab"), (0.5, b"cde"), (1.0, b"f"),
    ]  # fmt: skip


def test_without_timing_the_body_is_one_piece_at_once() -> None:
    assert pieces(b"abc", ()) == [(0.0, b"abc")]
    assert pieces(b"", ()) == []


def test_bytes_past_the_timing_go_in_a_last_piece() -> None:
    assert pieces(b"abcd", ((0.2, 1),)) == [(0.2, b"a"), (0.2, b"bcd")]
