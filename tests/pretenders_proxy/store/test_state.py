"""The memory store's State: every change made to the Store at once, nothing to await."""

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.model.http import Request
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.mail import Envelope
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.store import Store
from pretenders_proxy.store.answering import Missed, PresetReply, Via
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.state import State

GET = Request("GET", b"/a")


async def test_traffic_finds_or_makes_a_session_and_touches_it() -> None:
    state = State(Store())
    assert await state.traffic("new", create=False) is None
    made = await state.traffic("new", create=True)
    assert made is not None and made is await state.traffic("new", create=False)
    before = made.last_seen
    await state.traffic("new", create=False)
    assert made.last_seen >= before and state.health() == {"kind": "memory", "state": "up"}


async def test_presets_answer_count_down_and_go() -> None:
    state = State(Store())
    session = await state.open("s", SessionProtocol.HTTP)
    stored = await state.add_preset(session, Preset(Rule("GET /a"), Reply(200), times=1))
    outcome = await state.answer(session, GET, Via.MOCKHTTP, 404)
    assert isinstance(outcome, PresetReply) and outcome.preset_id == stored.id
    assert len(session.presets) == 0
    smtp = await state.add_smtp_preset(session, SmtpPreset(recipient="b@"))
    assert await state.take_smtp(session, Stage.RCPT, ["b@x"], Budget()) is smtp
    assert await state.remove_preset(session, smtp.id, smtp=True)
    assert not await state.remove_preset(session, smtp.id, smtp=True)
    await state.add_preset(session, Preset(Rule("GET /b"), Reply(200)))
    await state.clear_presets(session, smtp=False)
    assert len(session.presets) == 0


async def test_journal_and_mail_are_kept_at_once_with_nothing_to_await() -> None:
    state = State(Store())
    session = await state.open("s", SessionProtocol.HTTP)
    assert state.journal(session, GET, Note(Source.MISS, miss="no")) is None
    assert [entry.request.path for entry in session.history] == [b"/a"]
    mail = await state.add_mail(session, Envelope(("::1", 1), "a@x", ("b@y",)), b"Subject: hi")
    assert session.inbox.get(mail.id) is mail
    assert await state.remove_mail(session, mail.id) and len(session.inbox) == 0
    await state.clear_history(session)
    assert len(session.history) == 0
    assert await state.delete("s") and not await state.delete("s")


async def test_a_mock_without_history_counts_times_and_explains_misses() -> None:
    state = State(Store())
    session = await state.open("s", SessionProtocol.HTTP)
    await state.record_history(session, False)
    stored = await state.add_preset(session, Preset(Rule("GET /a"), Reply(200), times=2))
    outcomes = [await state.mock("s", GET, 404, 0.1, 0.0) for _ in range(3)]
    assert [type(o).__name__ for o in outcomes] == ["PresetReply", "PresetReply", "Missed"]
    assert isinstance(outcomes[2], Missed) and "GET /a" in outcomes[2].explanation
    assert stored.served == 2 and session.requests_seen == 3 and len(session.history) == 0
    await state.record_history(session, True)
    await state.mock("s", GET, 404, 0.1, 0.0)
    assert [e.source for e in session.history] == [Source.MISS]
