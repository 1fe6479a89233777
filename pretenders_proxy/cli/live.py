"""Sending a recorded request to the live upstream again, directly (httpx, no proxy, no
environment proxies), where `--map-host` says, with the original Host and TLS server name."""

import ssl
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import httpx

from pretenders_proxy.certs import system_roots
from pretenders_proxy.errors import ConfigError, PretendersError
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.model.hostmap import Destination, HostMap, destination
from pretenders_proxy.model.http import Request, Response

MAX_BODY = 64 * 1024 * 1024
"""The most of a live body kept for comparing (a larger one is compared by its beginning)."""
NOT_SENT = frozenset(
    {b"host", b"content-length", b"transfer-encoding", b"connection", b"keep-alive",
     b"proxy-authorization", b"proxy-connection", b"te", b"upgrade"}
)  # fmt: skip
"""Recorded headers about the recorded connection, or that httpx writes itself."""


class UnreachableError(PretendersError):
    """The live upstream gave no answer: the message says why."""


class Upstream:
    """An httpx client for the live upstreams, used as `async with`."""

    def __init__(
        self, maps: tuple[HostMap, ...], ca: Path | None, insecure: bool, timeout: float
    ) -> None:
        self.maps = maps
        self.client = httpx.AsyncClient(
            verify=False if insecure else _trust(ca),
            timeout=timeout,
            trust_env=False,  # HTTP(S)_PROXY may name pretenders itself: go to the upstream
            follow_redirects=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, *_: type[BaseException] | BaseException | TracebackType | None
    ) -> None:
        await self.client.aclose()

    async def send(self, request: Request) -> Response:
        """The live answer to `request`; UnreachableError when there is none."""
        original = Destination(request.scheme, request.host, request.port)
        to = destination(self.maps, request.scheme, request.host, request.port) or original
        url = httpx.URL(scheme=to.scheme, host=to.host, port=to.port, raw_path=request.target)
        sni = {"sni_hostname": request.host} if to.scheme == "https" and to != original else {}
        headers = [(name, value) for name, value in request.headers if _sent(name, value)]
        headers.append((b"Host", urlsplit(request.url).netloc.encode("idna")))
        built = self.client.build_request(
            request.method, url, headers=headers, content=request.body or None, extensions=sni
        )
        try:
            answer = await self.client.send(built, stream=True)
            try:
                body = await _read(answer)
            finally:
                await answer.aclose()
        except (httpx.HTTPError, OSError, ssl.SSLError) as e:
            where = f"{to.host}:{to.port}"
            raise UnreachableError(f"no answer from {where}: {_said(e)}") from None
        return Response(answer.status_code, tuple(answer.headers.raw), body)


def _sent(name: bytes, value: bytes) -> bool:
    return name.lower() not in NOT_SENT and value != REDACTED  # a redacted secret is not sent


async def _read(answer: httpx.Response) -> bytes:
    """The raw body (still content-encoded, as recorded ones are), up to MAX_BODY."""
    body = bytearray()
    async for chunk in answer.aiter_raw():
        body += chunk
        if len(body) >= MAX_BODY:
            break
    return bytes(body[:MAX_BODY])


def _said(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}" if text != type(error).__name__ else text


def _trust(ca: Path | None) -> ssl.SSLContext:
    """The system roots, plus the CAs of `ca`; ConfigError naming a file that cannot be read."""
    context = ssl.create_default_context(cafile=str(system_roots()))
    if ca is not None:
        try:
            context.load_verify_locations(cafile=str(ca))
        except (OSError, ssl.SSLError) as e:
            raise ConfigError(f"--upstream-ca {ca}: {getattr(e, 'strerror', None) or e}") from e
    return context
