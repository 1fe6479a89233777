"""HostMapper moves a request left to go upstream to its mapped address, keeping the Host header
and (for TLS) the server name of the original; what the other addons see stays the original.
(Through a real proxy: tests/integration/test_map_host.py.)"""

from mitmproxy import connection, http
from mitmproxy.proxy import server_hooks
from mitmproxy.test import taddons, tflow

from pretenders_proxy.proxy.convert import request_of
from pretenders_proxy.proxy.hostmap import HostMapper
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.server.runtime import Runtime

MAPS = ["api.test=127.0.0.1:9000", "web.test=http://127.0.0.1:9001"]


def mapped(url: str, **changes: object) -> tuple[HostMapper, http.HTTPFlow]:
    mapper = HostMapper()
    with taddons.context(Options(Runtime()), mapper) as tctx:
        tctx.configure(mapper, pretenders_map_host=MAPS)
        flow = tflow.tflow()
        flow.request.url = url
        flow.request.headers["Host"] = flow.request.host
        for name, value in changes.items():
            setattr(flow, name, value)
        mapper.request(flow)
    return mapper, flow


def test_a_mapped_https_request_keeps_its_host_header_and_what_others_see() -> None:
    mapper, flow = mapped("https://api.test/users/1")
    request = flow.request
    assert (request.scheme, request.host, request.port) == ("https", "127.0.0.1", 9000)
    assert request.host_header == "api.test"
    assert request_of(flow).url == "https://api.test/users/1"
    server = connection.Server(address=("127.0.0.1", 9000), sni="127.0.0.1")
    mapper.server_connect(server_hooks.ServerConnectionHookData(server, flow.client_conn))
    assert server.sni == "api.test"


def test_an_http_target_speaks_plain_http() -> None:
    _, flow = mapped("https://web.test/x")
    request = flow.request
    assert (request.scheme, request.host, request.port) == ("http", "127.0.0.1", 9001)


def test_answered_and_unmapped_requests_are_left_alone() -> None:
    _, answered = mapped("https://api.test/x", response=tflow.tresp())
    _, other = mapped("https://other.test/x")
    assert answered.request.host == "api.test"
    assert other.request.host == "other.test"


def test_a_server_nothing_was_mapped_to_keeps_its_name() -> None:
    mapper, flow = mapped("https://other.test/x")
    server = connection.Server(address=("127.0.0.1", 9000), sni="127.0.0.1")
    mapper.server_connect(server_hooks.ServerConnectionHookData(server, flow.client_conn))
    assert server.sni == "127.0.0.1"
