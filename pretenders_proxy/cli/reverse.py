"""Reverse listeners: `--reverse https://api.example.com=9001` as a mitmproxy mode spec."""

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from pretenders_proxy.errors import ConfigError

EXAMPLE = "https://api.example.com=9001"


@dataclass(frozen=True, slots=True)
class Reverse:
    """A listener on `port` that sends everything to `url` (scheme and host, maybe a port)."""

    url: str
    port: int

    def mode(self, host: str) -> str:
        """The mitmproxy mode spec; port 0 becomes a free port of `host` now, because mitmproxy
        refuses two listeners (the forward proxy's and this one) both asking for port 0."""
        return f"reverse:{self.url}@{self.port or free_port(host)}"


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def parse_reverse(text: str) -> Reverse:
    """`URL=PORT`, or ConfigError saying what is wrong with it."""
    url, equals, port_text = text.strip().rpartition("=")
    if not equals or not url:
        raise ConfigError(f"--reverse {text!r}: expected URL=PORT, like {EXAMPLE}")
    if not (port_text.isascii() and port_text.isdigit()) or not 0 <= int(port_text) <= 65535:
        raise ConfigError(f"--reverse {text!r}: {port_text!r} is not a TCP port (0-65535)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as e:
        raise ConfigError(f"--reverse {text!r}: {url!r} is not a URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--reverse {text!r}: {url!r} is not an http:// or https:// URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"--reverse {text!r}: the URL takes no path (everything is sent on)")
    return Reverse(f"{parts.scheme}://{parts.netloc}", int(port_text))
