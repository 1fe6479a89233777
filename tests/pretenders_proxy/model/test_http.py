import pytest

from pretenders_proxy.model.http import Request, header, split_host


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("localhost:8000", ("localhost", 8000)),
        ("localhost", ("localhost", 0)),
        ("[::1]:8080", ("[::1]", 8080)),
        ("[::1]", ("[::1]", 0)),
        ("::1", ("::1", 0)),
        ("host:abc", ("host:abc", 0)),
        ("host:\u00b9", ("host:\u00b9", 0)),  # a digit to str.isdigit, not to int()
    ],
)
def test_split_host(value: str, parts: tuple[str, int]) -> None:
    assert split_host(value) == parts


def test_url_and_target() -> None:
    request = Request("GET", b"/a", b"x=1", host="api", port=443, scheme="https")
    assert request.target == b"/a?x=1"
    assert request.url == "https://api/a?x=1"
    assert Request("GET", b"/", host="api", port=8080).url == "http://api:8080/"
    assert Request("GET", b"/", host="api", port=443, scheme="https").url == "https://api/"
    tunnel = Request("CONNECT", b"", host="db", port=80, scheme="tcp")
    assert tunnel.url == "tcp://db:80"  # a scheme that is not HTTP's has no default port


def test_header_lookup_is_case_insensitive() -> None:
    assert header(((b"Content-Type", b"text/plain"),), "content-type") == "text/plain"
    assert header((), "x") is None
