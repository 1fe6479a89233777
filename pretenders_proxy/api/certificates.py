"""`GET /ca.pem`: the pretenders CA certificate, for clients to trust."""

from aiohttp import web

from pretenders_proxy.api.router import Router, runtime_of
from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.errors import NotFoundError

router = Router("certificates")


@router.route(
    "GET", "/ca.pem", summary="The CA certificate (PEM) the proxy signs with", errors=[404]
)
async def ca_pem(request: web.Request) -> web.Response:
    path = runtime_of(request).settings.confdir.expanduser() / CA_CERT
    try:
        pem = path.read_bytes()
    except OSError as e:
        raise NotFoundError(f"no CA certificate at {path} ({e.strerror or e})") from e
    return web.Response(body=pem, content_type="application/x-pem-file")
