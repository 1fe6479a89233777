"""Re-recording reports its noise: the old recording's requests are kept (bounded) until the new
recording ends, then compared; parts the cassette's header ignores are left out."""

from pathlib import Path

import pytest

from pretenders_proxy.cassette import matching, rerecord, writing
from pretenders_proxy.cassette.rerecord import Rerecords
from pretenders_proxy.model.exchange import Exchange
from tests.pretenders_proxy.factories import exchange, request

JSON = ((b"Content-Type", b"application/json"),)


def order(ts: int, nonce: str = "n") -> Exchange:
    body = b'{"ts": %d, "nonce": "%s"}' % (ts, nonce.encode())
    return exchange(request("POST", b"/orders", b"", body, JSON))


def test_started_afresh_the_old_requests_are_compared_when_the_new_recording_ends(
    tmp_path: Path,
) -> None:
    where, kept = tmp_path / "a.cassette", Rerecords()
    writing.write(where, [order(1)])
    kept.fresh(where)
    where.unlink()
    writing.write(where, [order(2)])
    report = kept.finish(where)
    assert report is not None and report.startswith(f"{where} was recorded again:")
    assert "json:$.ts (1 of 1)" in report and "nonce" not in report
    assert kept.finish(where) is None  # reported once
    assert kept.taken() == ()


def test_started_afresh_again_the_last_recording_ends_and_waits_for_the_switch(
    tmp_path: Path,
) -> None:
    where, kept = tmp_path / "a.cassette", Rerecords()
    writing.write(where, [order(1)])
    kept.fresh(where)
    writing.write(where, [order(2)])
    kept.fresh(where)  # the recording of order 2 ends; it is now the old one
    [report] = kept.taken()
    assert "json:$.ts (1 of 1)" in report
    assert kept.taken() == ()
    writing.write(where, [order(2, "other")])
    report = kept.finish(where)
    assert report is not None and "json:$.nonce (1 of 1)" in report and "json:$.ts" not in report


def test_recorded_on_the_appended_exchanges_are_compared_with_those_before(tmp_path: Path) -> None:
    where, kept = tmp_path / "a.cassette", Rerecords()
    writing.write(where, [order(1), order(1)])
    matching.store(where, ["json:$.nonce"], None)  # the header's own ignores are no news
    kept.appending(where, 2)
    assert kept.finish(where) is None  # nothing appended
    kept.appending(where, 2)
    writer = writing.Writer.open(where)
    writer.append(order(5, "x"))
    writer.close()
    report = kept.finish(where)
    assert report is not None and "json:$.ts (1 of 1)" in report and "nonce" not in report
    assert "unpaired: POST api.example.test/orders: 2 in A, 1 in B" in report


def test_an_old_recording_too_big_to_keep_is_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where, kept = tmp_path / "a.cassette", Rerecords()
    writing.write(where, [order(1)])
    monkeypatch.setattr(rerecord, "MAX_KEPT", 10)
    kept.fresh(where)
    assert not kept.tracks(where)
    kept.fresh(tmp_path / "none.cassette")  # nothing there: nothing kept
    assert not kept.tracks(tmp_path / "none.cassette")
