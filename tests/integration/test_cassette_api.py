"""GET /api/v1/cassettes and the paged listing of one cassette's exchanges, over real HTTP."""

import json
from pathlib import Path

import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.upstream import Upstream
from tests.pretenders_proxy.factories import exchange, many, request

EXCHANGES = "/api/v1/cassettes/exchanges"


def switch(control: str, session: str, **body: object) -> None:
    answer = requests.put(f"{control}/api/v1/mode", params={"session": session}, json=body)
    assert answer.status_code == 200, answer.text


def test_a_replayed_cassette_is_listed_page_by_page(
    control: str, session: str, tmp_path: Path
) -> None:
    path = str(tmp_path / "api.cassette")
    writing.write(Path(path), [exchange(request(path=f"/{n}".encode())) for n in range(1, 121)])
    switch(control, session, mode="replay", cassettes=[path])
    listed = requests.get(f"{control}/api/v1/cassettes", params={"session": session}).json()
    assert [(c["path"], c["replaying"], c["recording"]) for c in listed] == [(path, True, False)]
    url, positions, totals = control + listed[0]["exchanges_url"], [], set()
    while url:
        page = requests.get(url, timeout=10).json()
        assert len(page["exchanges"]) <= page["limit"] == 50
        positions += [x["position"] for x in page["exchanges"]]
        totals.add(page["total"])
        url = page["next"] and control + page["next"]
    assert positions == list(range(1, 121)) and totals == {120}
    last = page["exchanges"][-1]
    assert (last["method"], last["url"]) == ("GET", "https://api.example.test/120")
    assert (last["response_body"], last["response_size"]) == ("ok", 2)


def test_the_cassette_being_recorded_lists_what_arrived(
    control: str, session: str, proxy: str, tmp_path: Path, upstream: Upstream
) -> None:
    path = str(tmp_path / "recorded.cassette")
    switch(control, session, mode="record", cassettes=[path])
    requests.get(upstream.url + "/hello", proxies={"http": proxy}, timeout=10)
    requests.get(upstream.url + "/gzip", proxies={"http": proxy}, timeout=10)
    page = requests.get(
        control + EXCHANGES, params={"session": session, "cassette": path}, timeout=10
    ).json()
    hello, zipped = page["exchanges"]
    assert page["total"] == 2 and page["next"] is None
    assert (hello["url"], hello["response_body"]) == (upstream.url + "/hello", "hello, world\n")
    assert zipped["response_encoding"] == "gzip"  # stored encoded, shown decoded
    assert json.loads(zipped["response_body"])["compressed"] is True


def test_a_100000_exchange_cassette_answers_one_page(
    control: str, session: str, tmp_path: Path
) -> None:
    path = str(many(tmp_path / "big.cassette", 100_000))
    switch(control, session, mode="record", cassettes=[path])
    params = {"session": session, "cassette": path, "offset": "99990", "limit": "500"}
    page = requests.get(control + EXCHANGES, params=params, timeout=30).json()
    assert page["total"] == 100_000 and len(page["exchanges"]) == 10
    params |= {"offset": "0"}
    first = requests.get(control + EXCHANGES, params=params, timeout=30).json()
    assert len(first["exchanges"]) == 500 and first["next"].endswith("offset=500&limit=500")


def test_a_cut_cassette_is_listed_as_truncated_and_a_damaged_one_is_named(
    control: str, session: str, tmp_path: Path
) -> None:
    path = tmp_path / "cut.cassette"
    writing.write(path, [exchange(request(path=f"/{n}".encode())) for n in range(1, 4)])
    switch(control, session, mode="replay", cassettes=[str(path)])
    params = {"session": session, "cassette": str(path)}
    whole = path.read_bytes()
    path.write_bytes(whole[:-4])  # as a killed recorder leaves it
    page = requests.get(control + EXCHANGES, params=params, timeout=10).json()
    assert (page["total"], page["truncated"], len(page["exchanges"])) == (2, True, 2)
    path.write_bytes(whole + writing.pack({"request": "not a map"}))
    answer = requests.get(control + EXCHANGES, params=params, timeout=10)
    assert answer.status_code == 400
    assert f"{path} is damaged (byte {len(whole)}: " in answer.json()["error"]


@pytest.mark.parametrize(
    ("params", "status", "problem"),
    [
        ({"limit": "501"}, 400, "limit=501 is out of range; give 1 to 500"),
        ({"limit": "0"}, 400, "limit=0 is out of range"),
        ({"offset": "-1"}, 400, "offset='-1' is not a whole number"),
        ({"cassette": ""}, 400, "query parameter cassette is missing"),
        ({"cassette": "/etc/passwd"}, 404, "has no cassette '/etc/passwd'; its cassettes: '"),
        ({"page": "2"}, 400, "unknown query parameter page"),
    ],
)
def test_bad_listing_requests_get_a_4xx_naming_the_problem(
    control: str, session: str, tmp_path: Path, params: dict[str, str], status: int, problem: str
) -> None:
    path = str(tmp_path / "a.cassette")
    writing.write(Path(path), [exchange()])
    switch(control, session, mode="replay", cassettes=[path])
    answer = requests.get(
        control + EXCHANGES, params={"session": session, "cassette": path} | params, timeout=10
    )
    assert answer.status_code == status and problem in answer.json()["error"]


def test_a_session_without_cassettes_lists_none_and_an_unknown_one_is_404(
    control: str, session: str
) -> None:
    assert requests.get(f"{control}/api/v1/cassettes", params={"session": session}).json() == []
    missing = requests.get(f"{control}/api/v1/cassettes", params={"session": "no-such-session"})
    assert missing.status_code == 404 and "no-such-session" in missing.json()["error"]


def test_the_cassette_routes_are_in_the_openapi_document(server: RunningServer) -> None:
    paths = requests.get(f"{server.control}/api/v1/openapi.json", timeout=10).json()["paths"]
    listing = paths[EXCHANGES]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"session", "cassette", "offset", "limit"}
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/CassettePageOut"}
    assert "/api/v1/cassettes" in paths
