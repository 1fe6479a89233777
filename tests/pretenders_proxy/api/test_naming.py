"""Handlers made by a function keep the OpenAPI operationIds of the ones written out before."""

from aiohttp import web

from pretenders_proxy.api.app import routes
from pretenders_proxy.api.naming import named
from pretenders_proxy.api.openapi import document


def test_named_gives_a_made_handler_its_module_and_name() -> None:
    async def made(request: web.Request) -> web.Response:
        return web.Response()

    handler = named("pretenders_proxy.api.v1", "list_presets")(made)
    assert handler is made
    assert (made.__module__, made.__name__, made.__qualname__) == (
        "pretenders_proxy.api.v1",
        "list_presets",
        "list_presets",
    )


def test_the_made_routes_keep_their_operation_ids() -> None:
    paths = document(routes())["paths"]
    ids = {
        f"{method.upper()} {path}": operation["operationId"]
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert {name: ids[name] for name in ids if "presets" in name or "/http" in name} == {
        "GET /api/v1/presets": "v1_list_presets",
        "POST /api/v1/presets": "v1_add_preset",
        "DELETE /api/v1/presets": "v1_clear_presets",
        "GET /api/v1/presets/{id}": "v1_get_preset",
        "DELETE /api/v1/presets/{id}": "v1_delete_preset",
        "GET /api/v1/smtp/presets": "smtp_presets_list_smtp_presets",
        "POST /api/v1/smtp/presets": "smtp_presets_add_smtp_preset",
        "DELETE /api/v1/smtp/presets": "smtp_presets_clear_smtp_presets",
        "GET /api/v1/smtp/presets/{id}": "smtp_presets_get_smtp_preset",
        "DELETE /api/v1/smtp/presets/{id}": "smtp_presets_delete_smtp_preset",
        "POST /http": "compat_create_mock",
        "GET /http": "compat_list_mocks",
        "DELETE /http": "compat_delete_mocks",
        "GET /http/{id}": "compat_get_mock",
        "DELETE /http/{id}": "compat_delete_mock",
    }
    smtp = {name: ids[name] for name in ids if name.split()[1].startswith("/smtp")}
    assert smtp == {
        "POST /smtp": "compat_create_smtp_mock",
        "GET /smtp": "compat_list_smtp_mocks",
        "DELETE /smtp": "compat_delete_smtp_mocks",
        "GET /smtp/{id}": "compat_get_smtp_mock",
        "DELETE /smtp/{id}": "compat_delete_smtp_mock",
    }
