"""Request and response bodies of the mail and SMTP preset API, as pydantic models."""

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


class SmtpPresetOut(BaseModel):
    id: int
    session: str
    stage: Stage
    recipient: str
    action: Action
    reply: str | None = Field(description='The refusal sent, e.g. "550 5.7.1 ..."; None: none.')
    after: float
    times: int | str
    remaining: int | str
    served: int


class EnvelopeOut(BaseModel):
    peer: list[str | int] = Field(description="[host, port] of the SMTP client.")
    mail_from: str
    rcpt_tos: list[str]
    auth_user: str | None = Field(description="The SMTP AUTH user name, if it authenticated.")
    tls: bool = Field(description="Whether the message came over STARTTLS.")
    smtp_utf8: bool


class MailSummaryOut(BaseModel):
    id: int
    session: str
    time: str
    envelope: EnvelopeOut
    subject: str = Field(description="The Subject header, decoded.")
    from_: str = Field(alias="from", description="The From header, decoded.")
    to: str = Field(description="The To and Cc headers, decoded.")
    size: int = Field(description="Bytes of the raw message.")


class AttachmentOut(BaseModel):
    index: int
    filename: str | None
    content_type: str
    size: int
    disposition: str | None = Field(description="attachment, inline, or None.")
    content_id: str | None
    url: str = Field(description="Where to download it.")


class MailOut(MailSummaryOut):
    headers: list[list[str]] = Field(description="[name, value] pairs, decoded, in order.")
    text: str | None = Field(description="The first text/plain body, decoded.")
    html: str | None = Field(description="The first text/html body, decoded.")
    attachments: list[AttachmentOut]
    links: list[str] = Field(description="http(s) links of the text and HTML bodies.")
    raw_url: str
