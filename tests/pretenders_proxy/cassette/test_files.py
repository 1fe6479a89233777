import re
from pathlib import Path

import pytest

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.cassette.files import CassetteFiles, redacted_names
from pretenders_proxy.errors import CassetteError, ConfigError
from pretenders_proxy.matching.modes import CassettePlan, Mode, ModeConfig, OnMiss, RecordMode
from pretenders_proxy.store import Store
from tests.pretenders_proxy.factories import exchange, request


@pytest.fixture
def files() -> CassetteFiles:
    return CassetteFiles()


def test_replay_loads_the_cassettes_in_order(tmp_path: Path, files: CassetteFiles) -> None:
    first, second = tmp_path / "1.cassette", tmp_path / "2.cassette"
    writing.write(first, [exchange(body=b"one")])
    writing.write(second, [exchange(body=b"two"), exchange(request(path=b"/x"))])
    store = Store()
    session = store.get("default")
    playback = files.switch(store, session, ModeConfig(Mode.REPLAY, (str(first), str(second))))
    assert session.playback is playback and len(playback.tape) == 3
    assert [playback.tape.play(request()).response().body for _ in range(3)] == [  # type: ignore[union-attr]
        b"one",
        b"two",
        b"two",
    ]


def test_record_opens_its_writer_at_once_and_releases_it_after(
    tmp_path: Path, files: CassetteFiles
) -> None:
    path = tmp_path / "new.cassette"
    store = Store()
    session = store.get("default")
    files.switch(store, session, ModeConfig(Mode.RECORD, (str(path),)))
    assert path.exists()
    writer = files.writer(str(path))
    files.switch(store, session, ModeConfig(Mode.REPLAY, (str(path),), OnMiss.RECORD))
    assert files.writer(str(path)) is writer  # still recording (on miss)
    files.switch(store, session, ModeConfig())
    assert writer.closed


def test_recording_onto_a_cut_cassette_says_it_was_mended(
    tmp_path: Path, files: CassetteFiles
) -> None:
    path = tmp_path / "cut.cassette"
    writing.write(path, [exchange(body=b"one"), exchange(body=b"two")])
    path.write_bytes(path.read_bytes()[:-3])
    store = Store()
    session = store.get("default")
    playback = files.switch(store, session, ModeConfig(Mode.RECORD, (str(path),)))
    assert len(playback.warnings) == 1
    assert "the incomplete last record" in playback.warnings[0]
    assert "the 1 complete exchanges are kept" in playback.warnings[0]
    files.close()


def test_a_recording_path_is_resolved_when_the_mode_is_set(
    tmp_path: Path, files: CassetteFiles
) -> None:
    first, second, link = tmp_path / "1.cassette", tmp_path / "2.cassette", tmp_path / "link"
    link.symlink_to(first)
    store = Store()
    session = store.get("default")
    files.switch(store, session, ModeConfig(Mode.RECORD, (str(link),)))
    link.unlink()
    link.symlink_to(second)  # moved while recording: the exchanges stay in one file
    files.append(str(link), exchange(body=b"one"))
    files.switch(store, session, ModeConfig(Mode.RECORD, (str(link),)))
    files.append(str(link), exchange(body=b"two"))
    files.close()
    assert [s.exchange.response.body for s in reading.read(first).exchanges] == [b"one"]
    assert [s.exchange.response.body for s in reading.read(second).exchanges] == [b"two"]


def test_a_failed_switch_leaves_the_session_as_it_was(tmp_path: Path, files: CassetteFiles) -> None:
    store = Store()
    session = store.get("default")
    before = session.playback
    with pytest.raises(CassetteError, match="cannot read cassette"):
        files.switch(store, session, ModeConfig(Mode.REPLAY, (str(tmp_path / "none"),)))
    with pytest.raises(ConfigError, match="cannot write cassette"):
        files.switch(store, session, ModeConfig(Mode.RECORD, (str(tmp_path / "no" / "x"),)))
    assert session.playback is before


@pytest.mark.parametrize(
    ("record_mode", "exists", "mode", "on_miss", "fresh"),
    [
        (RecordMode.ONCE, False, Mode.RECORD, OnMiss.ERROR, False),
        (RecordMode.ONCE, True, Mode.REPLAY, OnMiss.ERROR, False),
        (RecordMode.NEW_EPISODES, True, Mode.REPLAY, OnMiss.RECORD, False),
        (RecordMode.ALL, True, Mode.RECORD, OnMiss.ERROR, True),
    ],
)
def test_a_record_mode_is_planned_from_the_file_on_this_disk(
    tmp_path: Path,
    files: CassetteFiles,
    record_mode: RecordMode,
    exists: bool,
    mode: Mode,
    on_miss: OnMiss,
    fresh: bool,
) -> None:
    path = tmp_path / "vcr.cassette"
    if exists:
        writing.write(path, [exchange()])
    assert files.plan(str(path), record_mode) == CassettePlan(mode, on_miss, fresh)


def test_record_mode_none_without_the_file_names_it(tmp_path: Path, files: CassetteFiles) -> None:
    path = tmp_path / "missing.cassette"
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: the cassette does not exist"):
        files.plan(str(path), RecordMode.NONE)


def test_prepare_makes_the_missing_folders(tmp_path: Path, files: CassetteFiles) -> None:
    path = tmp_path / "a" / "b" / "new.cassette"
    files.prepare(str(path), CassettePlan(Mode.RECORD))
    assert path.parent.is_dir() and not path.exists()


def test_prepare_afresh_removes_the_file_and_closes_its_writer(
    tmp_path: Path, files: CassetteFiles
) -> None:
    path = tmp_path / "old.cassette"
    writing.write(path, [exchange(body=b"old")])
    store = Store()
    session = store.get("default")
    files.switch(store, session, ModeConfig(Mode.RECORD, (str(path),)))
    writer = files.writer(str(path))
    files.prepare(str(path), CassettePlan(Mode.RECORD, fresh=True))
    assert writer.closed and not path.exists()
    files.switch(store, session, ModeConfig(Mode.RECORD, (str(path),)))
    files.append(str(path), exchange(body=b"new"))  # into the new file, not the removed one
    assert [s.exchange.response.body for s in reading.read(path).exchanges] == [b"new"]
    files.close()


def test_prepare_that_cannot_make_a_folder_is_a_cassette_error(
    tmp_path: Path, files: CassetteFiles
) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(CassetteError, match=r"cannot prepare cassette .*file/x\.cassette"):
        files.prepare(str(tmp_path / "file" / "x.cassette"), CassettePlan(Mode.RECORD))


def test_redacted_names_are_found_in_recordings() -> None:
    found = redacted_names(
        [request(query=b"t=<redacted>&p=1", headers=((b"X-Key", b"<redacted>"), (b"A", b"b")))]
    )
    assert found == {b"t", b"x-key"}


def test_redacted_names_are_found_wherever_they_are_among_many_requests() -> None:
    plain = [request(query=b"a=1", headers=((b"A", b"b"),))] * 50
    in_header = request(headers=((b"Authorization", b"<redacted>"),))
    in_query = request(query=b"key=<redacted>")
    assert redacted_names(plain) == set() == redacted_names([])
    assert redacted_names([*plain, in_header, *plain]) == {b"authorization"}
    assert redacted_names([*plain, in_query]) == {b"key"}
    assert redacted_names([request(query=b"x=<reda"), request(query=b"cted>")]) == set()
