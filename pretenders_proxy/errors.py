"""Exceptions of pretenders.

PretendersError
├── ConfigError            a setting, option or preset that cannot work (bad regex, times <= 0)
│   └── CassetteError      a cassette that cannot be read or written
├── NotFoundError          a session, preset or history item that does not exist (or expired)
├── ListenError            a listener could not bind its address (port in use, no free port left)
├── BadRequestError        control API: a request it cannot understand (answered with 400)
├── ConflictError          control API: a request contradicting the state (answered with 409)
├── TooManySessionsError   a new session past --max-sessions (429, on the control API and the proxy)
├── StoreUnavailableError  the shared store (Redis) cannot be reached (503; SMTP 451)
├── LaunchError            testing.launcher: the server process did not come up
├── APIError               the control API refused a client call (status and the server's message)
│   └── WaitTimeoutError   a client wait ended without what it waited for (requests, a verified
│                          count, mail); `seen` holds what did arrive. Also a TimeoutError and an
│                          AssertionError. MailTimeoutError is another name for it.
└── the pretenders 1.4 client exceptions, same names as `pretenders.common.exceptions`:
    ConfigurationError, ResourceNotFound, UnexpectedResponseStatus, NoRequestFound,
    NoPortAvailableException
"""

from collections.abc import Sequence
from typing import Any


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


class BadRequestError(PretendersError, ValueError):
    """The request cannot be understood (not JSON, a bad query parameter); answered with 400."""


class ConflictError(PretendersError, ValueError):
    """The request is understood but contradicts the state; answered with 409."""


class TooManySessionsError(PretendersError):
    """A new session would pass --max-sessions; answered with 429."""


class StoreUnavailableError(PretendersError):
    """The shared store cannot be reached; answered with 503 (SMTP: 451) until it is back."""


class LaunchError(PretendersError, RuntimeError):
    """The server process did not come up; the message carries what it printed."""


class WaitTimeoutError(APIError, TimeoutError, AssertionError):
    """A client wait gave up: what it waited for did not arrive in time (the server's 408, or
    the 409 of a verification that waited); `seen` holds what did arrive.

    An AssertionError too, so a test shows a failed assertion and `except AssertionError` holds."""

    def __init__(self, message: str, seen: Sequence[object], status: int = 408) -> None:
        super().__init__(status, message)
        self.seen: list[Any] = list(seen)
        """What did arrive: RecordedRequest items for requests, MailSummaryOut for mail."""


MailTimeoutError = WaitTimeoutError
"""The name `Mailbox.wait`'s timeout had first; the same class as every other wait's."""


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
