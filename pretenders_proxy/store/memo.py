"""A preset book's answers remembered by request object: the fast lane sends the same Request
object for the same bytes (api/heads.py), and the same request meets the same preset until the
book changes, which forgets them all."""

from pretenders_proxy.model.http import Request
from pretenders_proxy.store.countdown import Stored

LIMIT = 1024
"""Requests remembered at once; past that the memo starts afresh (a load test sends a few)."""


class Memo[P, S]:
    """Request (by identity, the object kept alive here) -> the preset that answered it and
    its answer. Only a FOREVER preset is kept: one with `times` changes the book when used
    up, and is checked on every recall as a shared store's copy may give it `times` later."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Request, Stored[P], S]] = {}

    def keep(self, request: Request, stored: Stored[P], served: S) -> None:
        if stored.remaining is not None:
            return
        if len(self._kept) >= LIMIT:
            self._kept.clear()
        self._kept[id(request)] = (request, stored, served)

    def recall(self, request: Request) -> S | None:
        """The answer remembered for `request`, its preset's use counted; None if none is."""
        found = self._kept.get(id(request))
        if found is None or found[0] is not request or found[1].remaining is not None:
            return None
        found[1].served += 1  # Stored.use() of a FOREVER preset: never the last use
        return found[2]

    def forget(self) -> None:
        """The presets changed: nothing remembered holds any more."""
        if self._kept:
            self._kept.clear()
