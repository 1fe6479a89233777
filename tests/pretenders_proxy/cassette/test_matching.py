"""A cassette header's matching: read by the index (and its cache), merged with a session's
(ignore: both; match_on: the session's, else the cassettes', else the default), checked."""

import re
from pathlib import Path

import pytest

from pretenders_proxy.cassette import indexing, matching, writing
from pretenders_proxy.cassette.files import CassetteFiles
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.fields import DEFAULT_MATCH_ON
from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.store.sessions import Store
from tests.pretenders_proxy.samples import exchanges


def stored(path: Path, **head: object) -> Path:
    writing.write(path, exchanges())
    ignore, match_on = head.get("ignore", ()), head.get("match_on")
    matching.store(path, ignore, match_on)  # type: ignore[arg-type]
    return path


def test_the_index_and_its_cache_keep_the_header_matching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, cache = stored(tmp_path / "a.cassette", ignore=["json:$.ts"], match_on=["path"]), None
    assert indexing.index(path).matching == (("json:$.ts",), ("path",))
    cache = tmp_path / "cache"
    indexing.index(path, cache=cache)
    with monkeypatch.context() as patched:
        patched.setattr(indexing, "scan", lambda *args: pytest.fail("parsed again"))
        assert indexing.index(path, cache=cache).matching == (("json:$.ts",), ("path",))


def test_a_header_whose_matching_is_no_list_of_strings_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    path = stored(tmp_path / "a.cassette")
    writing.rewrite(path, {**matching.head_of(path), "ignore": "json:$.ts"}, exchanges())
    with pytest.raises(
        CassetteError, match=re.escape(f"{path}: the cassette header's 'ignore' is not")
    ):
        indexing.index(path)


def test_merged_rules() -> None:
    a = ("a.cassette", (("json:$.ts",), ("method", "path")))
    b = ("b.cassette", (("query:_ts",), None))
    c = ("c.cassette", ((), ("path", "method")))
    fields, ignore = matching.merged(None, ["json:$.id"], [a, b, c])
    assert fields == ("method", "path") and ignore.specs == ("json:$.id", "json:$.ts", "query:_ts")
    assert matching.merged(("body",), [], [a])[0] == ("body",)
    assert matching.merged(None, [], [b])[0] == DEFAULT_MATCH_ON
    d = ("d.cassette", ((), ("method",)))
    with pytest.raises(
        CassetteError, match=re.escape("cassettes a.cassette and d.cassette store different")
    ):
        matching.merged(None, [], [a, d])
    assert matching.merged(("path",), [], [a, d])[0] == ("path",)
    with pytest.raises(
        CassetteError, match=re.escape("cassette e.cassette: its header's ignore 'x'")
    ):
        matching.merged(None, [], [("e.cassette", (("x",), None))])
    with pytest.raises(
        CassetteError, match=re.escape("e.cassette: its header's match-on: unknown field")
    ):
        matching.merged(("path",), [], [("e.cassette", ((), ("colour",)))])


def test_a_switch_applies_the_header_or_changes_nothing(tmp_path: Path) -> None:
    good = stored(tmp_path / "good.cassette", ignore=["json:$.ts"], match_on=["method", "path"])
    bad = stored(tmp_path / "bad.cassette", ignore=["header:"])
    files, store = CassetteFiles(), Store()
    session = store.get("default")
    playback = files.switch(store, session, ModeConfig(Mode.REPLAY, (str(good),)))
    assert playback.tape.spec.fields == ("method", "path")
    assert playback.tape.spec.ignore.specs == ("json:$.ts",)
    with pytest.raises(
        CassetteError, match=re.escape("bad.cassette: its header's ignore 'header:'")
    ):
        files.switch(store, session, ModeConfig(Mode.REPLAY, (str(bad),)))
    assert session.playback is playback
