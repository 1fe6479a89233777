"""Settings: the SMTP port range (0: any free port) and the SMTP size limit."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.settings import ANY_PORT, Settings, parse_port_range


@pytest.mark.parametrize(
    ("text", "expected"), [("8001-8014", (8001, 8014)), ("9000", (9000, 9000)), ("0", ANY_PORT)]
)
def test_port_ranges(text: str, expected: tuple[int, int]) -> None:
    assert parse_port_range(text) == expected
    assert Settings(smtp_port_range=expected).smtp_port_range == expected


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"smtp_port_range": (0, 10)}, "smtp port range 0-10 is not a range of TCP ports"),
        ({"smtp_port_range": (20, 10)}, "smtp port range 20-10"),
        ({"smtp_max_size": 0}, "smtp max size 0 must be at least 1 byte"),
    ],
)
def test_bad_smtp_settings_say_why(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Settings(**fields)  # type: ignore[arg-type]
