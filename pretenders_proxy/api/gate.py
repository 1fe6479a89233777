"""Who may talk to the control port (issue 15): only requests whose Host is local, the bound
address or an `--allowed-host` (no DNS rebinding), and no state-changing control call sent by a
page of another origin (no cross-site request forgery). docs/security.md says why."""

from dataclasses import dataclass

from aiohttp import web

from pretenders_proxy.model.http import split_host
from pretenders_proxy.settings import Settings, is_loopback

SAFE_METHODS = frozenset({"GET", "HEAD"})
FOREIGN_SITES = frozenset({"cross-site", "same-site"})
"""`Sec-Fetch-Site` values a browser sends for a request made by another site's page."""
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str:
    """The name a Host header (or an Origin's authority) names: lower case, without its port,
    IPv6 brackets or final dot. "[::1]:8000" -> "::1"."""
    name, _ = split_host(host)
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.rstrip(".").lower()


def is_local(name: str) -> bool:
    """Loopback: localhost and its subdomains (RFC 6761: browsers resolve them to loopback
    themselves, so no DNS answer can rebind them), 127.0.0.0/8 and ::1."""
    return name in LOCAL_NAMES or name.endswith(".localhost") or is_loopback(name)


@dataclass(frozen=True, slots=True)
class Gate:
    """What the control port lets in; `names` are the Host names allowed besides loopback ones,
    None when any Host is (bound off loopback, with no `--allowed-host`: the token guards it)."""

    names: frozenset[str] | None

    @classmethod
    def of(cls, settings: Settings) -> "Gate":
        if not is_loopback(settings.host) and not settings.allowed_hosts:
            return cls(None)
        given = (host_name(name) for name in (settings.host, *settings.allowed_hosts))
        return cls(LOCAL_NAMES | frozenset(given))

    def refusal(self, request: web.BaseRequest, *, control: bool) -> str | None:
        """Why `request` may not be served (a sentence for its 403), or None when it may.

        `control`: a call to the control API, the 1.4 protocol or the UI, which a page of another
        origin may not make unless it is GET or HEAD; mock traffic (`/mockhttp/`) may come from
        anywhere that reaches it by an allowed Host: a front-end under test posts to its mocks.
        """
        host = request.headers.get("Host")
        if (why := self.host_refusal(host)) is not None:
            return why
        if control and request.method not in SAFE_METHODS:
            return foreign_origin(request, host)
        return None

    def host_refusal(self, host: str | None) -> str | None:
        """Why a request with this Host header may not be served, or None when it may."""
        # No Host at all: no browser sends that, so no web page is behind it.
        if host is not None and not self.is_allowed(host):
            return self._foreign_host(host)
        return None

    def is_allowed(self, host: str) -> bool:
        if self.names is None:
            return True
        name = host_name(host)
        return name in self.names or is_local(name)

    @staticmethod
    def _foreign_host(host: str) -> str:
        name = host_name(host) or host
        return (
            f"this pretenders server does not answer to Host {host!r}: only to localhost, "
            "loopback addresses, the address it is bound to and the names given with "
            f"--allowed-host (start it with --allowed-host {name} to answer to that name)"
        )


def foreign_origin(request: web.BaseRequest, host: str | None) -> str | None:
    """Why a state-changing call looks sent by a page of another origin, or None."""
    refused = f"{request.method} {request.path} refused: "
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if site in FOREIGN_SITES:
        return refused + (
            f"the browser says a page of another site sent it (Sec-Fetch-Site: {site}); "
            "only this server's own pages and clients that are not web pages may change it"
        )
    origin = request.headers.get("Origin")
    if origin is not None and not _is_own(origin, host):
        return refused + (
            f"it comes from a page of origin {origin}, not from this server's own "
            f"(http://{host}); only this server's own pages and clients that are not web pages "
            "may change it"
        )
    return None


def _is_own(origin: str, host: str | None) -> bool:
    """Whether an Origin is the control origin itself: same host and port as the Host header
    (the scheme is left out: a TLS proxy in front may say https)."""
    _, separator, authority = origin.partition("://")
    return bool(separator) and host is not None and authority.lower() == host.lower()
