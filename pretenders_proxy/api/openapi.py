"""The OpenAPI 3.1 document, generated from the routes and their pydantic models."""

import re
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from pretenders_proxy._version import __version__
from pretenders_proxy.api.router import Route
from pretenders_proxy.api.schemas import Problem

REF = "#/components/schemas/{model}"
ANY_METHOD = ("get", "post", "put", "patch", "delete")
_PATH_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def document(routes: list[Route]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = _PATH_PARAM.sub(r"{\1}", route.path)
        operation = _operation(route, path, schemas)
        methods = ANY_METHOD if route.method == "*" else (route.method.lower(),)
        name = f"{route.handler.__module__.rsplit('.', 1)[-1]}_{route.handler.__name__}"
        for method in methods:
            suffix = f"_{method}" if route.method == "*" else ""
            paths.setdefault(path, {})[method] = dict(operation, operationId=name + suffix)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pretenders control API",
            "version": __version__,
            "description": "Presets, history, sessions and the pretenders 1.4 protocol. "
            "Every /api/v1/... path is also served as /api/...",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _operation(route: Route, path: str, schemas: dict[str, Any]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(path)
    ]
    parameters += [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description,
            "schema": {"type": p.type},
        }
        for p in route.query
    ]
    ok: dict[str, Any] = {"description": "OK"}
    if route.response is not None and route.status != 204:
        ok["content"] = {"application/json": {"schema": _schema(route.response, schemas)}}
    if route.headers:
        ok["headers"] = {
            h.name: {"description": h.description, "schema": {"type": h.type}}
            for h in route.headers
        }
    responses: dict[str, Any] = {str(route.status): ok}
    for status in sorted({*route.errors, *_generic_errors(route, path)}):
        problem = (
            {"text/plain": {"schema": {"type": "string"}}}
            if route.plain_errors
            else {"application/json": {"schema": _schema(Problem, schemas)}}
        )
        responses[str(status)] = {"description": "What is wrong, in a sentence", "content": problem}
    operation: dict[str, Any] = {
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if route.body is not None:
        body = _schema(route.body, schemas, mode="validation")
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def _generic_errors(route: Route, path: str) -> set[int]:
    """What any route of its kind may answer: 401 (a token is set), 400 for a body or query
    that cannot be used, 413 for a body over the limit, 404 for an unknown name or session."""
    errors = {401}
    if route.body is not None or route.query:
        errors.add(400)
    if route.body is not None:
        errors.add(413)
    if _PATH_PARAM.search(path) or any(p.name == "session" for p in route.query):
        errors.add(404)
    return errors


def _schema(
    annotation: Any,
    schemas: dict[str, Any],
    mode: Literal["validation", "serialization"] = "serialization",
) -> dict[str, Any]:
    """A schema for `annotation`, with every model moved into components and referenced."""
    schema = TypeAdapter(annotation).json_schema(ref_template=REF, mode=mode, by_alias=True)
    schemas.update(schema.pop("$defs", {}))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        schemas[annotation.__name__] = schema
        return {"$ref": REF.format(model=annotation.__name__)}
    return schema
