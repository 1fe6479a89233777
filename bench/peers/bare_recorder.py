"""Baselines for W2r: the bare mitmproxy Master of bare_master.py, recording instead of
answering; only core, proxy server, next layer and TLS config besides the recording addon.

`python bare_recorder.py PORT FILE`: mitmproxy's own `save` addon writes each flow to FILE
(its flow format, flushed per flow, as ours). `python bare_recorder.py PORT FILE --cassette`:
a small addon appends each exchange to FILE in our cassette format with our writer (flushed,
locked), the format's own cost without anything else pretenders does per flow.
"""

import asyncio
import signal
import sys
from pathlib import Path

from mitmproxy import http, options
from mitmproxy.addons import core, next_layer, proxyserver, save, tlsconfig
from mitmproxy.master import Master

from pretenders_proxy.cassette.writing import Writer
from pretenders_proxy.proxy.convert import exchange_from_flow


class Cassette:
    def __init__(self, path: str) -> None:
        self.writer = Writer.open(Path(path))

    def response(self, flow: http.HTTPFlow) -> None:
        self.writer.append(exchange_from_flow(flow))


async def main(port: int, path: str, ours: bool) -> None:
    master = Master(options.Options(listen_host="127.0.0.1", listen_port=port))
    recorder = Cassette(path) if ours else save.Save()
    master.addons.add(
        core.Core(), proxyserver.Proxyserver(), next_layer.NextLayer(), tlsconfig.TlsConfig()
    )
    master.addons.add(recorder)
    master.options.update(connection_strategy="lazy")
    if not ours:
        master.options.update(save_stream_file=path)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, master.shutdown)
    await master.run()


asyncio.run(main(int(sys.argv[1]), sys.argv[2], "--cassette" in sys.argv[3:]))
