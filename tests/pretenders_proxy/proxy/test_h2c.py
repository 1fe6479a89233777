"""A plaintext client opening with the HTTP/2 preface is served HTTP/2, and its plaintext
upstream spoken to in HTTP/2; everything else is left as mitmproxy's NextLayer chose.
(Through a real proxy: test_internals.py, and tests/integration/test_grpc.py.)"""

from types import SimpleNamespace

import pytest
from mitmproxy.options import Options
from mitmproxy.proxy import events, layer, layers
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers.http import HTTPMode
from mitmproxy.test import tflow

from pretenders_proxy.proxy.h2c import PREFACE, PriorKnowledge

SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def asked(data: bytes, chosen: str | None = "http", tls: bool = False) -> layer.NextLayer:
    """The next_layer hook's data after PriorKnowledge saw `data` from the client."""
    client = tflow.tclient_conn()
    client.tls, client.alpn = tls, None
    context = Context(client, Options())
    nextlayer = layer.NextLayer(context)
    if chosen == "http":
        nextlayer.layer = layers.HttpLayer(context, HTTPMode.transparent)
    elif chosen == "tcp":
        nextlayer.layer = layers.TCPLayer(context)
    nextlayer.events.append(events.DataReceived(client, data))
    PriorKnowledge().next_layer(nextlayer)
    return nextlayer


@pytest.mark.parametrize("chosen", ["http", None])  # None: mitmproxy's NextLayer comes next
def test_the_preface_makes_the_client_an_h2c_one(chosen: str | None) -> None:
    nextlayer = asked(PREFACE + SETTINGS, chosen)
    assert nextlayer.context.client.alpn == b"h2"
    assert (nextlayer.layer is None) is (chosen is None)


def test_part_of_the_preface_waits_for_the_rest() -> None:
    nextlayer = asked(PREFACE[:10])
    assert nextlayer.layer is None and nextlayer.context.client.alpn is None


@pytest.mark.parametrize(
    ("data", "chosen", "tls"),
    [
        (b"POST /x HTTP/1.1\r\n", "http", False),  # HTTP/1
        (PREFACE, "tcp", False),  # passed through as TCP (--ignore-hosts)
        (PREFACE, "http", True),  # inside TLS: ALPN says
    ],
)
def test_anything_else_is_left_alone(data: bytes, chosen: str, tls: bool) -> None:
    nextlayer = asked(data, chosen, tls)
    assert nextlayer.context.client.alpn is None and nextlayer.layer is not None


def test_the_plaintext_upstream_of_an_h2c_client_is_spoken_to_in_http2() -> None:
    def connect(client_alpn: bytes | None, server_tls: bool) -> bytes | None:
        client, server = tflow.tclient_conn(), tflow.tserver_conn()
        client.tls, client.alpn, server.tls, server.alpn = False, client_alpn, server_tls, None
        PriorKnowledge().server_connect(SimpleNamespace(client=client, server=server))  # type: ignore[arg-type]
        return server.alpn

    assert connect(b"h2", False) == b"h2"
    assert connect(None, False) is None  # an HTTP/1 client's upstream
    assert connect(b"h2", True) is None  # TLS: the upstream's ALPN says
