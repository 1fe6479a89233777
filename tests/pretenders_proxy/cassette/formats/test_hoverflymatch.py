"""Hoverfly simulations as Hoverfly and hoverfly-java write them: every schema from v1, matcher
names in any case, body files, empty schemes, pairs for any host or method."""

import json
from pathlib import Path
from typing import Any

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats import hoverfly
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.cassette.formats.wiremockmatch import ANY_METHODS
from pretenders_proxy.errors import CassetteError


def exact(text: str, kind: str = "exact") -> list[dict[str, str]]:
    return [{"matcher": kind, "value": text}]


def simulation(
    request: dict[str, Any], response: dict[str, Any] | None = None, schema: str = "v5"
) -> dict[str, Any]:
    answer = response or {"status": 200, "body": "ok", "encodedBody": False, "headers": {}}
    return {
        "data": {"pairs": [{"request": request, "response": answer}]},
        "meta": {"schemaVersion": schema},
    }


V5 = {
    "scheme": exact("https"),
    "method": exact("GET"),
    "destination": exact("a.test"),
    "path": exact("/p"),
    "query": {"key": exact("v 1")},
}


def read(document: dict[str, Any], **kwargs: Any) -> tuple[list[Any], Losses]:
    losses = Losses()
    return list(hoverfly.read(document, losses, **kwargs)), losses


@pytest.mark.parametrize("name", ["exact", "Exact", "EXACT", "exaCt", ""])
def test_matcher_names_are_read_in_any_case(name: str) -> None:
    request = V5 | {"path": exact("/p", name)}
    (back,), losses = read(simulation(request))
    assert back.request.url == "https://a.test/p?key=v%201"
    assert losses.lines() == []


def test_a_glob_without_a_star_is_its_text_and_one_beside_an_exact_value_is_kept_out() -> None:
    request = V5 | {
        "destination": [*exact("a.test"), {"matcher": "glob", "value": "*.test"}],
        "path": exact("/p", "glob"),
    }
    (back,), losses = read(simulation(request))
    assert (back.request.host, back.request.path) == ("a.test", b"/p")
    assert losses.lines() == []


V1 = {
    "requestType": "recording",
    "destination": "a.test",
    "method": "POST",
    "scheme": "http",
    "path": "/b",
    "query": "q=a%20b",
    "body": "x=1",
    "headers": {"Accept": ["text/plain"]},
}
V2 = {
    "destination": {"exactMatch": "a.test"},
    "method": {"exactMatch": "POST"},
    "scheme": {"exactMatch": "http"},
    "path": {"exactMatch": "/b"},
    "query": {"exactMatch": "q=a%20b"},
    "body": {"exactMatch": "x=1"},
    "headers": {"Accept": ["text/plain"]},
}


@pytest.mark.parametrize(("schema", "wanted"), [("v1", V1), ("v2", V2), ("v3", V2), ("v4", V2)])
def test_older_schemas_are_upgraded_as_hoverfly_does(schema: str, wanted: dict[str, Any]) -> None:
    (back,), losses = read(simulation(wanted, schema=schema))
    assert back.request.method == "POST"
    assert back.request.url == "http://a.test/b?q=a%20b"
    assert back.request.body == b"x=1"
    assert back.request.headers == ((b"Accept", b"text/plain"),)
    assert losses.lines() == []


def test_a_v1_template_pair_reads_its_fields_as_globs() -> None:
    template = V1 | {"requestType": "template", "path": "/b/*"}
    found, losses = read(simulation(template, schema="v1"))
    assert found == []
    assert losses.lines() == [
        "dropped: pairs matching path by 'glob' (not one recorded request) (1 exchange)"
    ]


def test_a_file_without_meta_is_hoverfly_javas_oldest(tmp_path: Path) -> None:
    path = tmp_path / "legacy.json"
    answer = {"status": 201, "body": "", "headers": {}}
    path.write_text(json.dumps({"data": [{"request": V1 | {"query": None}, "response": answer}]}))
    (back,) = conversion.read(path, None, Losses())
    assert (back.request.url, back.response.status) == ("http://a.test/b", 201)


def test_a_body_file_is_read_beside_the_simulation(tmp_path: Path) -> None:
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "booking.json").write_text('{"bookingId": "1"}')
    answer = {"status": 200, "bodyFile": "responses/booking.json", "headers": {}}
    path = tmp_path / "sim.json"
    path.write_text(json.dumps(simulation(V5, answer)))
    (back,) = conversion.read(path, None, Losses())
    assert back.response.body == b'{"bookingId": "1"}'


@pytest.mark.parametrize(
    ("name", "problem"),
    [("gone.json", r"bodyFile 'gone.json': no such file"), ("../x", r"'../x' is outside")],
)
def test_a_body_file_missing_or_outside_is_refused(tmp_path: Path, name: str, problem: str) -> None:
    (tmp_path / "x").write_text("secret")
    folder = tmp_path / "sims"
    folder.mkdir()
    path = folder / "sim.json"
    path.write_text(json.dumps(simulation(V5, {"status": 200, "bodyFile": name})))
    with pytest.raises(CassetteError, match=problem):
        list(conversion.read(path, None, Losses()))


@pytest.mark.parametrize("scheme", [exact(""), None])
def test_an_empty_scheme_is_read_as_http_and_said(scheme: object) -> None:
    request = {k: v for k, v in V5.items() if k != "scheme"}
    if scheme is not None:
        request["scheme"] = scheme
    (back,), losses = read(simulation(request))
    assert back.request.url.startswith("http://a.test/")
    assert losses.lines() == [
        "dropped: pairs with no scheme or an empty one (imported as http; https on port 443)"
        " (1 exchange)"
    ]


def test_pairs_for_any_host_need_a_base_url() -> None:
    request = {"path": exact("/a"), "method": exact("GET")}
    found, losses = read(simulation(request))
    assert found == []
    assert "give --base-url" in losses.lines()[0]
    (back,), losses = read(simulation(request), base=("http", "h.test", 8080))
    assert back.request.url == "http://h.test:8080/a"


def test_a_pair_for_any_method_answers_every_method() -> None:
    request = {k: v for k, v in V5.items() if k != "method"}
    found, _ = read(simulation(request))
    assert tuple(e.request.method for e in found) == ANY_METHODS


def test_templates_delays_and_states_are_said() -> None:
    answer = {
        "status": 200,
        "body": "{{ Request.Path.[0] }}",
        "templated": True,
        "fixedDelay": 3000,
        "transitionsState": {"k": "v"},
    }
    _, losses = read(simulation(V5, answer))
    assert losses.lines() == [
        "dropped: response delays (fixedDelay, logNormalDelay) (1 exchange)",
        "dropped: response templates ({{...}} replayed literally, not rendered) (1 exchange)",
        "dropped: states (requiresState, transitionsState; same requests answered in order)"
        " (1 exchange)",
    ]


def test_a_json_body_matcher_is_compared_as_json() -> None:
    request = V5 | {"method": exact("POST"), "body": exact('{"a": 1}', "json")}
    (back,), _ = read(simulation(request))
    assert back.request.body == b'{"a": 1}'
    assert (b"Content-Type", b"application/json") in back.request.headers


def test_an_unknown_schema_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "sim.json"
    path.write_text(json.dumps(simulation(V5, schema="v9")))
    with pytest.raises(CassetteError, match="Hoverfly schema 'v9' is not one of v1 to v5"):
        list(conversion.read(path, Format.HOVERFLY, Losses()))
