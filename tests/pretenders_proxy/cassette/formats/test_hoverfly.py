"""Hoverfly v5 simulations: a pair per exchange, matched exactly; other pairs are skipped."""

import io
import json

import pytest

from pretenders_proxy.cassette.formats import hoverfly
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.samples import PNG, exchanges


def exact(value: str) -> list[dict[str, str]]:
    return [{"matcher": "exact", "value": value}]


def test_a_pair_matches_the_request_exactly_and_keeps_a_binary_body_as_base64() -> None:
    losses = Losses()
    written = hoverfly.pair(exchanges()[1], losses)
    assert written["request"]["destination"] == exact("files.example.test:8443")
    assert written["request"]["path"] == exact("/upload")
    assert written["response"]["encodedBody"] is True
    said = " | ".join(losses.lines())
    assert "request headers (Hoverfly matches without them)" in said
    assert "binary request bodies" in said


def test_written_simulations_read_back() -> None:
    stream = io.StringIO()
    hoverfly.write(stream, exchanges()[1:2], Losses())
    (back,) = hoverfly.read(json.loads(stream.getvalue()), Losses())
    assert back.request.url == "https://files.example.test:8443/upload"
    assert back.response.body == PNG


def test_pairs_that_match_more_than_one_request_are_skipped_and_said() -> None:
    pairs = [
        {"request": {"destination": exact("a.test"), "path": [{"matcher": "glob", "value": "*"}]},
         "response": {"status": 200}},
        {"request": {"destination": exact("a.test"), "path": exact("/"), "method": exact("GET"),
                     "query": {"q": exact("a b")}},
         "response": {"status": 204}},
    ]  # fmt: skip
    losses = Losses()
    document = {"data": {"pairs": pairs}, "meta": {"schemaVersion": "v5.2"}}
    (kept,) = hoverfly.read(document, losses)
    assert (kept.request.url, kept.response.status) == ("http://a.test/?q=a%20b", 204)
    assert losses.lines() == [
        "dropped: pairs matching path by 'glob' (not one recorded request) (1 exchange)",
        "dropped: pairs with no scheme or an empty one (imported as http; https on port 443)"
        " (1 exchange)",
    ]


def test_a_response_body_that_is_no_string_is_refused() -> None:
    pair = {
        "request": {"destination": exact("a.test"), "path": exact("/")},
        "response": {"status": 200, "body": 1},
    }
    document = {"data": {"pairs": [pair]}, "meta": {"schemaVersion": "v5"}}
    with pytest.raises(CassetteError, match=r"data.pairs\[0\].response.body is not a string"):
        list(hoverfly.read(document, Losses()))
