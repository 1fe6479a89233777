"""Captured mail: each session's bounded mailbox, and the post office numbering deliveries."""

import itertools
from collections.abc import Callable, Iterator

from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.message import headline

type Watcher = Callable[[Mail], None]


class Mailbox:
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


class PostOffice:
    """Numbers every accepted mail and tells the watchers (long polls) about it."""

    __slots__ = ("_ids", "_keys", "_watchers")

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._keys = itertools.count()
        self._watchers: dict[int, Watcher] = {}

    def deliver(
        self, mailbox: Mailbox, session: str, now: float, envelope: Envelope, content: bytes
    ) -> Mail:
        """Put a message into `mailbox` as a new Mail, then tell every watcher."""
        mail = Mail(next(self._ids), session, now, envelope, content, headline(content))
        mailbox.add(mail)
        for watcher in list(self._watchers.values()):
            watcher(mail)
        return mail

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Call `watcher` with each mail delivered from now on; returns how to stop."""
        key = next(self._keys)
        self._watchers[key] = watcher

        def stop() -> None:
            self._watchers.pop(key, None)

        return stop
