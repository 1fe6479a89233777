"""A TLS client offering HTTP/2 gets it, unless mitmproxy's http2 option is off."""

from types import SimpleNamespace

import pytest
from mitmproxy.test import taddons

from pretenders_proxy.proxy.alpn import H2, Http2First


def hello(offered: list[bytes], chosen: bytes | None = None) -> SimpleNamespace:
    client = SimpleNamespace(alpn=chosen)
    return SimpleNamespace(
        context=SimpleNamespace(client=client),
        client_hello=SimpleNamespace(alpn_protocols=offered),
    )


@pytest.mark.parametrize(
    ("offered", "chosen", "alpn"),
    [
        ([b"http/1.1", H2], None, H2),
        ([b"http/1.1"], None, None),
        ([b"http/1.1", H2], b"http/1.1", b"http/1.1"),  # already chosen: left as it is
    ],
)
def test_h2_is_chosen_when_offered(offered: list[bytes], chosen: bytes | None, alpn: bytes) -> None:
    data = hello(offered, chosen)
    Http2First().tls_clienthello(data)  # type: ignore[arg-type]
    assert data.context.client.alpn == alpn


def test_not_when_http2_is_off() -> None:
    addon = Http2First()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, http2=False)
        data = hello([H2])
        addon.tls_clienthello(data)  # type: ignore[arg-type]
    assert data.context.client.alpn is None
