"""HostMapper: `--map-host` sends a request that goes upstream to another address, while the
Host header, the TLS server name and what is recorded, matched and journaled keep the original
name, scheme and port (issue 17)."""

import logging
import weakref

from mitmproxy import connection, ctx, http
from mitmproxy.proxy import server_hooks

from pretenders_proxy.model.hostmap import HostMap, destination, parse_maps
from pretenders_proxy.proxy.convert import request_of
from pretenders_proxy.proxy.tags import is_settled

logger = logging.getLogger(__name__)
OPTION = "pretenders_map_host"

type Address = tuple[str, int]


class HostMapper:
    """Points each request left to the upstream at its mapped address (after the Responder has
    decided on it, with the original name), then names the original host to TLS (SNI)."""

    def __init__(self) -> None:
        self.maps: tuple[HostMap, ...] = ()
        self.names: weakref.WeakKeyDictionary[connection.Client, dict[Address, str]] = (
            weakref.WeakKeyDictionary()
        )
        """The original name of each mapped address a client's requests were sent to."""

    def configure(self, updated: set[str]) -> None:
        if OPTION in updated and OPTION in ctx.options:
            self.maps = parse_maps(getattr(ctx.options, OPTION))  # checked by Options already

    def request(self, flow: http.HTTPFlow) -> None:
        if not self.maps or flow.response is not None or flow.error or is_settled(flow):
            return
        request = flow.request
        to = destination(self.maps, request.scheme, request.host, request.port)
        if to is None:
            return
        request_of(flow)  # converted (with the original name) before it changes, for the others
        original = request.host
        # Through `data`: the host setter would rewrite the Host header (and :authority) too.
        request.data.host, request.data.port = to.host, to.port
        request.scheme = to.scheme
        self.names.setdefault(flow.client_conn, {})[(to.host, to.port)] = original
        logger.debug("%s %s goes to %s", request.method, original, to)

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        # mitmproxy names the address it connects to as the server name: name the original
        # host instead, so that a TLS upstream with a certificate for it is verified as it.
        address = data.server.address
        if address is None:
            return
        original = self.names.get(data.client, {}).get((address[0], address[1]))
        if original is not None and data.server.sni == address[0]:
            data.server.sni = original
