"""pretenders: a record/replay proxy and mock server for HTTP(S) and SMTP, with a control API."""

from typing import TYPE_CHECKING, Any

from pretenders_proxy._version import __version__
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import (
    APIError,
    MailTimeoutError,
    PretendersError,
    WaitTimeoutError,
)
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule

if TYPE_CHECKING:
    from pretenders_proxy.client.aio import AsyncMailbox, AsyncPretenders
    from pretenders_proxy.client.mail import Mailbox
    from pretenders_proxy.client.v1 import Pretenders, RecordedRequest

_CLIENT = {
    "AsyncMailbox": "pretenders_proxy.client.aio",
    "AsyncPretenders": "pretenders_proxy.client.aio",
    "Mailbox": "pretenders_proxy.client.mail",
    "Pretenders": "pretenders_proxy.client.v1",
    "RecordedRequest": "pretenders_proxy.client.v1",
}
"""The client's names, imported when first used: the server never loads httpx for them."""


def __getattr__(name: str) -> Any:
    module = _CLIENT.get(name)
    if module is None:
        raise AttributeError(f"module 'pretenders_proxy' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FOREVER",
    "APIError",
    "AsyncMailbox",
    "AsyncPretenders",
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
    "WaitTimeoutError",
    "__version__",
]
