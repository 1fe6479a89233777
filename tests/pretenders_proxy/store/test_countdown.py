from pretenders_proxy.store.countdown import Stored


def test_use_counts_down_and_says_when_the_last_use_went() -> None:
    twice = Stored(1, "preset", 2)
    assert [twice.use(), twice.use()] == [False, True]
    assert (twice.remaining, twice.served) == (0, 2)


def test_forever_never_runs_out() -> None:
    forever = Stored(1, "preset", None)
    assert not any(forever.use() for _ in range(5))
    assert (forever.remaining, forever.served) == (None, 5)
