import socket

import pytest

from pretenders_proxy.cli.reverse import Reverse, parse_reverse
from pretenders_proxy.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "url", "port"),
    [
        ("https://api.example.com=9001", "https://api.example.com", 9001),
        ("http://127.0.0.1:5000/=0", "http://127.0.0.1:5000", 0),
        (" https://[::1]:8443=9002 ", "https://[::1]:8443", 9002),
    ],
)
def test_parse(text: str, url: str, port: int) -> None:
    assert parse_reverse(text) == Reverse(url, port)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("https://api.example.com", "expected URL=PORT"),
        ("=9001", "expected URL=PORT"),
        ("https://x=port", "'port' is not a TCP port"),
        ("https://x=70000", "'70000' is not a TCP port"),
        ("api.example.com=9001", "is not an http:// or https:// URL"),
        ("https://x:99999=9001", "is not a URL"),
        ("https://x/api=9001", "the URL takes no path"),
        ("https://x?a=1=9001", "the URL takes no path"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_reverse(text)


def test_the_mode_spec_and_a_free_port_for_0() -> None:
    assert Reverse("https://x", 9001).mode("127.0.0.1") == "reverse:https://x@9001"
    port = int(Reverse("https://x", 0).mode("127.0.0.1").rsplit("@", 1)[1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # it was free
