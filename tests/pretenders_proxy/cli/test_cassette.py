"""`pretenders cassette ...` as a user types it (typer's CliRunner): readable output, exit status
1 for differences and 2 with a one-line error for bad input, and repair that keeps every
complete exchange of a cut or garbage-tailed cassette."""

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.cassette.codec import FORMAT, VERSION, to_item
from pretenders_proxy.model.exchange import Exchange, Meta
from tests.pretenders_proxy.cli.conftest import run
from tests.pretenders_proxy.samples import exchanges, streams


def test_show_prints_one_line_per_exchange(cassette: Path) -> None:
    status, out, _ = run("show", str(cassette))
    assert status == 0
    assert out.splitlines() == [
        "    0  GET     https://api.example.test/users/42?page=2&q=x  200  application/json"
        "  0 B -> 45 B",
        "    1  POST    https://files.example.test:8443/upload  201  image/png  9 B -> 96 B"
        "  redacted: request header Authorization",
        "    2  GET     http://api.example.test/news  200  text/plain  0 B -> 32 B",
    ]


def test_show_full_decodes_and_pretty_prints_and_hexdumps(cassette: Path) -> None:
    _, json_body, _ = run("show", str(cassette), "--full", "0")
    assert '  "name": "Ada",' in json_body.splitlines()
    assert "Content-Type: application/json" in json_body
    _, binary, _ = run("show", str(cassette), "--full", "1")
    assert "00000000  89 50 4e 47 0d 0a 1a 0a 00 01 02 ff 89 50 4e 47  .PNG.........PNG" in binary
    _, gzipped, _ = run("show", str(cassette), "--full", "2")
    assert "héllo news" in gzipped and "(32 bytes as recorded, 12 decoded)" in gzipped
    status, _, error = run("show", str(cassette), "--full", "9")
    assert (status, error.strip()) == (
        2,
        f"pretenders: {cassette} has no exchange 9 (they are numbered from 0)",
    )


def test_stats_counts_hosts_methods_statuses_sizes_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "dup.cassette"
    writing.write(path, [*exchanges(), exchanges()[0]])
    status, out, _ = run("stats", str(path))
    assert status == 0
    assert "exchanges: 4" in out
    assert "duplicates (same method, URL and body as an earlier one): 1" in out
    assert "       3  api.example.test" in out
    assert "       3  200" in out and "       1  POST" in out
    assert "request bodies: 9 B, response bodies: 218 B" in out


def test_stats_show_the_age_range_and_the_undated(tmp_path: Path) -> None:
    path = tmp_path / "aged.cassette"
    first, second, third = exchanges()
    dated = [
        replace(first, meta=Meta(recorded_at="2025-01-02T00:00:00+00:00")),
        replace(second, meta=Meta(recorded_at="2024-06-30T12:00:00+00:00")),
        replace(third, meta=Meta(recorded_at="")),
        replace(third, meta=Meta(recorded_at="not a time")),
    ]
    writing.write(path, dated)
    status, out, _ = run("stats", str(path))
    assert status == 0
    [line] = [line for line in out.splitlines() if line.startswith("recorded: ")]
    assert line.startswith("recorded: oldest 2024-06-30T12:00:00+00:00 (")
    assert ", newest 2025-01-02T00:00:00+00:00 (" in line
    assert line.endswith(" days ago); 2 without recorded_at (never stale)")
    writing.write(path, [replace(first, meta=Meta())])
    assert "recorded: 1 without recorded_at (never stale)" in run("stats", str(path))[1]


def test_diff_says_what_changed_and_exits_1(cassette: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.cassette"
    first, *rest = exchanges()
    changed = Exchange(
        first.request,
        type(first.response)(404, first.response.headers, b'{"id": 42, "name": "Bob"}', "OK"),
    )
    writing.write(other, [changed, *rest[:1]])
    status, out, _ = run("diff", str(cassette), str(other))
    assert status == 1
    assert out.splitlines()[:2] == [
        "#0 GET https://api.example.test/users/42?page=2&q=x",
        "  status: 200 OK -> 404 OK",
    ]
    assert '    -  "name": "Ada",' in out and '    +  "name": "Bob"' in out
    assert "#2 only in A: GET http://api.example.test/news" in out
    assert run("diff", str(cassette), str(cassette))[0] == 0


def test_diff_sees_response_versions_trailers_and_redactions(
    cassette: Path, tmp_path: Path
) -> None:
    first, second, third = exchanges()
    response = replace(second.response, http_version="HTTP/1.1", trailers=((b"grpc-status", b"2"),))
    other = tmp_path / "other.cassette"
    writing.write(other, [first, replace(second, response=response, meta=Meta()), third])
    status, out, _ = run("diff", str(cassette), str(other))
    assert (status, out.splitlines()) == (
        1,
        [
            "#1 POST https://files.example.test:8443/upload",
            "  response version: HTTP/2.0 -> HTTP/1.1",
            "  redacted: request header Authorization -> -",
            "  response trailer - grpc-status: 0",
            "  response trailer + grpc-status: 2",
        ],
    )


def test_diff_reads_each_body_with_its_own_encoding(cassette: Path, tmp_path: Path) -> None:
    first, second, third = exchanges()
    plain = ((b"Content-Type", b"text/plain; charset=utf-8"),)
    other = tmp_path / "other.cassette"
    news = "héllo views\n".encode()
    writing.write(
        other,
        [first, second, replace(third, response=replace(third.response, headers=plain, body=news))],
    )
    _, out, _ = run("diff", str(other), str(cassette))  # B's body is gzipped, A's is not
    assert "    -héllo views" in out.splitlines() and "    +héllo news" in out.splitlines()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["show", "missing.cassette"], "missing.cassette: no such file"),
        (["export", "{cassette}", "out.txt"], "out.txt: cannot tell its format from the name"),
        (["export", "{cassette}", "out", "--format", "csv"], "--format 'csv' is not one of"),
        (["convert", "{cassette}", "out.json", "--from", "csv"], "--from 'csv' is not one of"),
        (["convert", "{cassette}", "out", "--to", "csv"], "--to 'csv' is not one of"),
        (["diff", "{cassette}", "missing.cassette"], "missing.cassette: no such file"),
        (["stats", "{garbage}"], "is not a pretenders cassette"),
        (["import", "{garbage}", "x.cassette", "--format", "har"], "is not JSON"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    args: list[str], problem: str, cassette: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.cassette"
    garbage.write_bytes(b"\xc1 not msgpack")
    monkeypatch.chdir(tmp_path)
    status, out, error = run(*[a.format(cassette=cassette, garbage=garbage) for a in args])
    assert status == 2
    assert problem in error
    assert len(error.strip().splitlines()) == 1 and error.startswith("pretenders: ")
    assert "Traceback" not in out + error


def test_convert_reports_what_the_target_drops(cassette: Path, tmp_path: Path) -> None:
    status, out, error = run("convert", str(cassette), str(tmp_path / "vcr.yaml"))
    assert status == 0
    assert out.strip() == f"{tmp_path / 'vcr.yaml'}: 3 exchanges written as vcr"
    assert "dropped: response trailers (1 exchange)" in error.splitlines()
    status, out, error = run("export", str(cassette), str(tmp_path / "twin.json"))
    assert (status, error) == (0, "")
    status, _, _ = run("import", str(tmp_path / "twin.json"), str(tmp_path / "back.cassette"))
    assert [s.exchange for s in reading.read(tmp_path / "back.cassette").exchanges] == exchanges()


def test_repair_of_a_sound_cassette_changes_nothing(cassette: Path) -> None:
    before = cassette.read_bytes()
    assert run("repair", str(cassette))[1].strip() == f"{cassette}: nothing to repair (3 exchanges)"
    assert cassette.read_bytes() == before


def _cassette_bytes(tmp_path: Path) -> tuple[bytes, int]:
    """A sound cassette's bytes and the offset of its last item."""
    path = tmp_path / "sound.cassette"
    writing.write(path, exchanges())
    return path.read_bytes(), reading.read(path).exchanges[-1].offset


def test_every_cut_of_the_last_item_keeps_the_others(tmp_path: Path) -> None:
    data, last = _cassette_bytes(tmp_path)
    for cut in range(last, len(data)):
        damaged = tmp_path / "cut.cassette"
        damaged.write_bytes(data[:cut])
        status, out, _ = run("repair", str(damaged))
        assert status == 0, out
        assert [s.exchange for s in reading.read(damaged).exchanges] == exchanges()[:-1]
        assert reading.read(damaged).truncated_at is None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data(), st.binary(min_size=1, max_size=64))
def test_repair_recovers_every_complete_exchange(
    tmp_path: Path, data: st.DataObject, garbage: bytes
) -> None:
    sound, last = _cassette_bytes(tmp_path)
    cut = data.draw(st.integers(last, len(sound)), label="cut")
    damaged = tmp_path / "damaged.cassette"
    damaged.write_bytes(sound[:cut] + garbage)
    status, out, _ = run("repair", str(damaged))
    assert status == 0, out
    kept = [s.exchange for s in reading.read(damaged).exchanges]
    before = exchanges()[:-1]
    assert kept[: len(before)] == before  # every exchange complete before the cut is kept
    # Garbage may complete the cut item: bytes filling the rest of a body make it whole again,
    # and repair rightly keeps what then reads as an item (the original one, or another).
    assert len(kept) - len(before) in (0, 1)
    if (sound[:cut] + garbage).startswith(sound):
        assert kept == exchanges()
    repaired = f"kept {len(kept)} complete exchanges" in out
    assert repaired or f"nothing to repair ({len(kept)} exchanges)" in out  # garbage fit exactly


def test_repair_writes_elsewhere_with_output_and_refuses_what_is_no_cassette(
    cassette: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.cassette"
    damaged.write_bytes(cassette.read_bytes() + b"\xc1garbage")
    mended = tmp_path / "mended.cassette"
    status, out, error = run("repair", str(damaged), "--output", str(mended))
    assert (status, out.strip()) == (0, f"{mended}: kept 3 complete exchanges")
    assert "dropped what followed them" in error and "not msgpack" in error
    assert [s.exchange for s in reading.read(mended).exchanges] == exchanges()
    assert damaged.read_bytes().endswith(b"\xc1garbage")  # the original is left as it was
    other = tmp_path / "notes.cassette"
    other.write_text("just text\n")
    status, _, error = run("repair", str(other))
    assert status == 2
    assert error.startswith(f"pretenders: {other} cannot be read (byte 0: not a pretenders")


# -- streams and WebSocket conversations in show, stats and diff; migrate ----------------------


@pytest.fixture
def streamed(tmp_path: Path) -> Path:
    path = tmp_path / "streams.cassette"
    writing.write(path, [*exchanges(), *streams()])
    return path


def test_show_and_stats_tell_streams_and_conversations(streamed: Path) -> None:
    status, out, _ = run("show", str(streamed))
    assert status == 0
    assert out.splitlines()[3].endswith("3 chunks over 1.250 s  cut: the client went away")
    assert out.splitlines()[4].endswith(
        "websocket: 2 sent, 2 received, closed by the client: 1000 bye"
    )
    _, out, _ = run("show", str(streamed), "--full", "4")
    assert "  +0.500 s  server  binary     3 B  00 01 ff" in out.splitlines()
    _, out, _ = run("stats", str(streamed))
    assert "streamed responses: 1 (3 chunks, longest 1.250 s)" in out.splitlines()
    assert "WebSocket conversations: 1 (2 messages sent, 2 received)" in out.splitlines()


def test_diff_tells_timing_from_content_and_can_ignore_timing(
    streamed: Path, tmp_path: Path
) -> None:
    sse, socket = streams()
    later = replace(sse, response=replace(sse.response, chunks=((0.0, 11), (0.5, 11), (2.0, 13))))
    other = tmp_path / "later.cassette"
    writing.write(other, [*exchanges(), later, socket])
    status, out, _ = run("diff", str(streamed), str(other))
    assert (status, out.splitlines()) == (
        1,
        [
            "#3 GET https://api.example.test/events",
            "  response timing: same bytes, 3 chunks of the same sizes, offsets moved by up to"
            " 0.750 s (1.250 s -> 2.000 s)",
        ],
    )
    status, out, error = run("diff", "--ignore-timing", str(streamed), str(other))
    assert (status, out) == (0, "")
    assert "hold the same exchanges" in error


def _version_1(path: Path, items: list[Exchange], tail: bytes = b"") -> bytes:
    head = {"format": FORMAT, "version": 1, "created": "2025-01-01T00:00:00+00:00", "tool": "x"}
    data = b"".join(writing.pack(i) for i in [head, *map(to_item, items)]) + tail
    path.write_bytes(data)
    return data


def test_migrate_rewrites_a_version_1_cassette_in_place(tmp_path: Path) -> None:
    old = tmp_path / "old.cassette"
    _version_1(old, exchanges())
    assert [s.exchange for s in reading.read(old).exchanges] == exchanges()  # read as it is
    status, out, _ = run("migrate", str(old))
    assert (status, out.strip()) == (0, f"{old}: 3 exchanges, cassette version 1 -> {VERSION}")
    loaded = reading.read(old)
    assert (loaded.version, loaded.header["created"]) == (VERSION, "2025-01-01T00:00:00+00:00")
    assert [s.exchange for s in loaded.exchanges] == exchanges()
    before = old.read_bytes()
    status, out, _ = run("migrate", str(old))
    assert (status, out.strip()) == (0, f"{old}: already cassette version {VERSION}, nothing to do")
    assert old.read_bytes() == before


def test_migrate_with_output_leaves_the_old_file(tmp_path: Path) -> None:
    old, new = tmp_path / "old.cassette", tmp_path / "new.cassette"
    data = _version_1(old, exchanges())
    assert run("migrate", str(old), "--output", str(new))[0] == 0
    assert old.read_bytes() == data and reading.read(new).version == VERSION


def test_migrate_refuses_newer_and_damaged_cassettes_writing_nothing(tmp_path: Path) -> None:
    newer = tmp_path / "newer.cassette"
    newer.write_bytes(writing.pack({"format": FORMAT, "version": VERSION + 1}))
    status, _, error = run("migrate", str(newer))
    assert status == 2
    assert f"cassette version {VERSION + 1} is newer than this pretenders reads" in error
    damaged = tmp_path / "damaged.cassette"
    data = _version_1(damaged, exchanges(), tail=writing.pack(to_item(exchanges()[0]))[:-3])
    status, _, error = run("migrate", str(damaged))
    assert status == 2 and "the last record is incomplete" in error and "repair" in error
    assert damaged.read_bytes() == data
    assert run("migrate", str(tmp_path / "none.cassette"))[2].strip().endswith("no such file")


def test_repair_keeps_streams_and_conversations(streamed: Path) -> None:
    with streamed.open("ab") as stream:
        stream.write(b"\xc1garbage")
    status, _, _ = run("repair", str(streamed))
    assert status == 0
    assert [s.exchange for s in reading.read(streamed).exchanges] == [*exchanges(), *streams()]


def test_diff_takes_the_base_url_its_wiremock_error_asks_for(
    cassette: Path, tmp_path: Path
) -> None:
    from pretenders_proxy.cassette import convert as conversion
    from pretenders_proxy.cassette.formats.common import Losses

    root = tmp_path / "wiremock"
    conversion.write(root, conversion.Format.WIREMOCK, exchanges()[:1], Losses())
    status, _, err = run("diff", str(root), str(root))
    assert status == 2
    assert "give one with --base-url URL" in err
    status, _, err = run("diff", str(root), str(root), "--base-url", "https://api.example.test")
    assert status == 0, err
    assert "hold the same exchanges" in err


def test_a_conversion_that_drops_everything_is_refused_without_writing(tmp_path: Path) -> None:
    import json

    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    stub = {"request": {"urlPattern": "/x.*"}, "response": {"status": 200}}
    (root / "mappings" / "a.json").write_text(json.dumps(stub))
    output = tmp_path / "out.cassette"
    status, _, err = run("convert", str(root), str(output), "--base-url", "http://a.test")
    assert status == 2
    assert err.strip().splitlines() == [
        f"pretenders: {root}: nothing imported, every item dropped: mappings that match URLs by "
        "pattern (not one recorded request)"
    ]
    assert not output.exists()
