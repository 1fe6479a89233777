"""A session's SMTP presets: creation order and `times` counting down."""

import pytest

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.store.smtp_presets import SmtpPresetBook


def test_times_count_down_and_the_next_preset_takes_over() -> None:
    book = SmtpPresetBook()
    book.add(1, SmtpPreset(recipient="a@", times=2))
    book.add(2, SmtpPreset(recipient="", code=554))
    taken = [book.take(Stage.RCPT, ["a@x.test"]) for _ in range(3)]
    assert [t.id if t else None for t in taken] == [1, 1, 2]
    assert [s.id for s in book] == [2]
    assert book.get(2) is not None and book.get(2).served == 1  # type: ignore[union-attr]


def test_forever_never_runs_out_and_misses_take_nothing() -> None:
    book = SmtpPresetBook()
    stored = book.add(7, SmtpPreset(stage=Stage.DATA))
    assert book.take(Stage.RCPT, ["a@x.test"]) is None
    for _ in range(5):
        assert book.take(Stage.DATA, ["a@x.test"]) is stored
    assert (stored.remaining, stored.served, len(book)) == (None, 5, 1)
    assert book.remove(7) and not book.remove(7)
    book.add(8, SmtpPreset())
    book.clear()
    assert len(book) == 0


def test_a_recipient_regex_that_times_out_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    book = SmtpPresetBook()
    book.add(1, SmtpPreset(recipient="^(a|a)*@$"))
    for _ in range(3):
        assert book.take(Stage.RCPT, ["a" * 30 + "!@x"], Budget(0.01)) is None
    said = [r.getMessage() for r in caplog.records if "timed out" in r.getMessage()]
    assert said == [
        "SMTP preset 1 (recipient '^(a|a)*@$') timed out: its regex ran over 10 ms on a "
        "recipient and counts as no match (said once per preset)"
    ]
