"""JSON views of captured mail and SMTP presets."""

from typing import Any

from pretenders_proxy.api.views import iso_time
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.model.mail import Mail
from pretenders_proxy.model.message import parse
from pretenders_proxy.store.smtp_presets import StoredSmtpPreset

MAIL_PATH = "/api/v1/mail/{id}"


def mail_14(mail: Mail) -> dict[str, Any]:
    """A mail as a pretenders 1.4 SMTP mock's history item (`data`: text, LF line ends)."""
    envelope = mail.envelope
    return {
        "peer": list(envelope.peer),
        "mailfrom": envelope.mail_from,
        "rcpttos": list(envelope.rcpt_tos),
        "data": mail.content.decode("utf-8", errors="replace").replace("\r\n", "\n"),
        "rule": "",
    }


def mail_summary(mail: Mail) -> dict[str, Any]:
    envelope = mail.envelope
    return {
        "id": mail.id,
        "session": mail.session,
        "time": iso_time(mail.time),
        "envelope": {
            "peer": list(envelope.peer),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": envelope.auth_user,
            "tls": envelope.tls,
            "smtp_utf8": envelope.smtp_utf8,
        },
        "subject": mail.headline.subject,
        "from": mail.headline.sender,
        "to": mail.headline.recipients,
        "size": mail.size,
    }


def mail_detail(mail: Mail) -> dict[str, Any]:
    """A mail with its decoded headers, bodies, attachments (and where to get them), links
    and one-time codes."""
    message, path = parse(mail.content), MAIL_PATH.format(id=mail.id)
    attachments = [
        {
            "index": index,
            "filename": part.filename,
            "content_type": part.content_type,
            "size": part.size,
            "disposition": part.disposition,
            "content_id": part.content_id,
            "url": f"{path}/attachments/{index}",
        }
        for index, part in enumerate(message.attachments)
    ]
    return mail_summary(mail) | {
        "headers": [list(pair) for pair in message.headers],
        "text": message.text,
        "html": message.html,
        "attachments": attachments,
        "links": list(message.links),
        "codes": list(message.codes),
        "raw_url": f"{path}/raw",
        "note": message.note,
    }


def smtp_preset(stored: StoredSmtpPreset, session: str) -> dict[str, Any]:
    preset = stored.preset
    return {
        "id": stored.id,
        "session": session,
        "stage": str(preset.stage),
        "recipient": preset.recipient,
        "action": str(preset.action),
        "reply": preset.reply,
        "after": preset.after,
        "times": FOREVER if preset.times is None else preset.times,
        "remaining": FOREVER if stored.remaining is None else stored.remaining,
        "served": stored.served,
    }
