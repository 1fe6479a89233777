"""The cyclic garbage collector, kept off the request path.

A running pretenders holds many long-lived objects (a loaded cassette's index alone is some
hundred thousand): every full collection walked all of them and stalled every connection for up
to 100 ms. `settle` moves what exists after start-up or a mode switch out of the collector's
sight (gc.freeze); `paused` keeps it from running while a cassette is loaded.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle() -> None:
    """Leave every object that exists now out of later collections (they live on anyway)."""
    gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (unless it was off already); settles after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
    settle()
