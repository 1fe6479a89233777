"""The server's side of a WebSocket conversation, played offline: a recording's (each client
message answered with what followed it when recorded) or a preset's script (rules by message)."""

from collections.abc import Callable, Sequence
from typing import NamedTuple

from pretenders_proxy.model.preset import WsScript
from pretenders_proxy.model.stream import Conversation, WsMessage

POLICY_VIOLATION = 1008
"""The close code of a client message nothing answers (RFC 6455: a message that violates the
endpoint's policy)."""
UNHEARD_REASON = "pretenders: no recording answers this message"
"""The close reason sent then (a close frame holds 123 bytes: the whole story is in history)."""
SHOWN = 200
"""Characters of a message an explanation quotes."""


class Close(NamedTuple):
    """Close the socket with `code` and `reason` (after the messages before it)."""

    code: int
    reason: str = ""


type Step = WsMessage | Close
"""What the server does next: send a message (its `at` is its offset from the 101), or close."""
type Missed = Callable[[WsMessage, str], None]
"""Told of a client message nothing answers, with the near-miss explanation."""


def show(message: WsMessage) -> str:
    """A message as an explanation quotes it: `text 'hello'` or `binary 3 bytes 010203`."""
    if message.text:
        text = message.data.decode("utf-8", "replace")
        return f"text {text[:SHOWN]!r}" + ("..." if len(text) > SHOWN else "")
    return f"binary {len(message.data)} bytes {message.data[: SHOWN // 2].hex()}"


class Player:
    """Plays a recorded conversation: the server's messages before the client first spoke, then,
    for each client message, the next unconsumed recorded client message equal to it (text or
    binary, same bytes), and the server's messages that followed that one up to the next client
    message; the recorded close once the server closed next. A message nothing recorded is
    told to `missed` and closes the socket with 1008."""

    def __init__(self, conversation: Conversation, missed: Missed) -> None:
        self.conversation = conversation
        self.missed = missed
        self.used: set[int] = set()
        """Positions of the recorded client messages already answered."""
        self.start = 0
        """Where the search for the next one starts: every client message before is used."""

    def opening(self) -> list[Step]:
        return self._following(-1)

    def hear(self, message: WsMessage) -> list[Step]:
        recorded = self.conversation.messages
        for n in range(self.start, len(recorded)):
            candidate = recorded[n]
            if candidate.from_client and n not in self.used and _same(candidate, message):
                self.used.add(n)
                while self.start < len(recorded) and (
                    self.start in self.used or not recorded[self.start].from_client
                ):
                    self.start += 1  # in order, as usual: the next search starts at the next
                return self._following(n)
        explanation = self._explain(message)
        self.missed(message, explanation)
        return [Close(POLICY_VIOLATION, UNHEARD_REASON)]

    def _following(self, position: int) -> list[Step]:
        """The server's messages after `position` up to the next client message, and the close
        if the recording ends there with the server closing (or with no one closing)."""
        steps: list[Step] = []
        recorded = self.conversation.messages
        for message in recorded[position + 1 :]:
            if message.from_client:
                return steps
            steps.append(message)
        conversation = self.conversation
        if conversation.close_code is not None and conversation.closed_by_client is not True:
            steps.append(Close(conversation.close_code, conversation.close_reason))
        return steps

    def _explain(self, message: WsMessage) -> str:
        expected = [
            m for n, m in enumerate(self.conversation.messages)
            if m.from_client and n not in self.used
        ]  # fmt: skip
        lines = [f"No recorded WebSocket message matched the client's {show(message)}."]
        if expected:
            lines.append(f"Expected next (recorded): {show(expected[0])}")
            if len(expected) > 1:
                lines.append(f"({len(expected) - 1} more recorded client message(s) after it)")
        else:
            lines.append("The recorded client messages have all been answered already.")
        lines.append(f"The socket was closed with {POLICY_VIOLATION}.")
        return "\n".join(lines) + "\n"


def _same(recorded: WsMessage, heard: WsMessage) -> bool:
    return recorded.text == heard.text and recorded.data == heard.data


class ScriptPlayer:
    """Plays a preset's WsScript, the same way a Player plays a recording."""

    def __init__(self, script: WsScript, missed: Missed) -> None:
        self.script = script
        self.missed = missed

    def opening(self) -> list[Step]:
        return _sent(self.script.send, self.script.close)

    def hear(self, message: WsMessage) -> list[Step]:
        for answer in self.script.replies:
            if message.text and message.data == answer.on.encode():
                return _sent(answer.send, answer.close)
        names = ", ".join(repr(answer.on) for answer in self.script.replies) or "none"
        explanation = (
            f"No reply of the preset's WebSocket script matched the client's {show(message)}.\n"
            f"Its replies are on: {names}.\nThe socket was closed with {POLICY_VIOLATION}.\n"
        )
        self.missed(message, explanation)
        return [Close(POLICY_VIOLATION, "pretenders: no preset reply answers this message")]


def _sent(texts: Sequence[str], close: int | None) -> list[Step]:
    steps: list[Step] = [WsMessage(False, text.encode()) for text in texts]
    if close is not None:
        steps.append(Close(close))
    return steps
