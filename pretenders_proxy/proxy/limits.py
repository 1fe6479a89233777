"""HeadLimit: an HTTP/1 request head (request line and headers) over MAX_HEAD bytes gets a 431.

mitmproxy 12 buffers a request head until it is complete, however long it grows (its own
"FIXME: protect against header size DoS"), so a client could fill the memory of the proxy.
"""

from mitmproxy.addonmanager import Loader
from mitmproxy.proxy import commands, events, layer
from mitmproxy.proxy.layers import http as http_layers
from mitmproxy.proxy.layers.http import _http1

MAX_HEAD = 64 * 1024
"""As nginx's default large_client_header_buffers (4 x 8 KB) allows, with room to spare."""


class LimitedHttp1Server(_http1.Http1Server):
    """mitmproxy's HTTP/1 server side, refusing a request head longer than MAX_HEAD."""

    def read_headers(self, event: events.ConnectionEvent) -> layer.CommandGenerator[None]:
        if isinstance(event, events.DataReceived) and len(self.buf) > MAX_HEAD:
            head = bytes(self.buf)[: MAX_HEAD + 4]  # only ever copied past the limit
            if b"\r\n\r\n" not in head and b"\n\n" not in head:
                problem = f"the request line and headers are over {MAX_HEAD} bytes"
                yield commands.SendData(self.conn, _http1.make_error_response(431, problem))
                yield commands.CloseConnection(self.conn)
                self.state = self.done
                return
        yield from super().read_headers(event)


class HeadLimit:
    """Makes mitmproxy's HTTP layer use LimitedHttp1Server (here, and in a stock mitmdump)."""

    def load(self, loader: Loader) -> None:
        http_layers.Http1Server = LimitedHttp1Server  # type: ignore[attr-defined]
