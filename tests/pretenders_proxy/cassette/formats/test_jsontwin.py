"""The JSON twin of a cassette: lossless both ways, and readable when written by hand."""

import io
import json

import pytest

from pretenders_proxy.cassette.formats import jsontwin
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Request, Response
from tests.pretenders_proxy.samples import exchanges


def test_every_field_comes_back_even_bytes_that_are_not_utf8() -> None:
    stream = io.StringIO()
    jsontwin.write(stream, exchanges())
    document = json.loads(stream.getvalue())
    assert list(jsontwin.read(document)) == exchanges()
    upload = document["exchanges"][1]["request"]
    assert upload["url"] == "https://files.example.test:8443/upload"
    assert upload["body"] == {"base64": "AAFiaW5hcnn/"}


def test_a_hand_written_exchange_may_leave_out_what_has_a_default() -> None:
    item = {"request": {"method": "GET", "scheme": "http", "host": "a.test", "port": 80,
                        "path": "/x"}, "response": {"status": 204}}  # fmt: skip
    (exchange,) = jsontwin.read({"format": jsontwin.FORMAT, "version": 1, "exchanges": [item]})
    assert exchange.request == Request("GET", b"/x", scheme="http", host="a.test", port=80)
    assert exchange.response == Response(204)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"format": "other"}, "not a pretenders JSON cassette"),
        ({"format": jsontwin.FORMAT, "version": 2}, "JSON cassette version 2 is not 1"),
        ({"format": jsontwin.FORMAT, "version": 1}, "exchanges is missing or not a list"),
    ],
)
def test_other_documents_are_refused(document: object, problem: str) -> None:
    with pytest.raises(CassetteError, match=problem):
        list(jsontwin.read(document))
