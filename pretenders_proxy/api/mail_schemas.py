"""Request bodies of the mail and SMTP preset API, as pydantic models (its answers are in
wire/mail.py, which the client reads too)."""

from pydantic import BaseModel, ConfigDict, Field

from pretenders_proxy.api.schemas import parse_times
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage


class SmtpPresetIn(BaseModel):
    """How an SMTP listener treats the mail of a session, for recipients matching a regex."""

    model_config = ConfigDict(extra="forbid")
    stage: Stage = Field(Stage.RCPT, description="rcpt: on each RCPT TO; data: after DATA.")
    recipient: str = Field(
        "", description="Regex searched (any case) in the recipient address; empty: everyone."
    )
    action: Action = Field(
        Action.REJECT,
        description="reject (5xx), tempfail (4xx), delay (wait `after`, then go on) or drop "
        "(close the connection).",
    )
    code: int | None = Field(None, description="Reply code (reject: 550, tempfail: 451).")
    text: str | None = Field(None, description="Reply text after the code.")
    after: float = Field(0, ge=0, description="Seconds to wait before acting.")
    times: int | float | str = Field(
        FOREVER, description='How many times it acts: a number > 0, or "FOREVER".'
    )

    def to_preset(self) -> SmtpPreset:
        """The model preset; raises ConfigError naming what cannot work."""
        return SmtpPreset(
            stage=self.stage,
            recipient=self.recipient,
            action=self.action,
            code=self.code,
            text=self.text,
            after=float(self.after),
            times=parse_times(self.times),
        )
