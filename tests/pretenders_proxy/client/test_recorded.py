"""A recorded request read from the API's JSON: its body decoded, its headers by name."""

from pretenders_proxy.client.recorded import RecordedRequest
from tests.pretenders_proxy.client.test_v1 import ENTRY


def test_a_recorded_request_reads_its_body_and_headers() -> None:
    item = dict(ENTRY, body_base64="eyJhIjogMX0=", headers=[["Content-Type", "application/json"]])
    seen = RecordedRequest.from_json(item)
    assert (seen.text, seen.json(), seen.header("content-type")) == (
        '{"a": 1}',
        {"a": 1},
        "application/json",
    )
    assert seen.header("x-none") is None and seen.raw is item and seen.stale is None
