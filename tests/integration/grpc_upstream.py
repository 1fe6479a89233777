"""A local gRPC upstream (a real `grpc.server`, plaintext h2c or TLS, no protoc: bytes in and
out) behind a relay counting the TCP connections it gets, and the client calls tests make.

- `/demo.Items/Get` (unary): `name` -> `item: name`, with trailing metadata `x-served-by:
  upstream`; `missing` aborts with NOT_FOUND "no such item: missing".
- `/demo.Items/List` (server-streaming): `n` -> `n` messages `item <i>`, GAP seconds apart;
  `n!` sends them, then ends with NOT_FOUND "no more items".
"""

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass

import grpc

from tests.integration.tlsca import LocalCA

GET, LIST = "/demo.Items/Get", "/demo.Items/List"
GAP = 0.2
TRAILER = ("x-served-by", "upstream")


class GrpcUpstream:
    """Serves until `stop()`; `calls` counts the calls its handlers ran, `connections` the TCP
    connections its relay accepted (the server listens on a port of its own behind it)."""

    def __init__(self, ca: LocalCA | None = None) -> None:
        self.calls = 0
        self.sent: list[float] = []
        """time.monotonic() of each message `List` sent."""
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        handlers = {
            "Get": grpc.unary_unary_rpc_method_handler(self._get),
            "List": grpc.unary_stream_rpc_method_handler(self._list),
        }
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("demo.Items", handlers),)
        )
        if ca is None:
            inner = self.server.add_insecure_port("127.0.0.1:0")
        else:
            pair = (ca.server_key.read_bytes(), ca.server_cert.read_bytes())
            inner = self.server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([pair]))
        self.server.start()
        self.relay = Relay(inner)
        self.port = self.relay.port
        self.target = f"127.0.0.1:{self.port}"
        self.tls = ca is not None
        self.scheme = "https" if self.tls else "http"

    @property
    def connections(self) -> int:
        return self.relay.connections

    def _get(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        self.calls += 1
        if request == b"missing":
            context.abort(grpc.StatusCode.NOT_FOUND, "no such item: missing")
        context.set_trailing_metadata((TRAILER,))
        return b"item: " + request

    def _list(self, request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        self.calls += 1
        for i in range(int(request.rstrip(b"!"))):
            if i:
                time.sleep(GAP)
            self.sent.append(time.monotonic())
            yield b"item %d" % i
        if request.endswith(b"!"):
            context.abort(grpc.StatusCode.NOT_FOUND, "no more items")

    def stop(self) -> None:
        self.relay.stop()
        self.server.stop(grace=None)


class Relay:
    """A TCP relay on 127.0.0.1 to `port`, in a thread of its own, counting what it accepts."""

    def __init__(self, port: int) -> None:
        self.inner = port
        self.connections = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the relay did not start")

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._relay, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        started.set()
        self._loop.run_forever()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        inner_writer = None
        try:
            inner_reader, inner_writer = await asyncio.open_connection("127.0.0.1", self.inner)
            await asyncio.gather(_pipe(reader, inner_writer), _pipe(inner_reader, writer))
        except (OSError, asyncio.CancelledError):
            pass  # the server went, or the relay stops: both sides are closed below
        finally:
            writer.close()
            if inner_writer is not None:
                inner_writer.close()
            self._tasks.discard(task)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await asyncio.sleep(0.05)  # the closed transports close their sockets on the loop

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@dataclass(frozen=True)
class Answer:
    """What a client got from one call: its messages, status, details and trailing metadata."""

    messages: tuple[bytes, ...]
    code: grpc.StatusCode
    details: str | None
    trailers: tuple[tuple[str, str | bytes], ...]


def channel(target: str, proxy: str | None, roots: bytes | None) -> grpc.Channel:
    """A channel to `target` through `proxy` (None: straight), TLS trusting `roots` if given."""
    options = [("grpc.http_proxy", proxy)] if proxy else [("grpc.enable_http_proxy", 0)]
    if roots is None:
        return grpc.insecure_channel(target, options=options)
    return grpc.secure_channel(target, grpc.ssl_channel_credentials(roots), options=options)


def call(chan: grpc.Channel, method: str, request: bytes, timeout: float = 10) -> Answer:
    """Call `method` (GET unary, LIST server-streaming) and gather what came back, errors too."""
    if method == GET:
        unary = chan.unary_unary(method)
        try:
            reply, done = unary.with_call(request, timeout=timeout)
        except grpc.RpcError as e:
            return _failed((), e)
        return Answer((reply,), done.code(), done.details(), _trailers(done))
    stream = chan.unary_stream(method)(request, timeout=timeout)
    got: list[bytes] = []
    try:
        got.extend(stream)
    except grpc.RpcError as e:
        return _failed(tuple(got), e)
    return Answer(tuple(got), stream.code(), stream.details(), _trailers(stream))


def _failed(got: tuple[bytes, ...], error: grpc.RpcError) -> Answer:
    assert isinstance(error, grpc.Call)
    return Answer(got, error.code(), error.details(), _trailers(error))


def _trailers(done: grpc.Call) -> tuple[tuple[str, str | bytes], ...]:
    return tuple((key, value) for key, value in done.trailing_metadata() or ())
