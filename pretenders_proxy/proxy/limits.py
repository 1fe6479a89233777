"""HeadLimit: an HTTP/1 request head (request line and headers) over MAX_HEAD bytes gets a 431.

mitmproxy 12 buffers a request head until it is complete, however long it grows (its own
"FIXME: protect against header size DoS"), so a client could fill the memory of the proxy.
"""

from mitmproxy.addonmanager import Loader

from pretenders_proxy.proxy import internals

MAX_HEAD = 64 * 1024
"""As nginx's default large_client_header_buffers (4 x 8 KB) allows, with room to spare."""


class HeadLimit:
    """Makes mitmproxy's HTTP layer refuse longer heads (here, and in a stock mitmdump)."""

    def load(self, loader: Loader) -> None:
        internals.limit_request_heads(MAX_HEAD)
