"""The control API over real HTTP: bad input gets a 4xx naming the problem, never a 500."""

import socket
import uuid
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.paging import every


def post(control: str, path: str, data: bytes | str | None = None, **kw: Any) -> requests.Response:
    return requests.post(f"{control}{path}", data=data, timeout=10, **kw)


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (
            "/api/v1/presets",
            '{"rule": "GET /x("}',
            400,
            "invalid regex in rule 'GET /x(': missing ), unterminated subpattern at position 6",
        ),
        ("/api/v1/presets", '{"rule": {"rule": "x", "body": "*"}}', 400, "invalid regex in body"),
        ("/api/v1/presets", "not json", 400, "request body is not valid JSON"),
        ("/api/v1/presets", "", 400, "request body is empty"),
        ("/api/v1/presets", '{"status": "ok"}', 400, "status: Input should be a valid integer"),
        ("/api/v1/presets", '{"headers": {"X-A": "\\u20ac"}}', 400, "is not latin-1 text"),
        ("/api/v1/presets", '{"headers": {"X-A": "a\\r\\nX-B: b"}}', 400, "control characters"),
        ("/api/v1/presets", '{"headers": [["X A", "b"]]}', 400, "'X A' is not an HTTP token"),
        ("/api/v1/presets", '{"rule": {"headers": []}}', 400, "rule.RuleIn.headers"),
        ("/api/v1/presets", '{"times": 0}', 400, "Preset has 0 times"),
        ("/api/v1/presets", '{"bogus": 1}', 400, "bogus: Extra inputs are not permitted"),
        ("/api/v1/presets", "[1, 2]", 400, "invalid request body"),
        ("/api/v1/sessions", '{"timeout": "soon"}', 400, "timeout"),
        ("/http", '{"name": "a/b"}', 400, "name"),
        ("/http", '{"pretender_timeout": -5}', 400, "pretender_timeout"),
        ("/preset/no-such-mock", '{"rule": "GET /"}', 404, "no mock named 'no-such-mock'"),
        ("/preset/default", '{"times": -1}', 400, "Preset has -1 times"),
        ("/preset/default", "{", 400, "request body is not valid JSON"),
    ],
)
def test_bad_input_is_a_4xx_that_names_the_problem(
    control: str, path: str, body: str, status: int, message: str
) -> None:
    answer = post(control, path, body)
    assert answer.status_code == status
    assert message in answer.text
    assert requests.get(f"{control}/health", timeout=10).json()["status"] == "ok"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/http/nope", 404),
        ("DELETE", "/http/nope", 404),
        ("GET", "/history/nope/0", 404),
        ("GET", "/history/default/abc", 404),
        ("GET", "/history/default/-1", 404),
        ("GET", "/api/v1/presets/999999", 404),
        ("DELETE", "/api/v1/presets/abc", 404),
        ("DELETE", "/api/v1/mail/\u00b9", 404),
        ("GET", "/history/default/\u00b2", 404),
        ("GET", "/api/v1/requests/\u00b3", 404),
        ("GET", "/api/v1/presets?session=nope", 404),
        ("GET", "/api/v1/requests/999999", 404),
        ("GET", "/api/v1/requests?source=elsewhere", 400),
        ("GET", "/api/v1/requests?path=(", 400),
        ("GET", "/api/v1/requests?wait=0&count=10617394364086208512", 400),
        ("GET", "/api/v1/mail?wait=0&count=10617394364086208512", 400),
        ("GET", "/api/v1/mail?since=\u00b2", 400),
        ("GET", "/api/v1/sessions/nope", 404),
        ("DELETE", "/api/v1/sessions/nope", 404),
        ("GET", "/mockhttp/nope/x", 404),
    ],
)
def test_unknown_things_are_404_and_bad_queries_400(
    control: str, method: str, path: str, status: int
) -> None:
    assert requests.request(method, f"{control}{path}", timeout=10).status_code == status


def test_unknown_mock_lists_are_empty(control: str) -> None:
    assert requests.get(f"{control}/history/nope", timeout=10).json() == []
    assert requests.get(f"{control}/preset/nope", timeout=10).json() == []


def test_json_is_ascii_only(control: str) -> None:
    name = f"fréd-{uuid.uuid4().hex[:6]}"
    answer = post(control, "/http", f'{{"name": "{name}"}}'.encode())
    answer.content.decode("ascii")  # the 1.4 client decodes every body as ASCII
    assert answer.json() == {"path": f"/mockhttp/{name}", "id": name}


def test_sessions_v1(control: str) -> None:
    name = f"s-{uuid.uuid4().hex[:8]}"
    created = post(control, "/api/v1/sessions", None, json={"name": name, "timeout": 30})
    assert created.status_code == 201 and created.json()["timeout"] == 30
    assert name in [s["name"] for s in every(f"{control}/api/v1/sessions")]
    assert requests.delete(f"{control}/api/v1/sessions/{name}", timeout=10).status_code == 204
    assert requests.get(f"{control}/api/v1/sessions/{name}", timeout=10).status_code == 404


def test_presets_v1_lifecycle_and_the_unversioned_alias(control: str, session_name: str) -> None:
    params = {"session": session_name}
    made = post(control, "/api/presets", None, params=params, json={"rule": "GET /", "text": "x"})
    assert made.status_code == 201
    preset = made.json()
    assert (preset["session"], preset["text"], preset["remaining"]) == (
        session_name,
        "x",
        "FOREVER",
    )
    listed = requests.get(f"{control}/api/v1/presets", params=params, timeout=10).json()
    assert [p["id"] for p in listed] == [preset["id"]]
    assert requests.get(f"{control}/api/v1/presets/{preset['id']}", timeout=10).json() == preset
    assert (
        requests.delete(f"{control}/api/v1/presets/{preset['id']}", timeout=10).status_code == 204
    )
    assert requests.get(f"{control}/api/v1/presets", params=params, timeout=10).json() == []


def test_mock_traffic_faults(control: str) -> None:
    mock = post(control, "/http", "{}").json()["id"]
    post(control, f"/preset/{mock}", '{"rule": "GET /reset", "fault": "reset"}')
    post(control, f"/preset/{mock}", '{"rule": "GET /empty", "fault": "empty"}')
    for fault in ("reset", "empty"):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{control}/mockhttp/{mock}/{fault}", timeout=10)
    errors = [
        item["error"]
        for item in requests.get(
            f"{control}/api/v1/requests", params={"session": mock}, timeout=10
        ).json()
    ]
    assert errors == ["fault: reset", "fault: empty"]


def test_garbage_on_the_control_port_does_not_hurt_it(server: RunningServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as raw:
        raw.sendall(b"\x00\x01garbage\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.0 400 Bad Request")
    assert requests.get(f"{server.control}/health", timeout=10).status_code == 200


def test_openapi_document_is_valid_and_complete(control: str) -> None:
    spec = requests.get(f"{control}/api/v1/openapi.json", timeout=10).json()
    validate(spec)
    for path in (
        "/http",
        "/http/{id}",
        "/preset/{id}",
        "/history/{id}/{n}",
        "/mockhttp/{id}/{path}",
        "/api/v1/presets",
        "/api/v1/requests",
        "/health",
    ):
        assert path in spec["paths"], path
    add = spec["paths"]["/api/v1/presets"]["post"]
    assert add["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PresetIn"
    }
    assert "400" in add["responses"]
