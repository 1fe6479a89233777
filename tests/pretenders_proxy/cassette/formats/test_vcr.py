"""VCR.py cassettes: interactions as VCR.py writes and reads them."""

import io

from pretenders_proxy.cassette.formats import vcr
from pretenders_proxy.cassette.formats.common import Losses
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
