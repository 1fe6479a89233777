"""`--map-host NAME[:PORT]=[SCHEME://]HOST[:PORT]`: where requests for one host really go, while
they are recorded, matched and shown under their own name (issue 17). Pure: parsing and lookup."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pretenders_proxy.errors import ConfigError

GRAMMAR = "NAME[:PORT]=[SCHEME://]HOST[:PORT]"
SCHEMES = {"http": 80, "https": 443}
EXAMPLE = "api.example.com=127.0.0.1:9000"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a connection goes: the scheme it speaks (https: TLS), the host and port."""

    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class HostMap:
    """One SPEC: requests for `name` (on `port`, or any port when None) go to `host` on
    `target_port` (None: the request's own port; the scheme's default when `scheme` is given),
    speaking `scheme` (None: the request's own)."""

    spec: str
    name: str
    port: int | None
    host: str
    target_port: int | None
    scheme: str | None

    def destination(self, scheme: str, port: int) -> Destination:
        """Where a `scheme` request to this map's name on `port` goes."""
        speaks = self.scheme or scheme
        given = self.target_port
        if given is None:
            given = SCHEMES[self.scheme] if self.scheme else port
        return Destination(speaks, self.host, given)


def parse_map(spec: str) -> HostMap:
    """The HostMap of one SPEC; ConfigError naming it and what is wrong."""
    source, equals, target = spec.strip().partition("=")
    if not equals or not source.strip() or not target.strip():
        raise ConfigError(f"--map-host {spec!r}: write it as {GRAMMAR} (like {EXAMPLE})")
    name, port = _address(source.strip(), spec, "NAME")
    scheme, sep, rest = target.strip().rpartition("://")
    if sep and scheme.lower() not in SCHEMES:
        raise ConfigError(f"--map-host {spec!r}: the target's scheme must be http or https")
    host, target_port = _address(rest, spec, "HOST")
    return HostMap(spec.strip(), name, port, host, target_port, scheme.lower() or None)


def _address(text: str, spec: str, what: str) -> tuple[str, int | None]:
    """(host, port or None) of `host`, `host:port`, `[v6]` or `[v6]:port`, host lower case."""
    try:
        parts = urlsplit("//" + text)
        port = parts.port
    except ValueError:
        raise ConfigError(f"--map-host {spec!r}: {text!r} has no valid port (1-65535)") from None
    host = parts.hostname or ""
    extra = parts.path or parts.query or parts.fragment or "@" in parts.netloc
    if not host or extra or any(c.isspace() or c in "/?#@" for c in host):
        raise ConfigError(f"--map-host {spec!r}: {text!r} is not a {what} (like {EXAMPLE})")
    if port == 0:
        raise ConfigError(f"--map-host {spec!r}: port 0 is not a port to connect to")
    return host, port


def parse_maps(specs: Iterable[str]) -> tuple[HostMap, ...]:
    """The HostMaps of `specs`; ConfigError for a bad one or a NAME[:PORT] mapped twice."""
    found: dict[tuple[str, int | None], HostMap] = {}
    for spec in specs:
        if not spec.strip():
            continue
        mapped = parse_map(spec)
        key = (mapped.name, mapped.port)
        if key in found:
            raise ConfigError(f"--map-host {spec!r}: {found[key].spec!r} maps that name already")
        found[key] = mapped
    return tuple(found.values())


def find(maps: Iterable[HostMap], host: str, port: int) -> HostMap | None:
    """The map for `host` on `port`: one naming that port first, then one for any port."""
    name = host.strip("[]").lower()
    anyport = None
    for mapped in maps:
        if mapped.name == name:
            if mapped.port == port:
                return mapped
            if mapped.port is None:
                anyport = mapped
    return anyport


def destination(maps: Iterable[HostMap], scheme: str, host: str, port: int) -> Destination | None:
    """Where a request for `scheme://host:port` goes; None: where it says (no map names it)."""
    mapped = find(maps, host, port)
    return None if mapped is None else mapped.destination(scheme, port)
