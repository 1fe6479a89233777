"""Exceptions of pretenders.

PretendersError
├── ConfigError            a setting, option or preset that cannot work (bad regex, times <= 0)
├── NotFoundError          a session, preset or history item that does not exist (or expired)
├── ListenError            a listener could not bind its address (port in use, no free port left)
├── APIError               the control API refused a client call (status and the server's message)
│   └── MailTimeoutError   no matching mail arrived in time (client: Mailbox.wait)
├── CassetteError          (a ConfigError) a cassette that cannot be read or written
└── the pretenders 1.4 client exceptions, same names as `pretenders.common.exceptions`:
    ConfigurationError, ResourceNotFound, UnexpectedResponseStatus, NoRequestFound,
    NoPortAvailableException
"""


class PretendersError(Exception):
    """Base of every error pretenders raises on purpose."""


class ConfigError(PretendersError, ValueError):
    """A setting or preset that cannot work; the message says which and why."""


class NotFoundError(PretendersError, LookupError):
    """Something asked for by name or number does not exist."""


class ListenError(PretendersError, OSError):
    """A listener could not bind its address."""


class APIError(PretendersError):
    """The control API refused a call made by the v1 client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class MailTimeoutError(APIError, TimeoutError):
    """No mail matching the filters arrived in time (408); `seen` holds the mails that did."""

    def __init__(self, message: str, seen: list[object]) -> None:
        super().__init__(408, message)
        self.seen = seen


class CassetteError(ConfigError):
    """A cassette that cannot be read or written; the message names the file (and byte offset)."""


class ConfigurationError(PretendersError):
    """1.4 client: the server refused a preset (the message is the server's reply)."""


class ResourceNotFound(PretendersError):
    """1.4 client: the mock this client points to is gone."""


class UnexpectedResponseStatus(PretendersError):
    """1.4 client: the server answered with a status the client did not expect."""


class NoRequestFound(PretendersError):
    """1.4 client: there is no history item at that position."""


class NoPortAvailableException(PretendersError):
    """1.4: no free port left in the SMTP mock port range."""
