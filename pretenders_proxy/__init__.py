"""pretenders: a record/replay proxy and mock server for HTTP(S) and SMTP, with a control API."""

from pretenders_proxy._version import __version__
from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.client.v1 import Pretenders, RecordedRequest
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import APIError, MailTimeoutError, PretendersError
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule

__all__ = [
    "FOREVER",
    "APIError",
    "Entry",
    "Envelope",
    "Fault",
    "Mail",
    "MailTimeoutError",
    "Mailbox",
    "Preset",
    "Pretenders",
    "PretendersError",
    "RecordedRequest",
    "Reply",
    "Request",
    "Response",
    "Rule",
    "Source",
    "__version__",
]
