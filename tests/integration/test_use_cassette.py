"""`use_cassette` with VCR.py's record modes against a real server: the server decides on its own
disk, starts the cassette afresh for `all` and makes its folders; what it refuses is a 400."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy import APIError, Pretenders
from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.upstream import Upstream


@pytest.fixture
def fake(server: RunningServer) -> Iterator[Pretenders]:
    with Pretenders(server.control) as root:
        session = root.session()
        yield session
        session.delete()
        session.close()


def get(fake: Pretenders, url: str) -> requests.Response:
    return requests.get(url, proxies={"http": fake.proxy_url}, timeout=10)


def recorded(cassette: Path) -> list[str]:
    return [stored.exchange.request.path.decode() for stored in read(cassette).exchanges]


def test_none_without_the_cassette_is_a_400_that_creates_nothing(
    fake: Pretenders, tmp_path: Path
) -> None:
    cassette = tmp_path / "new" / "missing.cassette"
    with pytest.raises(APIError) as refused:
        fake.use_cassette(cassette, "none")
    assert refused.value.status == 400
    assert refused.value.message == (
        f"{cassette}: the cassette does not exist, and record mode none never records"
    )
    assert not cassette.parent.exists() and fake.mode()["mode"] == "mock"


def test_once_records_a_new_cassette_in_new_folders_then_replays_it(
    fake: Pretenders, upstream: Upstream, tmp_path: Path
) -> None:
    cassette = tmp_path / "made" / "by" / "the server.cassette"
    assert fake.use_cassette(cassette, "once")["recording_to"] == str(cassette)
    get(fake, upstream.url + "/hello")
    replaying = fake.use_cassette(cassette, "once")
    assert (replaying["mode"], replaying["on_miss"], replaying["recordings"]) == (
        "replay",
        "error",
        1,
    )
    upstream.stop()
    assert get(fake, upstream.url + "/hello").text == "hello, world\n"
    assert get(fake, upstream.url + "/counter").status_code == 404  # a miss, not recorded
    assert recorded(cassette) == ["/hello"]


def test_none_replays_a_cassette_that_is_there(
    fake: Pretenders, upstream: Upstream, tmp_path: Path
) -> None:
    cassette = tmp_path / "there.cassette"
    fake.use_cassette(cassette, "once")
    get(fake, upstream.url + "/hello")
    replaying = fake.use_cassette(cassette, "none")
    assert (replaying["mode"], replaying["on_miss"]) == ("replay", "error")
    assert get(fake, upstream.url + "/counter").status_code == 404
    assert recorded(cassette) == ["/hello"]


def test_new_episodes_replays_the_old_and_records_the_new(
    fake: Pretenders, upstream: Upstream, tmp_path: Path
) -> None:
    cassette = tmp_path / "episodes.cassette"
    assert fake.use_cassette(cassette, "new_episodes")["mode"] == "record"  # nothing there yet
    get(fake, upstream.url + "/hello")
    again = fake.use_cassette(cassette, "new_episodes")
    assert (again["mode"], again["on_miss"]) == ("replay", "record")
    get(fake, upstream.url + "/hello")
    get(fake, upstream.url + "/counter")
    assert [r.source for r in fake.requests()] == ["upstream", "cassette", "upstream"]
    assert recorded(cassette) == ["/hello", "/counter"]


def test_all_starts_the_cassette_afresh(
    fake: Pretenders, upstream: Upstream, tmp_path: Path
) -> None:
    cassette = tmp_path / "all.cassette"
    fake.use_cassette(cassette, "once")
    get(fake, upstream.url + "/hello")
    get(fake, upstream.url + "/counter")
    assert recorded(cassette) == ["/hello", "/counter"]
    anew = fake.use_cassette(cassette, "all")  # while this session still records to it
    assert (anew["mode"], recorded(cassette)) == ("record", [])
    get(fake, upstream.url + "/counter")
    assert recorded(cassette) == ["/counter"]  # into the new file, not the removed one


def test_a_relative_path_is_the_clients_working_directorys(
    fake: Pretenders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    used = fake.use_cassette("relative/x.cassette", "once")
    assert used["cassettes"] == [str(tmp_path / "relative" / "x.cassette")]
