from pathlib import Path

from pretenders_proxy.cassette import reading, repair, writing
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode())) for n in range(3)]


def test_a_whole_cassette_has_nothing_to_mend(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    checked = repair.check(path)
    assert (checked.count, checked.problem) == (3, None)


def test_garbage_after_the_last_item_is_dropped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    path.write_bytes(path.read_bytes() + b"\xc1garbage")
    checked = repair.check(path)
    assert checked.count == 3 and checked.problem is not None and "damaged" in checked.problem
    target = tmp_path / "b.cassette"
    repair.keep_complete(path, target, checked)
    assert [s.exchange for s in reading.read(target).exchanges] == EXCHANGES


def test_progress_sees_every_complete_exchange(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    seen: list[int] = []

    def progress(items):  # type: ignore[no-untyped-def]
        for item in items:
            seen.append(item.offset)
            yield item

    assert repair.check(path, progress).count == 3 and len(seen) == 3
