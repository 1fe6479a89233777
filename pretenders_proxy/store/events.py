"""A hub that tells listeners about new history entries (and mail), for waits and live views."""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

type Listener = Callable[[object], None]


class Hub:
    """Synchronous publish/subscribe; a failing listener is logged and the others still run."""

    __slots__ = ("_listeners", "on_listening")

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self.on_listening: Callable[[], None] | None = None
        """Called when someone subscribes (a shared store then follows the other instances)."""

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every published item until the returned function is called."""
        self._listeners.append(listener)
        if self.on_listening is not None:
            self.on_listening()

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, item: object) -> None:
        if not self._listeners:  # the usual case: nobody waits or watches
            return
        for listener in list(self._listeners):
            try:
                listener(item)
            except Exception:
                logger.exception("event listener %r failed", listener)

    def __len__(self) -> int:
        return len(self._listeners)
