"""PriorKnowledge: HTTP/2 without TLS (h2c with prior knowledge, what gRPC clients speak to a
plaintext server) through a CONNECT tunnel or to a reverse listener. mitmproxy reads the h2
preface as an HTTP/1 request `PRI *` and fails it; this serves the client HTTP/2 and speaks it
to the upstream too."""

from mitmproxy.proxy import layer, server_hooks
from mitmproxy.proxy.layers import HttpLayer

from pretenders_proxy.proxy import internals

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class PriorKnowledge:
    """Serves a plaintext client that opens with the HTTP/2 preface HTTP/2, and speaks HTTP/2
    to the plaintext upstream of such a client (it knows the upstream speaks it)."""

    def next_layer(self, nextlayer: layer.NextLayer) -> None:
        client = nextlayer.context.client
        chosen = nextlayer.layer  # None: mitmproxy's NextLayer comes after us (mitmdump)
        if client.tls or client.alpn or not (chosen is None or isinstance(chosen, HttpLayer)):
            return
        data = nextlayer.data_client()
        if data.startswith(PREFACE):
            internals.serve_h2c(client)
        elif data and PREFACE.startswith(data):
            nextlayer.layer = None  # part of the preface: decide when the rest arrives

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        if internals.speaks_h2c(data.client) and not data.server.tls:
            internals.connect_h2c(data.server)
