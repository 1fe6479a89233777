"""A session's journal, bounded by count and bytes: past either the oldest go and are counted."""

import bisect
import itertools
from collections import deque
from collections.abc import Iterator

from pretenders_proxy.model.journal import Entry

MAX_BYTES = 64 * 1024 * 1024
"""The default of --history-max-bytes: what a session's history (and its mail) may hold."""


class History:
    """Entries in arrival order: at most `limit` of them, and at most about `max_bytes` (the
    newest entry is always kept); `dropped` counts what was let go."""

    __slots__ = ("_entries", "_sizes", "bytes", "dropped", "limit", "max_bytes")

    def __init__(self, limit: int, max_bytes: int = MAX_BYTES) -> None:
        self._entries: deque[Entry] = deque()
        self._sizes: deque[int] = deque()
        self.limit = limit
        self.max_bytes = max_bytes
        self.bytes = 0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries))

    def __getitem__(self, position: int) -> Entry:
        return self._entries[position]

    def add(self, entry: Entry, size: int = 0) -> None:
        """Keep `entry`, which holds about `size` bytes (model.journal.weight)."""
        self._entries.append(entry)
        self._sizes.append(size)
        self.bytes += size
        entries = self._entries
        while len(entries) > self.limit or (self.bytes > self.max_bytes and len(entries) > 1):
            entries.popleft()
            self.bytes -= self._sizes.popleft()
            self.dropped += 1

    def after(self, entry_id: int) -> list[Entry]:
        """The entries with an id greater than `entry_id`, oldest first (ids only grow)."""
        start = bisect.bisect_right(self._entries, entry_id, key=_id)
        return list(itertools.islice(self._entries, start, None))

    def clear(self) -> None:
        self._entries.clear()
        self._sizes.clear()
        self.bytes = 0
        self.dropped = 0


def _id(entry: Entry) -> int:
    return entry.id
