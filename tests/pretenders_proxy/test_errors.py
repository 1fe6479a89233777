"""The error tree documented at the top of errors.py is the one the classes make."""

import inspect

import pytest

from pretenders_proxy import errors
from pretenders_proxy.errors import (
    APIError,
    CassetteError,
    ConfigError,
    ListenError,
    MailTimeoutError,
    NotFoundError,
    PretendersError,
)


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (ConfigError, (PretendersError, ValueError)),
        (NotFoundError, (PretendersError, LookupError)),
        (ListenError, (PretendersError, OSError)),
        (MailTimeoutError, (APIError, TimeoutError)),
        (CassetteError, (ConfigError,)),
    ],
)
def test_each_error_is_also_the_builtin_it_resembles(
    error: type[Exception], bases: tuple[type[Exception], ...]
) -> None:
    assert all(issubclass(error, base) for base in bases)


def test_every_error_is_a_pretenders_error_named_in_the_documented_tree() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)]
    assert classes and all(issubclass(c, PretendersError) for c in classes)
    assert [c.__name__ for c in classes if c.__name__ not in (errors.__doc__ or "")] == []


def test_api_errors_carry_the_status_and_the_servers_message() -> None:
    error = APIError(404, "gone")
    assert (str(error), error.status, error.message) == ("404: gone", 404, "gone")
    timeout = MailTimeoutError("no mail", seen=["m"])
    assert (timeout.status, timeout.seen) == (408, ["m"])
