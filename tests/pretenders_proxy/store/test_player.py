import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.preset import WsReply, WsScript
from pretenders_proxy.model.stream import Conversation, WsMessage
from pretenders_proxy.store.player import (
    POLICY_VIOLATION,
    Close,
    Player,
    ScriptPlayer,
    Step,
    show,
)


def server(data: bytes, text: bool = True) -> WsMessage:
    return WsMessage(False, data, text)


def client(data: bytes, text: bool = True) -> WsMessage:
    return WsMessage(True, data, text)


RECORDED = Conversation(
    (
        server(b"welcome"),
        client(b"hi"),
        server(b"echo: hi"),
        client(b"\x01", text=False),
        server(b"\x01", text=False),
        client(b"twice"),
        server(b"one"),
        server(b"two"),
        client(b"bye"),
    ),
    close_code=1000,
    close_reason="bye",
    closed_by_client=False,
)


def played(conversation: Conversation = RECORDED) -> tuple[Player, list[tuple[WsMessage, str]]]:
    told: list[tuple[WsMessage, str]] = []
    return Player(conversation, lambda m, why: told.append((m, why))), told


def test_the_server_speaks_first_then_answers_each_recorded_message_in_order() -> None:
    player, told = played()
    assert player.opening() == [server(b"welcome")]
    assert player.hear(client(b"twice")) == [server(b"one"), server(b"two")]
    assert player.hear(client(b"hi")) == [server(b"echo: hi")]
    assert player.hear(client(b"\x01", text=False)) == [server(b"\x01", text=False)]
    assert player.hear(client(b"bye")) == [Close(1000, "bye")]
    assert told == []


def test_text_and_binary_of_the_same_bytes_differ() -> None:
    player, told = played()
    steps: list[Step] = player.hear(client(b"\x01", text=True))
    assert steps == [Close(POLICY_VIOLATION, "pretenders: no recording answers this message")]
    ((message, why),) = told
    assert message == client(b"\x01")
    assert "client's text '\\x01'" in why and "Expected next (recorded): text 'hi'" in why


def test_a_message_answered_already_is_a_miss_the_second_time() -> None:
    player, told = played()
    player.hear(client(b"hi"))
    assert player.hear(client(b"hi"))[0].code == POLICY_VIOLATION  # type: ignore[union-attr]
    assert "Expected next (recorded): binary 1 bytes 01" in told[0][1]


def test_a_client_close_is_not_played_and_a_cut_recording_stays_open() -> None:
    by_client = Conversation((client(b"x"), server(b"y")), 1000, "done", closed_by_client=True)
    player, _ = played(by_client)
    assert player.opening() == []
    assert player.hear(client(b"x")) == [server(b"y")]
    cut = Conversation((server(b"hello"),), cut="still open when pretenders stopped")
    assert played(cut)[0].opening() == [server(b"hello")]


def test_a_script_answers_each_rule_as_often_as_it_comes() -> None:
    told: list[tuple[WsMessage, str]] = []
    script = WsScript(
        send=("welcome",), replies=(WsReply("ping", ("pong",)), WsReply("quit", ("bye",), 1000))
    )
    player = ScriptPlayer(script, lambda m, why: told.append((m, why)))
    assert player.opening() == [server(b"welcome")]
    assert player.hear(client(b"ping")) == player.hear(client(b"ping")) == [server(b"pong")]
    assert player.hear(client(b"quit")) == [server(b"bye"), Close(1000)]
    assert player.hear(client(b"what"))[0] == Close(
        POLICY_VIOLATION, "pretenders: no preset reply answers this message"
    )
    assert "Its replies are on: 'ping', 'quit'" in told[0][1]


def test_long_messages_are_quoted_short() -> None:
    assert show(client(b"a" * 500)).endswith("...")
    assert show(client(bytes(300), text=False)).startswith("binary 300 bytes 0000")


def test_a_script_closes_only_with_codes_a_server_may_send() -> None:
    WsScript(close=1000, replies=(WsReply("x", close=4000), WsReply("y", close=1011)))
    for code in (999, 1005, 1006, 2000, 5000):
        with pytest.raises(ConfigError, match=f"close {code} is not"):
            WsScript(replies=(WsReply("x", close=code),))
