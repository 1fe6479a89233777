"""Counting a preset's uses: what HTTP and SMTP presets share about `times`."""

from typing import Protocol


class Counted(Protocol):
    """A stored preset: how many uses are left (None: FOREVER) and how many it served."""

    remaining: int | None
    served: int


def use(stored: Counted) -> bool:
    """Count one use; True when that was the last one (the preset should go)."""
    stored.served += 1
    if stored.remaining is None:
        return False
    stored.remaining -= 1
    return stored.remaining <= 0
