"""The proxy listeners by name, as the banner and GET /health show them."""

from typing import TYPE_CHECKING

from mitmproxy.proxy.mode_specs import ReverseMode

from pretenders_proxy.server.binding import netloc

if TYPE_CHECKING:  # the addons package may only load once the entry point set it up (internals)
    from mitmproxy.addons.proxyserver import Proxyserver


def proxy_listeners(proxyserver: "Proxyserver") -> dict[str, str]:
    """`proxy` for the forward proxy, `reverse:<url>` for each reverse listener."""
    found: dict[str, str] = {}
    for instance in proxyserver.servers:
        if not instance.listen_addrs:
            continue
        host, port = instance.listen_addrs[0][:2]
        mode = instance.mode
        name = f"reverse:{mode.data}" if isinstance(mode, ReverseMode) else "proxy"
        found.setdefault(name, f"http://{netloc(host, port)}")
    return found
