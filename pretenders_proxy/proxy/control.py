"""ControlRoute: calls to the control API that arrive through the proxy go straight to it.

`pretenders env` keeps the control port out of the proxy with NO_PROXY, but some clients ignore
the port in NO_PROXY entries (curl; Python requests for IP addresses). Their calls are passed on
to the control API itself, in every mode: it is not an upstream, so replay stays fail-closed.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from mitmproxy import http

from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import is_loopback


class ControlRoute:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        request = flow.request
        if request.scheme == "http" and is_control(self.runtime, request.host, request.port):
            tags(flow)["control"] = True


def is_control(runtime: Runtime, host: str, port: int) -> bool:
    """Whether `host`:`port` is the control API's listener (any loopback name if on loopback)."""
    control = runtime.listeners.get("control")
    if control is None:
        return False
    name, control_port = _address(control)
    if port != control_port:  # nearly every request: no name parsed
        return False
    return host == name or (is_loopback(host) and is_loopback(name or ""))


@lru_cache(maxsize=8)
def _address(url: str) -> tuple[str | None, int | None]:
    """The host name and port of the control listener's URL (parsed once, not per request)."""
    address = urlsplit(url)
    return address.hostname, address.port
