"""VCR.py cassettes: interactions as VCR.py writes and reads them."""

import io

import pytest

from pretenders_proxy.cassette.formats import vcr
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Response
from tests.pretenders_proxy.samples import exchanges


def test_an_interaction_holds_the_request_and_the_response_as_vcr_keeps_them() -> None:
    losses = Losses()
    written = vcr.interaction(exchanges()[0], losses)
    assert written["request"] == {
        "body": None,
        "headers": {"Host": ["api.example.test"]},
        "method": "GET",
        "uri": "https://api.example.test/users/42?page=2&q=x",
    }
    assert written["response"]["status"] == {"code": 200, "message": "OK"}
    assert written["response"]["headers"]["Set-Cookie"] == ["a=1", "b=2"]
    assert "dropped: header order across names (VCR.py groups headers by name)" in " ".join(
        losses.lines()
    )


def test_written_cassettes_read_back() -> None:
    stream = io.StringIO()
    vcr.write(stream, exchanges()[:1], Losses())
    (back,) = vcr.read(stream.getvalue(), Losses())
    assert back.request.url == exchanges()[0].request.url
    assert back.response.body == exchanges()[0].response.body


SAVED_DECODED = """\
interactions:
- request:
    body: null
    headers: {}
    method: GET
    uri: http://a.test/
  response:
    body:
      string: hello
    headers:
      Content-Encoding:
      - gzip
    status:
      code: 200
      message: OK
version: 1
"""


def test_a_body_vcr_saved_decoded_loses_its_content_encoding() -> None:
    losses = Losses()
    (back,) = vcr.read(SAVED_DECODED, losses)
    assert back.request.url == "http://a.test/"
    assert back.response == Response(200, (), b"hello", "OK")
    assert losses.lines() == [
        "dropped: response Content-Encoding (VCR.py saved the body decoded) (1 exchange)"
    ]


def laughs(levels: int) -> str:
    """`levels` of nine aliases each, under one header (9**levels strings expanded)."""
    lines = ["a: &a [" + ",".join(["lol"] * 9) + "]"]
    for level in range(1, levels):
        name, previous = "abcdefghij"[level], "abcdefghij"[level - 1]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_few_aliases_are_read_as_vcr_py_may_write_them() -> None:
    assert vcr.load("x: &id001 [1, 2]\ny: *id001\n") == {"x": [1, 2], "y": [1, 2]}
    assert vcr.load(laughs(4))["d"][0][0][0] == ["lol"] * 9  # 9**4 = 6,561 strings


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    # issue 15: 509 bytes ran 81 s to 3.6 GB
    with pytest.raises(
        CassetteError,
        match="YAML aliases expand its 28 nodes to 490,329,064, more than 100,000 beyond",
    ):
        vcr.load(laughs(9))


def test_an_alias_of_its_own_node_is_refused() -> None:
    with pytest.raises(CassetteError, match="a YAML alias refers to the node it is in"):
        vcr.load("a: &a [1, *a]\n")


def test_header_values_must_be_text() -> None:
    text = (
        "interactions:\n- request: {uri: 'http://x.test/', method: GET, headers: {X: [[1]]}}\n"
        "  response: {status: {code: 200}}\n"
    )
    with pytest.raises(CassetteError, match=r"interactions\[0\].request.headers\['X'\] is a list"):
        list(vcr.read(text, Losses()))
