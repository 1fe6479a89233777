"""The bounded mailbox and the post office that numbers mail and tells watchers."""

import pytest

from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.store.mailbox import Mailbox, PostOffice

ENVELOPE = Envelope(("127.0.0.1", 1234), "app@x.test", ("a@x.test",))


def test_mailbox_keeps_the_newest_and_counts_the_dropped() -> None:
    box, post = Mailbox(limit=2), PostOffice()
    mails = [post.deliver(box, "s", 0.0, ENVELOPE, f"Subject: {n}\r\n\r\n".encode()) for n in "abc"]
    assert [m.id for m in box] == [2, 3] and box.dropped == 1
    assert box[0] is mails[1] and box[1] is mails[2]
    with pytest.raises(IndexError):
        box[2]
    assert box.get(1) is None and box.get(3) is mails[2]
    assert box.remove(2) and not box.remove(2) and len(box) == 1
    box.clear()
    assert (len(box), box.dropped) == (0, 0)


def test_deliver_parses_the_headline_and_tells_watchers_until_they_stop() -> None:
    box, post = Mailbox(limit=10), PostOffice()
    seen: list[Mail] = []
    stop = post.watch(seen.append)
    first = post.deliver(box, "s", 1.5, ENVELOPE, b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nx")
    stop()
    post.deliver(box, "s", 2.0, ENVELOPE, b"Subject: later\r\n\r\n")
    assert seen == [first]
    assert (first.headline.subject, first.session, first.time, first.size) == ("café", "s", 1.5, 35)
