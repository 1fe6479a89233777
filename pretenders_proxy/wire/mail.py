"""Captured mail and SMTP presets as the control API shows them (and its client reads them)."""

from pydantic import BaseModel, Field

from pretenders_proxy.model.smtp_preset import Action, Stage


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
    codes: list[str] = Field(
        description="One-time codes (digits, or letters and digits) that the words near them "
        "call a code (code, OTP, PIN, verification...), from the subject, text and HTML, in order; "
        "digit codes without the space or dash written in their middle."
    )
    raw_url: str
    note: str | None = Field(
        None, description="What could not be read as the rest was (MIME parts nested too deep)."
    )

    @property
    def code(self) -> str | None:
        """The first one-time code of the mail, or None: `mail.wait(to=...).code`."""
        return self.codes[0] if self.codes else None
