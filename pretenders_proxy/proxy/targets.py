"""OriginForm: the forward-proxy port takes only requests that name their target in full
(`GET http://host/x`, or CONNECT); an origin-form one (`GET /x` with `Host: evil.example`) is
what a DNS-rebound web page sends to it, and gets a 400 instead of reaching that host (issue 15).
"""

from mitmproxy import http
from mitmproxy.addonmanager import Loader

from pretenders_proxy.proxy import internals


def refusal(request: http.Request) -> str:
    """The 400's message for an origin-form request to the forward proxy."""
    host = request.host_header or "none"
    return (
        f"this is a forward proxy: it takes GET http://host/path or CONNECT host:port, not "
        f"{request.method} {request.path[:200]} with Host: {host} (what a web page rebound by DNS "
        "to this port sends), so it was not sent anywhere"
    )


class OriginForm:
    """Makes mitmproxy's regular mode refuse origin-form requests (here, and in a stock
    mitmdump); reverse listeners take them, as they must."""

    def load(self, loader: Loader) -> None:
        internals.refuse_origin_form(refusal)
