"""Server-wide settings: one frozen value, parsed once from options, read by every part."""

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ConfigError

DEFAULT_CONFDIR = Path("~/.pretenders")
ANY_PORT = (0, 0)
DEFAULT_MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Where pretenders listens and how it behaves; ports 0 mean "any free port".

    `smtp_port_range` (0, 0) gives each SMTP mock a port the system chooses.
    `cassette_dirs`: cassette paths given through the control API must lie inside one of them
    (the working directory when empty); the command line may name any path.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    proxy_port: int = 8080
    smtp_port: int = 1025
    smtp_port_range: tuple[int, int] = (8001, 8014)
    smtp_max_size: int = 25 * 1024 * 1024
    confdir: Path = DEFAULT_CONFDIR
    stale_period: float = 60.0
    mock_timeout: float | None = 120.0
    miss_status: int = 404
    history_limit: int = 10_000
    token: str | None = None
    max_body_size: int = DEFAULT_MAX_BODY
    """The largest request body the control API, the mocks and the proxy take (413 beyond),
    and the largest response the proxy passes on from upstream (502 beyond)."""
    cassette_dirs: tuple[Path, ...] = ()
    """Where cassette paths given through the control API must lie (empty: the working dir)."""

    def __post_init__(self) -> None:
        for name in ("port", "proxy_port", "smtp_port"):
            if not 0 <= getattr(self, name) <= 65535:
                raise ConfigError(f"{name} {getattr(self, name)} is not a TCP port (0-65535)")
        low, high = self.smtp_port_range
        if not 0 < low <= high <= 65535 and self.smtp_port_range != ANY_PORT:
            raise ConfigError(f"smtp port range {low}-{high} is not a range of TCP ports")
        if self.smtp_max_size < 1:
            raise ConfigError(f"smtp max size {self.smtp_max_size} must be at least 1 byte")
        if not (self.stale_period > 0 and math.isfinite(self.stale_period)):
            raise ConfigError(f"stale period {self.stale_period} must be a positive number")
        if not 100 <= self.miss_status <= 599:
            raise ConfigError(f"miss status {self.miss_status} is not an HTTP status")
        if self.max_body_size < 1:
            raise ConfigError(f"max body size {self.max_body_size} must be at least 1 byte")
        if self.history_limit < 1:
            raise ConfigError(f"history limit {self.history_limit} must be at least 1")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"the control API would listen on {self.host}, which is not loopback: "
                "set a token (--token or PRETENDERS_TOKEN) so that only you can drive it"
            )

    @classmethod
    def from_options(cls, options: Mapping[str, object]) -> "Settings":
        """Settings from mitmproxy-style options (`pretenders_*`, `listen_port`, `confdir`)."""
        return cls(
            host=str(options["pretenders_api_host"]),
            port=_int(options["pretenders_api_port"]),
            proxy_port=_int(options["listen_port"]),
            smtp_port=_int(options["pretenders_smtp_port"]),
            smtp_port_range=parse_port_range(str(options["pretenders_smtp_port_range"])),
            smtp_max_size=_int(options["pretenders_smtp_max_size"]),
            confdir=Path(str(options["confdir"])),
            stale_period=float(str(options["pretenders_mock_stale_period"])),
            mock_timeout=parse_timeout(str(options["pretenders_mock_timeout"])),
            miss_status=_int(options["pretenders_miss_status"]),
            history_limit=_int(options["pretenders_history_limit"]),
            max_body_size=parse_size(str(options["body_size_limit"] or DEFAULT_MAX_BODY)),
            token=str(options["pretenders_api_token"] or "") or None,
            cassette_dirs=_paths(options["pretenders_cassette_dirs"]),
        )


def _paths(value: object) -> tuple[Path, ...]:
    items = value if isinstance(value, list | tuple) else [value] if value else []
    return tuple(Path(str(item)) for item in items)


def _int(value: object) -> int:
    return int(str(value))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_port_range(text: str) -> tuple[int, int]:
    """ "8001-8014" -> (8001, 8014); a single port is a range of one; "0": any free port."""
    low, sep, high = text.partition("-")
    try:
        return (int(low), int(high)) if sep else (int(low), int(low))
    except ValueError:
        raise ConfigError(f"port range {text!r} is not like 8001-8014") from None


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """ "64m" -> 67108864; a number of bytes with an optional k, m or g (powers of 1024)."""
    number, unit = text.strip().lower().rstrip("ib") or "0", ""
    if number[-1:] in _SIZE_UNITS:
        number, unit = number[:-1], number[-1]
    try:
        return int(float(number) * _SIZE_UNITS[unit])
    except ValueError:
        raise ConfigError(f"size {text!r} is not like 65536, 64k, 64m or 1g") from None


def parse_timeout(text: str) -> float | None:
    """Seconds, or FOREVER (None)."""
    if text.upper() == FOREVER:
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"timeout {text!r} is neither seconds nor FOREVER") from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ConfigError(f"timeout {text!r} must be a positive number of seconds")
    return seconds
