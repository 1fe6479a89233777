"""Capture: what passes of a streamed response body, kept for the recording and for history:
the bytes (up to a bound), when each piece arrived, and why the recording ends early."""

from mitmproxy import http

from pretenders_proxy.model.stream import Cut, Timing
from pretenders_proxy.proxy import internals

MERGE = 0.001
"""Pieces arriving within this many seconds of the start of the piece before are kept as one:
at most a thousand pieces a second, whatever size the reads happen to have (timing within 1 ms)."""


class Capture:
    """The body of one streamed response as it passes (`add` each piece, with time.monotonic())."""

    def __init__(self, limit: int, started: float, *, over: Cut | None = Cut.SIZE) -> None:
        self.limit = limit
        """Bytes kept at most; past them the stream goes on, nothing more is kept."""
        self.over = over
        """What the recording is marked past `limit` (None: history's preview, not a cut)."""
        self.started = started
        self.last = started
        """When the head or the last piece arrived (time.monotonic())."""
        self.body = bytearray()
        self.size = 0
        """Bytes that passed, kept or not."""
        self.cut: Cut | None = None
        self.ended = False
        """The stream ended (or was cut) and its exchange was dealt with: nothing more to do."""
        self._timing: list[tuple[float, int]] = []

    def add(self, data: bytes, now: float) -> None:
        self.size += len(data)
        self.last = now
        if self.cut is not None or not data or len(self.body) >= self.limit:
            return
        room = self.limit - len(self.body)
        if len(data) > room:
            data = data[:room]
            if self.over is not None:
                self.cut = self.over
            if not data:
                return
        self.body += data
        at = now - self.started
        if self._timing and at - self._timing[-1][0] < MERGE:
            first, size = self._timing[-1]
            self._timing[-1] = (first, size + len(data))
        else:
            self._timing.append((round(at, 6), len(data)))

    def stop(self, cut: Cut) -> None:
        """The stream ends here: the recording is marked `cut` (unless cut before)."""
        if self.cut is None:
            self.cut = cut

    @property
    def timing(self) -> Timing:
        return tuple(self._timing)


_KEY = "_pretenders_capture"


def capture_of(flow: http.HTTPFlow) -> Capture | None:
    """The capture of the flow's streamed response; None when it was not streamed."""
    found: Capture | None = internals.stash(flow).get(_KEY)
    return found


def attach(flow: http.HTTPFlow, capture: Capture) -> None:
    internals.stash(flow)[_KEY] = capture
