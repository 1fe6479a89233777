"""The v1 SMTP presets: how a session's SMTP listener refuses, delays or drops mail."""

from aiohttp import web

from pretenders_proxy.api import mail_views
from pretenders_proxy.api.mail_schemas import SmtpPresetIn
from pretenders_proxy.api.router import Router, json_response, read_model, runtime_of, session_of
from pretenders_proxy.api.v1 import SESSION
from pretenders_proxy.errors import NotFoundError
from pretenders_proxy.store import Session
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION
from pretenders_proxy.store.smtp_presets import StoredSmtpPreset
from pretenders_proxy.wire.mail import SmtpPresetOut

router = Router("smtp presets")


@router.route(
    "GET",
    "/api/v1/smtp/presets",
    summary="A session's SMTP presets in the order they are tried",
    response=list[SmtpPresetOut],
    query=[SESSION],
    errors=[404],
)
async def list_smtp_presets(request: web.Request) -> web.Response:
    session = session_of(request)
    return json_response([mail_views.smtp_preset(p, session.name) for p in session.smtp_presets])


@router.route(
    "POST",
    "/api/v1/smtp/presets",
    summary="Add an SMTP preset: reject, tempfail, delay or drop mail for matching recipients",
    body=SmtpPresetIn,
    response=SmtpPresetOut,
    query=[SESSION],
    errors=[400],
    status=201,
)
async def add_smtp_preset(request: web.Request) -> web.Response:
    preset = (await read_model(request, SmtpPresetIn)).to_preset()
    store = runtime_of(request).store
    session = store.open(request.query.get("session") or DEFAULT_SESSION, SessionProtocol.SMTP)
    stored = store.add_smtp_preset(session, preset)
    return json_response(mail_views.smtp_preset(stored, session.name), status=201)


@router.route(
    "DELETE",
    "/api/v1/smtp/presets",
    summary="Drop every SMTP preset of a session",
    query=[SESSION],
    errors=[404],
    status=204,
)
async def clear_smtp_presets(request: web.Request) -> web.Response:
    session_of(request).smtp_presets.clear()
    return web.Response(status=204)


@router.route(
    "GET",
    "/api/v1/smtp/presets/{id}",
    summary="One SMTP preset",
    response=SmtpPresetOut,
    errors=[404],
)
async def get_smtp_preset(request: web.Request) -> web.Response:
    session, stored = _preset(request)
    return json_response(mail_views.smtp_preset(stored, session.name))


@router.route(
    "DELETE", "/api/v1/smtp/presets/{id}", summary="Drop one SMTP preset", errors=[404], status=204
)
async def delete_smtp_preset(request: web.Request) -> web.Response:
    session, stored = _preset(request)
    session.smtp_presets.remove(stored.id)
    return web.Response(status=204)


def _preset(request: web.Request) -> tuple[Session, StoredSmtpPreset]:
    wanted = request.match_info["id"]
    if wanted.isascii() and wanted.isdigit():
        for session in runtime_of(request).store.sessions.values():
            if (stored := session.smtp_presets.get(int(wanted))) is not None:
                return session, stored
    raise NotFoundError(f"no SMTP preset {wanted} (unknown, deleted or used up)")
