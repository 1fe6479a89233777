import gc
from collections.abc import Iterator

import pytest

from pretenders_proxy.server import collector


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def test_settle_moves_what_exists_out_of_collections() -> None:
    gc.unfreeze()
    kept = [[n] for n in range(100)]
    collector.settle()
    assert gc.get_freeze_count() >= len(kept)


def test_paused_stops_collections_inside_then_settles() -> None:
    gc.unfreeze()
    with collector.paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(100)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_paused_leaves_a_disabled_collector_disabled_even_on_errors() -> None:
    gc.disable()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("loading failed")
    assert not gc.isenabled()
