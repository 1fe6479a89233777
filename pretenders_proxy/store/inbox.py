"""A session's captured mail, bounded: past the limit the oldest go and are counted."""

import itertools
from collections.abc import Iterator

from pretenders_proxy.model.mail import Mail


class Inbox:
    """Mail in arrival order, at most `limit` of it; `dropped` counts what was let go."""

    __slots__ = ("_mails", "dropped", "limit")

    def __init__(self, limit: int) -> None:
        self._mails: dict[int, Mail] = {}
        self.limit = limit
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._mails)

    def __iter__(self) -> Iterator[Mail]:
        return iter(list(self._mails.values()))

    def __getitem__(self, position: int) -> Mail:
        """The mail at `position` (0: the oldest kept); IndexError when there is none."""
        if not 0 <= position < len(self._mails):
            raise IndexError(position)
        return next(itertools.islice(self._mails.values(), position, None))

    def add(self, mail: Mail) -> None:
        while len(self._mails) >= self.limit:
            del self._mails[next(iter(self._mails))]
            self.dropped += 1
        self._mails[mail.id] = mail

    def get(self, mail_id: int) -> Mail | None:
        return self._mails.get(mail_id)

    def remove(self, mail_id: int) -> bool:
        return self._mails.pop(mail_id, None) is not None

    def clear(self) -> None:
        self._mails.clear()
        self.dropped = 0
