import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.settings import (
    ANY_PORT,
    Settings,
    is_loopback,
    parse_port_range,
    parse_size,
    parse_timeout,
)


def test_defaults_follow_the_listener_table() -> None:
    s = Settings()
    assert (s.host, s.port, s.proxy_port, s.smtp_port) == ("127.0.0.1", 8000, 8080, 1025)
    assert s.smtp_port_range == (8001, 8014) and s.history_limit == 10_000


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"port": 70000}, "port 70000 is not a TCP port"),
        ({"smtp_port_range": (9, 3)}, "smtp port range 9-3"),
        ({"smtp_port_range": (0, 10)}, "smtp port range 0-10"),
        ({"smtp_max_size": 0}, "smtp max size 0 must be at least 1 byte"),
        ({"stale_period": 0}, "stale period"),
        ({"miss_status": 99}, "miss status 99"),
        ({"history_limit": 0}, "history limit"),
        ({"host": "0.0.0.0"}, "not loopback: set a token"),
    ],
)
def test_bad_settings_say_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings(**fields)  # type: ignore[arg-type]


def test_off_loopback_with_a_token_is_allowed() -> None:
    assert Settings(host="0.0.0.0", token="s3cret").token == "s3cret"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.5.5", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_port_ranges_and_timeouts() -> None:
    assert parse_port_range("8001-8014") == (8001, 8014)
    assert parse_port_range("9000") == (9000, 9000)
    assert parse_port_range("0") == ANY_PORT == Settings(smtp_port_range=ANY_PORT).smtp_port_range
    assert parse_timeout("FOREVER") is None and parse_timeout("forever") is None
    assert parse_timeout("0.5") == 0.5
    for bad in ("x", "-1", "nan"):
        with pytest.raises(ConfigError):
            parse_timeout(bad)
    with pytest.raises(ConfigError, match="like 8001-8014"):
        parse_port_range("a-b")


@pytest.mark.parametrize(
    ("text", "size"),
    [("65536", 65536), ("64k", 65536), ("64m", 64 << 20), ("64MiB", 64 << 20), ("1g", 1 << 30)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_a_bad_size_is_named() -> None:
    with pytest.raises(ConfigError, match="size '64 apples' is not like"):
        parse_size("64 apples")
