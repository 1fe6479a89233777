"""Http2First: a TLS client that offers HTTP/2 gets it, as it would from most real servers.

With lazy upstream connections there is no server to ask when the client's TLS starts, so
mitmproxy takes the client's first choice, and httpx lists http/1.1 first: without this, httpx
with `http2=True` would never speak HTTP/2 through pretenders.
"""

from mitmproxy import ctx, tls

H2 = b"h2"


class Http2First:
    def __init__(self) -> None:
        self.enabled = True

    def configure(self, updated: set[str]) -> None:
        if "http2" in updated:
            self.enabled = bool(ctx.options.http2)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        client = data.context.client
        if self.enabled and client.alpn is None and H2 in data.client_hello.alpn_protocols:
            client.alpn = H2  # mitmproxy's ALPN callback then selects it
