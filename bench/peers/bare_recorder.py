"""Baseline for W2r: the bare mitmproxy Master of bare_master.py, recording instead of
answering: mitmproxy's own `save` addon writes each flow to a file (flushed per flow, as ours).

`python bare_recorder.py PORT FLOWFILE`; only core, proxy server, next layer and TLS config
besides it, so this is the floor of recording on mitmproxy itself.
"""

import asyncio
import signal
import sys

from mitmproxy import options
from mitmproxy.addons import core, next_layer, proxyserver, save, tlsconfig
from mitmproxy.master import Master


async def main(port: int, path: str) -> None:
    master = Master(options.Options(listen_host="127.0.0.1", listen_port=port))
    master.addons.add(
        core.Core(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        save.Save(),
    )
    master.options.update(connection_strategy="lazy", save_stream_file=path)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, master.shutdown)
    await master.run()


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
