"""Reading a cassette as a person does: readable bodies, statistics, differences."""

from dataclasses import replace

from pretenders_proxy.cassette.review import MAX_SHOWN, Stats, diff, hexdump, readable
from tests.pretenders_proxy.factories import exchange, request
from tests.pretenders_proxy.samples import exchanges


def test_json_is_pretty_printed_and_binary_hexdumped() -> None:
    assert readable(b'{"a": [1]}', ((b"Content-Type", b"application/json"),)) == [
        "{",
        '  "a": [',
        "    1",
        "  ]",
        "}",
    ]
    assert readable(b"\x00\x01AB", ()) == hexdump(b"\x00\x01AB")
    assert hexdump(b"\x00\x01AB") == ["00000000  " + "00 01 41 42".ljust(47) + "  ..AB"]
    assert readable(b"", ()) == []


def test_a_body_over_the_limit_is_cut_and_says_how_much_is_left() -> None:
    shown = readable(b"x" * (MAX_SHOWN + 10), ())
    assert shown[-1] == "... (10 more bytes)"


def test_a_compressed_body_says_both_sizes() -> None:
    news = exchanges()[2].response
    shown = readable(news.body, news.headers)
    assert shown == [f"({len(news.body)} bytes as recorded, 12 decoded)", "héllo news"]


def test_stats_count_and_spot_duplicates() -> None:
    stats = Stats()
    for each in [exchange(), exchange(), exchange(request("POST", body=b"abc"), status=201)]:
        stats.add(each)
    assert (stats.exchanges, stats.duplicates, stats.request_bytes) == (3, 1, 3)
    assert stats.methods == {"GET": 2, "POST": 1} and stats.statuses == {200: 2, 201: 1}
    assert stats.lines()[:3] == [
        "exchanges: 3",
        "request bodies: 3 B, response bodies: 6 B",
        "duplicates (same method, URL and body as an earlier one): 1",
    ]


def test_diff_names_each_change_and_what_only_one_side_has() -> None:
    first = exchange()
    changed = replace(first, response=replace(first.response, status=404, body=b"gone"))
    lines = list(diff([first, first], [changed]))
    assert lines[:3] == [
        "#0 GET https://api.example.test/items",
        "  status: 200 OK -> 404 OK",
        "  response body: 2 B -> 4 B",
    ]
    assert lines[-1] == "#1 only in A: GET https://api.example.test/items"
    assert list(diff([first], [first])) == []
