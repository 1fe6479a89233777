import errno

import pytest

from pretenders_proxy.server.binding import describe_bind_error, netloc


@pytest.mark.parametrize(
    ("host", "port", "written"),
    [
        ("127.0.0.1", 8000, "127.0.0.1:8000"),
        ("::1", 25, "[::1]:25"),
        ("localhost", 0, "localhost:0"),
    ],
)
def test_netloc_brackets_an_ipv6_host(host: str, port: int, written: str) -> None:
    assert netloc(host, port) == written


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (OSError(errno.EADDRINUSE, "busy"), "port 25 on h is already in use (choose another port)"),
        (OSError(errno.EACCES, "denied"), "no permission to listen on port 25 on h"),
        (OSError(errno.EADDRNOTAVAIL, "not here"), "cannot listen on h:25: not here"),
    ],
)
def test_a_bind_error_is_one_line_naming_the_port(error: OSError, said: str) -> None:
    assert describe_bind_error("SMTP", "h", 25, error) == f"SMTP: {said}"
