from dataclasses import dataclass

from pretenders_proxy.store.countdown import use


@dataclass
class Stored:
    remaining: int | None
    served: int = 0


def test_use_counts_down_and_says_when_the_last_use_went() -> None:
    twice = Stored(2)
    assert [use(twice), use(twice)] == [False, True]
    assert (twice.remaining, twice.served) == (0, 2)


def test_forever_never_runs_out() -> None:
    forever = Stored(None)
    assert not any(use(forever) for _ in range(5))
    assert (forever.remaining, forever.served) == (None, 5)
