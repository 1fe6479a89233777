"""SMTP behaviour presets: refuse, delay or drop mail for recipients matching a regex."""

import math
from dataclasses import dataclass, field
from enum import StrEnum

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.pattern import Pattern
from pretenders_proxy.model.preset import compile_pattern


class Stage(StrEnum):
    """When a preset acts: on each `RCPT TO`, or once the message data has arrived."""

    RCPT = "rcpt"
    DATA = "data"


class Action(StrEnum):
    """What it does: a 5xx refusal, a 4xx "try later", a pause before going on, a hang-up."""

    REJECT = "reject"
    TEMPFAIL = "tempfail"
    DELAY = "delay"
    DROP = "drop"


DEFAULT_REPLY = {
    Action.REJECT: (550, "5.7.1 Refused by a pretenders preset"),
    Action.TEMPFAIL: (451, "4.7.1 Refused for now by a pretenders preset, try again later"),
}
CODE_RANGE = {Action.REJECT: range(500, 600), Action.TEMPFAIL: range(400, 500)}


@dataclass(frozen=True, slots=True)
class SmtpPreset:
    """At `stage`, for a recipient matching `recipient` (re.search, any case), do `action`.

    `code` and `text` are the refusal's reply (defaults by action); `after` waits that many
    seconds first; `times` None means FOREVER.
    """

    stage: Stage = Stage.RCPT
    recipient: str = ""
    action: Action = Action.REJECT
    code: int | None = None
    text: str | None = None
    after: float = 0.0
    times: int | None = None
    recipient_re: Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = compile_pattern("recipient", self.recipient, ignore_case=True)
        object.__setattr__(self, "recipient_re", pattern)
        if self.times is not None and self.times <= 0:
            raise ConfigError(f"times is {self.times}; it must be greater than zero")
        if not (self.after >= 0 and math.isfinite(self.after)):
            raise ConfigError(f"after {self.after} must be a delay in seconds, 0 or more")
        allowed = CODE_RANGE.get(self.action)
        if allowed is None and (self.code is not None or self.text is not None):
            raise ConfigError(f"a {self.action} preset sends no reply: leave code and text out")
        if allowed is not None and self.code is not None and self.code not in allowed:
            raise ConfigError(
                f"code {self.code} does not fit {self.action}: "
                f"use {allowed.start}-{allowed.stop - 1}"
            )
        if self.text is not None and (not self.text.isprintable() or not self.text.strip()):
            raise ConfigError("text must be one line of printable characters")

    @property
    def reply(self) -> str | None:
        """The SMTP reply line of a refusal ("550 5.7.1 ..."), None for delay and drop."""
        if self.action not in DEFAULT_REPLY:
            return None
        code, text = DEFAULT_REPLY[self.action]
        return f"{self.code or code} {self.text or text}"
