"""`pretenders cassette ignore` and `cassette noise` as a user types them: the header's
matching changed in one step (exchanges kept byte for byte), bad SPECs refused by name, noise
printed as pasteable `--ignore` lines and stored with --write. Also: every command that
rewrites a cassette keeps its header's matching."""

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pretenders_proxy.cassette import matching, reading, repair, writing
from pretenders_proxy.cassette.codec import VERSION, header
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from tests.pretenders_proxy.cli.conftest import run
from tests.pretenders_proxy.samples import exchanges


def body_after_header(path: Path) -> bytes:
    data = path.read_bytes()
    return data[len(writing.pack(matching.head_of(path))) :]


def test_add_list_remove_keep_the_exchanges_byte_for_byte(cassette: Path) -> None:
    before = body_after_header(cassette)
    assert run("ignore", str(cassette), "--add", "json:$.meta.ts", "--add", "header:X-Id")[0] == 0
    assert run("ignore", str(cassette), "--add", "query:_ts", "--add", "json:$.meta.ts")[0] == 0
    status, out, _ = run("ignore", str(cassette), "--list")
    assert (status, out.splitlines()) == (0, ["json:$.meta.ts", "header:X-Id", "query:_ts"])
    assert run("ignore", str(cassette), "--remove", "header:X-Id")[0] == 0
    assert matching.stored(cassette) == (("json:$.meta.ts", "query:_ts"), None)
    assert body_after_header(cassette) == before
    assert [s.exchange for s in reading.read(cassette).exchanges] == exchanges()
    status, out, _ = run("ignore", str(cassette))  # no option: --list
    assert out.splitlines() == ["json:$.meta.ts", "query:_ts"]


def test_match_on_is_stored_and_reset(cassette: Path) -> None:
    assert run("ignore", str(cassette), "--match-on", "method, path")[0] == 0
    _, out, err = run("ignore", str(cassette), "--list")
    assert (out, err.strip()) == ("", "# match_on: method,path")
    assert matching.stored(cassette) == ((), ("method", "path"))
    assert run("ignore", str(cassette), "--match-on", "default")[0] == 0
    assert "match_on" not in matching.head_of(cassette)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--add", "jsn:$.ts"], "ignore 'jsn:$.ts': start it with one of json:, header:,"),
        (["--add", "json:ts"], "ignore json:ts: json path ts: a path starts with $ at 1"),
        (["--remove", "query:_ts"], "ignore 'query:_ts' is not stored in the cassette"),
        (["--match-on", "colour"], "match-on: unknown field 'colour'"),
    ],
)
def test_bad_input_is_one_line_naming_it_and_changes_nothing(
    cassette: Path, args: list[str], problem: str
) -> None:
    before = cassette.read_bytes()
    status, _, err = run("ignore", str(cassette), *args)
    assert status == 2 and err.startswith("pretenders: ") and problem in err
    assert len(err.splitlines()) == 1
    assert cassette.read_bytes() == before


def test_no_cassette_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    status, _, err = run("ignore", str(tmp_path / "x.json"), "--add", "query:a")
    assert status == 2 and "not a pretenders cassette" in err


def post(body: dict[str, object], request_id: str) -> Exchange:
    headers = ((b"Content-Type", b"application/json"), (b"X-Request-Id", request_id.encode()))
    request = Request("POST", b"/orders", b"", headers, json.dumps(body).encode(), host="h.test")
    return Exchange(request, Response(201, (), b"{}"))


def test_noise_prints_ignore_lines_and_write_stores_them(tmp_path: Path) -> None:
    a, b = tmp_path / "a.cassette", tmp_path / "b.cassette"
    writing.write(a, [post({"ts": 1, "x": 1}, "r1"), post({"ts": 2, "x": 2}, "r2")])
    writing.write(b, [post({"ts": 3, "x": 1}, "r3"), post({"ts": 4, "x": 2}, "r4")])
    status, out, err = run("noise", str(a), str(b))
    assert status == 0
    assert out.splitlines() == ["--ignore header:X-Request-Id", "--ignore 'json:$.ts'"]
    assert "# json:$.ts: differs in 2 of 2 paired exchanges" in err.splitlines()
    assert shlex.split(" ".join(out.splitlines()))[1::2] == ["header:X-Request-Id", "json:$.ts"]
    assert run("ignore", str(a), "--add", "header:X-Request-Id")[0] == 0
    status, out, _ = run("noise", str(a), str(b), "--write")  # A's own ignores are left out
    assert out.splitlines() == ["--ignore 'json:$.ts'"]
    assert matching.stored(a)[0] == ("header:X-Request-Id", "json:$.ts")
    status, out, err = run("noise", str(a), str(b))
    assert out == "" and "no request parts differ in 2 paired exchanges" in err


def test_noise_says_what_is_unpaired(tmp_path: Path) -> None:
    a, b = tmp_path / "a.cassette", tmp_path / "b.cassette"
    writing.write(a, [post({"ts": 1}, "r")])
    writing.write(b, [post({"ts": 1}, "r"), post({"ts": 1}, "r")])
    _, _, err = run("noise", str(a), str(b))
    assert "# unpaired: POST h.test/orders: 1 in A, 2 in B" in err.splitlines()
    status, _, err = run("noise", str(a), str(tmp_path / "none.cassette"))
    assert status == 2 and "none.cassette" in err


STORED = {"ignore": ["json:$.ts"], "match_on": ["method", "path"]}


def with_matching(path: Path, version: int = VERSION) -> Path:
    head = {**header(datetime.now(UTC)), **STORED, "version": version}
    writing.rewrite(path, head, exchanges())
    return path


def test_rewriting_commands_keep_the_header_matching(tmp_path: Path) -> None:
    source = with_matching(tmp_path / "a.cassette")
    assert run("convert", str(source), str(tmp_path / "b.cassette"))[0] == 0
    assert matching.stored(tmp_path / "b.cassette") == (("json:$.ts",), ("method", "path"))
    _, _, err = run("export", str(source), str(tmp_path / "a.har"))
    assert "dropped: the cassette header's matching (ignore, match_on)" in err
    for mend in (
        lambda: run("repair", str(source)),
        lambda: writing.Writer.open(source).close(),  # recording on mends the tail first
    ):
        with source.open("ab") as stream:
            stream.write(writing.pack({"request": {}})[:3])  # cut short
        mend()
        assert matching.stored(source) == (("json:$.ts",), ("method", "path"))
        assert len(reading.read(source).exchanges) == len(exchanges())
    old = with_matching(tmp_path / "old.cassette", version=1)
    repair.migrate(old, old)
    assert matching.head_of(old)["version"] == VERSION
    assert matching.stored(old) == (("json:$.ts",), ("method", "path"))
