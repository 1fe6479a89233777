from types import SimpleNamespace

from mitmproxy.proxy.mode_specs import ProxyMode

from pretenders_proxy.proxy.listeners import proxy_listeners


def instance(spec: str, *addresses: tuple[str, int]) -> SimpleNamespace:
    return SimpleNamespace(mode=ProxyMode.parse(spec), listen_addrs=list(addresses))


def test_the_forward_proxy_and_each_reverse_listener_by_name() -> None:
    servers = [
        instance("regular", ("127.0.0.1", 8080), ("127.0.0.1", 8080)),
        instance("reverse:https://api.example.test@9001", ("::1", 9001, 0, 0)),
        instance("reverse:http://other.test@9002"),  # not listening (yet): left out
    ]
    found = proxy_listeners(SimpleNamespace(servers=servers))  # type: ignore[arg-type]
    assert found == {
        "proxy": "http://127.0.0.1:8080",
        "reverse:https://api.example.test": "http://[::1]:9001",
    }
