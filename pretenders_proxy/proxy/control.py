"""ControlRoute: calls to the control API that arrive through the proxy go straight to it.

`pretenders env` keeps the control port out of the proxy with NO_PROXY, but some clients ignore
the port in NO_PROXY entries (curl; Python requests for IP addresses). Their calls are passed on
to the control API itself, in every mode: it is not an upstream, so replay stays fail-closed.
"""

from urllib.parse import urlsplit

from mitmproxy import http

from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import is_loopback


class ControlRoute:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        control = self.runtime.listeners.get("control")
        if control is None:
            return
        address = urlsplit(control)
        request = flow.request
        same_host = request.host == address.hostname or (
            is_loopback(request.host) and is_loopback(address.hostname or "")
        )
        if request.scheme == "http" and request.port == address.port and same_host:
            tags(flow)["control"] = True
