"""`/api/v1/mode`: a session's mode (mock, record, replay) and cassettes, switched at run time."""

from aiohttp import web

from pretenders_proxy.api import cassette_views
from pretenders_proxy.api.cassette_schemas import ModeIn, ModeOut
from pretenders_proxy.api.router import Router, json_response, read_model, runtime_of
from pretenders_proxy.api.v1 import SESSION
from pretenders_proxy.cassette.files import confine
from pretenders_proxy.errors import BadRequestError
from pretenders_proxy.matching.modes import ModeConfig, RecordMode
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION

router = Router("modes")
RECORDABLE = ".cassette"


@router.route(
    "GET",
    "/api/v1/mode",
    summary="A session's mode, cassettes and replay settings",
    response=ModeOut,
    query=[SESSION],
    errors=[404],
)
async def get_mode(request: web.Request) -> web.Response:
    name = request.query.get("session") or DEFAULT_SESSION
    runtime = runtime_of(request)
    session = runtime.store.get(name)
    speed = runtime.settings.replay_speed
    return json_response(cassette_views.mode(session, runtime.cassettes.problems, speed))


@router.route(
    "PUT",
    "/api/v1/mode",
    summary="Switch a session's mode and cassettes now (fields left out keep their value)",
    body=ModeIn,
    response=ModeOut,
    query=[SESSION],
    errors=[400, 429],
)
async def put_mode(request: web.Request) -> web.Response:
    body = await read_model(request, ModeIn)
    runtime = runtime_of(request)
    if body.cassettes is not None:  # the API may only reach the cassette directories
        roots = runtime.settings.cassette_dirs
        body.cassettes = [confine(path, roots) for path in body.cassettes]
    vcr = body.record_cassette()
    store, files = runtime.store, runtime.cassettes
    name = request.query.get("session") or DEFAULT_SESSION
    session = await runtime.state.open(name, SessionProtocol.HTTP)
    current = session.playback.config
    if vcr is None:
        config = body.to_config(current)
        check_recording(config, current)
        files.switch(store, session, config)
    else:  # planned here, on the server's disk: the client may run on another machine
        cassette, record_mode = vcr
        planned = files.plan(cassette, record_mode)
        config = body.to_config(current, planned)  # checked before files change
        if record_mode is RecordMode.NONE and config.rerecords:
            raise BadRequestError(
                f"{cassette}: record mode none never records, so on_stale record cannot record "
                "stale exchanges again: use record mode once or new_episodes, or on_stale warn "
                "or fail"
            )
        check_recording(config, current)
        files.prepare(cassette, planned)
        files.switch(store, session, config)
    await runtime.state.set_mode(session, config)
    speed = runtime.settings.replay_speed
    return json_response(cassette_views.mode(session, files.problems, speed))


def check_recording(config: ModeConfig, current: ModeConfig) -> None:
    """The control API records only to files named *.cassette: recording appends to a file (and
    record_mode all removes it first), and a web page driving the API must not be able to make
    or remove `conftest.py` (issue 15). A recording the command line started goes on."""
    path = config.recording
    if path is None or path == current.recording or path.endswith(RECORDABLE):
        return
    raise BadRequestError(
        f"cannot record to {path}: the control API records only to files named "
        f"*{RECORDABLE} (the command line may name any file)"
    )
