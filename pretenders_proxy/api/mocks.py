"""`/mockhttp/<id>/...`: where an app under test calls a 1.4 mock directly on the control port."""

import asyncio
import functools
import time
from dataclasses import dataclass
from typing import NoReturn, cast
from urllib.parse import unquote

from aiohttp import HttpVersion, web
from multidict import CIMultiDict, CIMultiDictProxy

from pretenders_proxy.api import canned
from pretenders_proxy.api.router import Router, runtime_of
from pretenders_proxy.errors import StoreUnavailableError
from pretenders_proxy.model.http import Headers, Request, Response, quick_request, split_host
from pretenders_proxy.model.preset import Fault
from pretenders_proxy.model.stream import paced, streams
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.sockets import reset_on_close
from pretenders_proxy.store.answering import Missed, MockOutcome, unavailable
from pretenders_proxy.store.presets import PresetFault

router = Router("mock traffic", plain_errors=True)

CSP = "Content-Security-Policy"
SANDBOX = "sandbox allow-scripts allow-forms allow-popups"
"""What every mock answer carries unless its preset sets a CSP: an HTML mock still renders and
runs its own script, but in an opaque origin, so it cannot read or drive the control API that
shares its origin (issue 15)."""


@router.route(
    "*", "/mockhttp/{id}", summary="A request to a mock, answered from its presets", errors=[404]
)
async def mock_root(request: web.Request) -> web.StreamResponse:
    return await serve(request, runtime_of(request))


@router.route(
    "*",
    "/mockhttp/{id}/{path:.*}",
    summary="A request to a mock, answered from its presets; the rule sees METHOD /path?query",
    errors=[404],
)
async def mock_path(request: web.Request) -> web.StreamResponse:
    return await serve(request, runtime_of(request))


async def serve(request: web.Request, runtime: Runtime) -> web.StreamResponse:
    """Answer a request to `/mockhttp/<name>/...` as `answer` says: from that mock's presets, or
    with the miss reply; a 503 saying so while the shared store is unreachable."""
    try:
        return await _serve(request, runtime)
    except StoreUnavailableError as e:
        return _respond(unavailable(str(e)))


async def _serve(request: web.Request, runtime: Runtime) -> web.StreamResponse:
    state = runtime.state
    started = time.perf_counter()
    body = await request.read() if request.body_exists else b""
    name, seen = call(
        request.method,
        request.raw_path,
        tuple(request.raw_headers),
        body,
        request.host,
        _version_text(request.version),
    )
    settings = runtime.settings
    decided = _decided(request)
    if decided is not None:  # the fast lane asked the store already: never twice
        outcome = decided.get()
    else:
        outcome = await state.mock(
            name, seen, settings.miss_status, settings.regex_timeout, started
        )
    if outcome is None:
        return _unknown(name)
    if isinstance(outcome, Missed):
        return _respond(outcome.response)
    if outcome.after:
        await asyncio.sleep(outcome.after)
    if isinstance(outcome, PresetFault):
        _break_connection(request, outcome.fault)
    response = outcome.response
    if streams(request.method, response.status, response.chunks):
        return await _stream(request, response)
    plain = settings.plain_mock_replies or not canned.cannable(request)
    if not plain and (reply := _CANNED.get(response)) is not None:
        return cast(web.StreamResponse, canned.Sent(reply.wire()))
    return _respond(response)


def call(
    method: str, target: str, raw_headers: Headers, body: bytes, host: str, version: str
) -> tuple[str, Request]:
    """The mock a request to `/mockhttp/<name>/...` (`target`: its raw path and query) calls, and
    the request it sees: the same on aiohttp's path and the fast lane's."""
    raw_path, _, query = target.partition("?")
    parts = raw_path.split("/", 3)  # "", "mockhttp", name, rest
    hostname, port = split_host(host)
    seen = quick_request(
        method,
        ("/" + parts[3] if len(parts) > 3 else "").encode("latin-1"),
        query.encode("latin-1"),
        raw_headers,
        body,
        "http",
        hostname,
        port,
        version,
    )
    return unquote(parts[2]), seen


@dataclass(frozen=True, slots=True)
class Decided:
    """What State.mock said for the request the fast lane hands over to aiohttp: its outcome,
    or the error it raised (raised again there, answered as on aiohttp's own path)."""

    outcome: MockOutcome | None = None
    error: Exception | None = None

    def get(self) -> MockOutcome | None:
        if self.error is not None:
            raise self.error
        return self.outcome


def _decided(request: web.Request) -> Decided | None:
    """The fast lane's decision for the first request of a connection it handed over (once)."""
    protocol = request.protocol
    decided: Decided | None = getattr(protocol, "decided", None)
    if decided is not None:
        protocol.decided = None  # type: ignore[attr-defined]
    return decided


def canned_answer(outcome: MockOutcome | None, method: str) -> bytes | None:
    """The bytes answering an HTTP/1.1 keep-alive request (not HEAD or CONNECT) with `outcome`
    when aiohttp's path would send a canned reply at once (no delay, fault or stream); else None."""
    if outcome is None or isinstance(outcome, (Missed, PresetFault)) or outcome.after:
        return None
    response = outcome.response
    if streams(method, response.status, response.chunks):
        return None
    reply = _CANNED.get(response)
    return None if reply is None else reply.wire()


def _unknown(name: str) -> web.Response:
    return web.Response(status=404, text=f"no mock named {name!r}\n", headers={CSP: SANDBOX})


@functools.cache
def _version_text(version: HttpVersion) -> str:
    return f"HTTP/{version.major}.{version.minor}"


def refused(why: str) -> web.Response:
    """The 403 of a mock request the control port's gate turns away."""
    return web.Response(status=403, text=why + "\n", headers={CSP: SANDBOX})


def _respond(response: Response) -> web.Response:
    headers = _text_headers(response.headers)
    return web.Response(status=response.status, body=response.body, headers=headers)


async def _stream(request: web.Request, response: Response) -> web.StreamResponse:
    """A preset's streamed reply: each piece written and flushed on its own when it is due;
    chunked unless the preset sets a Content-Length. A client leaving ends it quietly."""
    headers = CIMultiDict(_text_headers(response.headers))
    framed = "Content-Length" in headers
    headers.popall("Transfer-Encoding", None)  # aiohttp frames the body itself
    answer = web.StreamResponse(status=response.status, headers=headers)
    if not framed:
        answer.enable_chunked_encoding()
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        await answer.prepare(request)
        for due, data in paced(response.body, response.chunks, 1.0):
            if (wait := start + due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if data:
                await answer.write(data)
        await answer.write_eof()
    except ConnectionError:  # the client went away mid-stream: nothing left to answer
        pass
    return answer


@functools.lru_cache(maxsize=4096)
def _text_headers(raw_headers: Headers) -> CIMultiDictProxy[str]:
    """A preset's headers as aiohttp takes them, decoded once per preset, not per request, with
    the sandbox policy added when the preset sets no CSP of its own."""
    headers = CIMultiDict((n.decode("latin-1"), v.decode("latin-1")) for n, v in raw_headers)
    headers.setdefault(CSP, SANDBOX)
    return CIMultiDictProxy(headers)


def _break_connection(request: web.Request, fault: Fault) -> NoReturn:
    transport = request.transport
    if transport is not None:
        if fault is Fault.RESET:
            reset_on_close(transport.get_extra_info("socket"))
        transport.abort()
    raise asyncio.CancelledError


_CANNED = canned.Cache(_text_headers)
