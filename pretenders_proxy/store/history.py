"""A session's journal, bounded: past the limit the oldest entries go and are counted."""

from collections import deque
from collections.abc import Iterator

from pretenders_proxy.model.journal import Entry


class History:
    """Entries in arrival order, at most `limit` of them; `dropped` counts what was let go."""

    __slots__ = ("_entries", "dropped")

    def __init__(self, limit: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=limit)
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries))

    def __getitem__(self, position: int) -> Entry:
        return self._entries[position]

    def add(self, entry: Entry) -> None:
        if len(self._entries) == self._entries.maxlen:
            self.dropped += 1
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()
        self.dropped = 0
