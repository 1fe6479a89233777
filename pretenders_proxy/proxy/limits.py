"""HeadLimit: an HTTP/1 request head (request line and headers) over MAX_HEAD bytes gets a 431;
such heads, and those mitmproxy cannot parse (a 400), are journaled as errors.

mitmproxy 12 buffers a request head until it is complete, however long it grows (its own
"FIXME: protect against header size DoS"), so a client could fill the memory of the proxy.
"""

from mitmproxy import connection
from mitmproxy.addonmanager import Loader

from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.convert import refused_request
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.server.runtime import Runtime

MAX_HEAD = 64 * 1024
"""As nginx's default large_client_header_buffers (4 x 8 KB) allows, with room to spare."""
KEPT = 1024
"""Bytes of a refused head that history keeps, as the request body."""
WHY = {
    400: "mitmproxy refused this request with a 400: its request line or headers are malformed "
    "(the body shows the bytes received)",
    408: "refused with a 408: its head did not arrive within --header-timeout "
    "(the body shows the bytes received)",
    431: f"mitmproxy refused this request with a 431: its head is over {MAX_HEAD} bytes",
}


class HeadLimit:
    """Makes mitmproxy's HTTP layer refuse longer heads (here, and in a stock mitmdump), and
    journals every head refused before a flow was made, which no other hook hears of."""

    def __init__(self, runtime: Runtime, router: SessionRouter) -> None:
        self.runtime = runtime
        self.router = router

    def load(self, loader: Loader) -> None:
        internals.limit_request_heads(MAX_HEAD, self.refused)

    def done(self) -> None:
        internals.limit_request_heads(MAX_HEAD)

    def refused(self, client: connection.Client, status: int, received: bytes) -> None:
        session = self.router.session_of_client(client)
        if session is None:  # a new session name past --max-sessions: nowhere to journal it
            return
        request = refused_request(received[:KEPT])
        note = Note(Source.ERROR, error=WHY.get(status, f"mitmproxy refused it ({status})"))
        self.runtime.state.journal(session, request, note)
