"""The error tree: every error pretenders raises on purpose is a PretendersError, and keeps the
builtin base its callers may catch."""

import pytest

from pretenders_proxy import errors
from pretenders_proxy.errors import (
    APIError,
    BadRequestError,
    CassetteError,
    ConfigError,
    ConflictError,
    LaunchError,
    ListenError,
    MailTimeoutError,
    NotFoundError,
    PretendersError,
    WaitTimeoutError,
)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ConfigError, ValueError),
        (CassetteError, ConfigError),
        (NotFoundError, LookupError),
        (ListenError, OSError),
        (BadRequestError, ValueError),
        (ConflictError, ValueError),
        (LaunchError, RuntimeError),
        (WaitTimeoutError, TimeoutError),
        (WaitTimeoutError, AssertionError),
    ],
)
def test_each_error_is_in_the_tree_and_keeps_its_builtin_base(
    error: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(error, PretendersError) and issubclass(error, builtin)


def test_a_wait_timeout_is_an_api_error_carrying_what_arrived() -> None:
    timed_out = WaitTimeoutError("waited 1s for 2, 1 arrived", ["one"])
    assert isinstance(timed_out, APIError) and MailTimeoutError is WaitTimeoutError
    assert (timed_out.status, timed_out.message, timed_out.seen) == (
        408,
        "waited 1s for 2, 1 arrived",
        ["one"],
    )
    assert str(timed_out) == "408: waited 1s for 2, 1 arrived"
    assert WaitTimeoutError("no", [], status=409).status == 409


def test_the_tree_in_the_docstring_names_every_error() -> None:
    assert errors.__doc__ is not None
    defined = [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, PretendersError)
    ]
    assert [name for name in defined if name not in errors.__doc__] == []
