"""A session's captured mail, bounded by count and bytes: past either the oldest go, counted."""

import itertools
from collections.abc import Iterator

from pretenders_proxy.model.mail import Mail
from pretenders_proxy.store.history import MAX_BYTES

MAIL_OVERHEAD = 512
"""About what a kept message costs besides its raw bytes (envelope, headline, objects)."""


def weight(mail: Mail) -> int:
    return MAIL_OVERHEAD + mail.size


class Inbox:
    """Mail in arrival order: at most `limit` messages and about `max_bytes`; `dropped` counts
    what was let go. A message is kept whole or not at all, and the newest always (even one
    larger than `max_bytes` alone: the SMTP listener accepted it, up to --smtp-max-size)."""

    __slots__ = ("_mails", "bytes", "dropped", "limit", "max_bytes")

    def __init__(self, limit: int, max_bytes: int = MAX_BYTES) -> None:
        self._mails: dict[int, Mail] = {}
        self.limit = limit
        self.max_bytes = max_bytes
        self.bytes = 0
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
        self._mails[mail.id] = mail
        self.bytes += weight(mail)
        mails = self._mails
        while len(mails) > self.limit or (self.bytes > self.max_bytes and len(mails) > 1):
            self.bytes -= weight(mails.pop(next(iter(mails))))
            self.dropped += 1

    def get(self, mail_id: int) -> Mail | None:
        return self._mails.get(mail_id)

    def after(self, mail_id: int) -> list[Mail]:
        """The mail with an id greater than `mail_id`, oldest first (ids only grow)."""
        return [mail for mail in self._mails.values() if mail.id > mail_id]

    def remove(self, mail_id: int) -> bool:
        mail = self._mails.pop(mail_id, None)
        if mail is None:
            return False
        self.bytes -= weight(mail)
        return True

    def clear(self) -> None:
        self._mails.clear()
        self.bytes = 0
        self.dropped = 0
