"""WireMock mappings both ways: one stub per exchange with its body in __files/."""

from pathlib import Path

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats import wiremock
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.samples import JSON, exchanges, streams

BASE = ("https", "api.example.test", 443)


def test_a_mapping_matches_method_and_url_and_keeps_the_body_in_a_file() -> None:
    stub, body = wiremock.mapping(exchanges()[0], 0, Losses())
    assert stub["request"] == {"method": "GET", "url": "/users/42?page=2&q=x"}
    assert stub["response"]["bodyFileName"] == "body-000001.json"
    assert body == ("body-000001.json", JSON)
    mappings = iter([("m.json", stub)])
    (back,) = wiremock.read(mappings, {"body-000001.json": JSON}.__getitem__, BASE, Losses())
    assert back.request.url == exchanges()[0].request.url
    assert back.response.body == JSON


def test_mappings_that_match_urls_by_pattern_are_skipped_and_said() -> None:
    stubs = [
        ("a.json", {"request": {"urlPattern": "/x.*"}, "response": {"status": 200}}),
        (
            "c.json",
            {
                "request": {"url": "/z", "method": "PUT"},
                "response": {"status": 201, "body": "made"},
            },
        ),
    ]
    losses = Losses()
    (kept,) = wiremock.read(iter(stubs), {}.__getitem__, BASE, losses)
    assert (kept.request.method, kept.request.path, kept.response.body) == ("PUT", b"/z", b"made")
    assert losses.lines() == [
        "dropped: mappings that match URLs by pattern (not one recorded request) (1 exchange)",
    ]


def test_a_wiremock_body_file_that_is_missing_is_named(tmp_path: Path) -> None:
    root = tmp_path / "wiremock"
    conversion.write(root, Format.WIREMOCK, exchanges()[:1], Losses())
    (body,) = (root / "__files").iterdir()
    body.unlink()
    with pytest.raises(CassetteError, match=rf"{body}: No such file"):
        list(conversion.read(root, Format.WIREMOCK, Losses(), "http://base.example.test"))


def test_a_streamed_response_is_dribbled_over_the_same_time_and_read_back_evenly() -> None:
    sse, _ = streams()
    stub, _ = wiremock.mapping(sse, 0, Losses())
    delay = stub["response"]["chunkedDribbleDelay"]
    assert delay == {"numberOfChunks": 3, "totalDuration": 1250}
    assert wiremock.dribble(sse.response.body, delay) == ((0.0, 11), (0.625, 11), (1.25, 13))
    assert "chunkedDribbleDelay" not in wiremock.mapping(exchanges()[0], 0, Losses())[0]["response"]


@pytest.mark.parametrize(
    ("body", "delay", "timing"),
    [
        (b"abc", {"numberOfChunks": 5, "totalDuration": 100}, ((0.0, 1), (0.05, 1), (0.1, 1))),
        (b"abc", {"numberOfChunks": 1, "totalDuration": 100}, ((0.0, 3),)),
        (b"abc", {"numberOfChunks": 0, "totalDuration": 100}, ((0.0, 3),)),
        (b"", {"numberOfChunks": 2, "totalDuration": 100}, ()),
        (b"abc", {"numberOfChunks": "2", "totalDuration": 100}, ()),
        (b"abc", {"numberOfChunks": 2}, ()),
        (b"abc", [], ()),
    ],
)
def test_dribbles_of_any_shape_give_timing_that_fits_the_body(
    body: bytes, delay: object, timing: tuple[tuple[float, int], ...]
) -> None:
    assert wiremock.dribble(body, delay) == timing
