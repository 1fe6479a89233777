"""Baseline for W2: a bare mitmproxy Master with only the core addons, answering every request
with the same 1 KB JSON from its request hook (the floor of mitmproxy itself)."""

import asyncio
import json
import signal
import sys

from mitmproxy import http, options
from mitmproxy.addons import core, next_layer, proxyserver, tlsconfig
from mitmproxy.master import Master

PAYLOAD = json.dumps({"id": 42, "name": "widget", "tags": ["a", "b"], "pad": "x" * 960}).encode()


class Answer:
    def request(self, flow: http.HTTPFlow) -> None:
        flow.response = http.Response.make(200, PAYLOAD, {"Content-Type": "application/json"})


async def main(port: int) -> None:
    master = Master(options.Options(listen_host="127.0.0.1", listen_port=port))
    master.addons.add(
        core.Core(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        Answer(),
    )
    master.options.update(connection_strategy="lazy")
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, master.shutdown)
    await master.run()


asyncio.run(main(int(sys.argv[1])))
