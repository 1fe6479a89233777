"""The bounded mailbox, and the store numbering mail and publishing it to waiters."""

import pytest

from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.store import Store
from pretenders_proxy.store.inbox import Inbox, weight
from pretenders_proxy.store.session import SessionProtocol

ENVELOPE = Envelope(("127.0.0.1", 1234), "app@x.test", ("a@x.test",))


def mail(mail_id: int) -> Mail:
    return Mail(mail_id, "s", 0.0, ENVELOPE, b"Subject: x\r\n\r\n")


def test_mailbox_keeps_the_newest_and_counts_the_dropped() -> None:
    box = Inbox(limit=2)
    for mail_id in (1, 2, 3):
        box.add(mail(mail_id))
    assert [m.id for m in box] == [2, 3] and box.dropped == 1
    assert (box[0].id, box[1].id) == (2, 3)
    with pytest.raises(IndexError):
        box[2]
    assert box.get(1) is None and box.get(3) is not None
    assert box.remove(2) and not box.remove(2) and len(box) == 1
    box.clear()
    assert (len(box), box.dropped) == (0, 0)


def test_add_mail_numbers_parses_touches_and_publishes() -> None:
    store = Store(history_limit=5)
    session = store.open("mailroom", SessionProtocol.SMTP)
    before = session.last_seen
    published: list[object] = []
    stop = store.events.subscribe(published.append)
    first = store.add_mail(session, ENVELOPE, b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nx")
    stop()
    second = store.add_mail(session, ENVELOPE, b"Subject: later\r\n\r\n")
    assert published == [first] and (first.id, second.id) == (1, 2)
    assert (first.headline.subject, first.session, first.size) == ("café", "mailroom", 35)
    assert list(session.inbox) == [first, second] and session.last_seen >= before


def test_deleting_a_session_tells_the_on_delete_listeners() -> None:
    store = Store()
    deleted: list[str] = []
    store.on_delete.append(deleted.append)
    store.open("gone", SessionProtocol.SMTP)
    assert store.delete("gone") and not store.delete("gone")
    assert deleted == ["gone"]


def sized(mail_id: int, size: int) -> Mail:
    return Mail(mail_id, "s", 0.0, ENVELOPE, b"x" * size)


def test_mailbox_is_bounded_by_bytes_keeping_each_message_whole() -> None:
    overhead = weight(sized(0, 0))
    box = Inbox(limit=10, max_bytes=3 * (1000 + overhead))
    for mail_id in range(1, 5):
        box.add(sized(mail_id, 1000))
    assert ([m.id for m in box], box.dropped) == ([2, 3, 4], 1)
    assert box.remove(3) and box.bytes == 2 * (1000 + overhead)
    box.add(sized(5, 10_000))  # alone over the bound: kept whole, the rest go
    assert ([m.id for m in box], box.dropped, box.bytes) == ([5], 3, 10_000 + overhead)
    assert [m.id for m in box.after(4)] == [5] and box.after(5) == []
