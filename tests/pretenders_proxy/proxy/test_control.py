import pytest
from mitmproxy.test import taddons, tflow

from pretenders_proxy.proxy.control import ControlRoute
from pretenders_proxy.proxy.tags import is_control
from pretenders_proxy.server.runtime import Runtime


@pytest.mark.parametrize(
    ("host", "port", "scheme", "control"),
    [
        ("127.0.0.1", 8000, "http", True),
        ("localhost", 8000, "http", True),
        ("127.0.0.1", 8001, "http", False),
        ("127.0.0.1", 8000, "https", False),
        ("api.example.test", 8000, "http", False),
    ],
)
def test_calls_to_the_control_api_are_let_through(
    host: str, port: int, scheme: str, control: bool
) -> None:
    runtime = Runtime()
    runtime.listeners["control"] = "http://127.0.0.1:8000"
    addon = ControlRoute(runtime)
    flow = tflow.tflow()
    flow.request.host, flow.request.port, flow.request.scheme = host, port, scheme
    with taddons.context(addon):
        addon.requestheaders(flow)
    assert is_control(flow) is control


def test_a_control_listener_that_moved_is_followed() -> None:
    runtime = Runtime()
    addon = ControlRoute(runtime)
    seen = []
    for url in ("http://127.0.0.1:8000", "http://127.0.0.1:9000", "http://[::1]:9000"):
        runtime.listeners["control"] = url
        flow = tflow.tflow()
        flow.request.host, flow.request.port, flow.request.scheme = "localhost", 9000, "http"
        with taddons.context(addon):
            addon.requestheaders(flow)
        seen.append(is_control(flow))
    assert seen == [False, True, True]
