import pytest

from pretenders_proxy.cassette import migrate
from pretenders_proxy.cassette.codec import VERSION, Item
from pretenders_proxy.errors import CassetteError


def test_the_current_version_needs_nothing() -> None:
    migrate.check(VERSION)
    assert migrate.upgrade({"a": 1}, VERSION) == {"a": 1}


def test_a_version_1_item_is_read_as_it_is() -> None:
    migrate.check(1)
    item: Item = {"request": {}, "response": {"status": 200}}
    assert migrate.upgrade(item, 1) == item


def test_newer_versions_ask_for_an_upgrade() -> None:
    with pytest.raises(CassetteError, match="please upgrade pretenders"):
        migrate.check(VERSION + 1)


@pytest.mark.parametrize("version", [0, -3])
def test_unknown_old_versions_are_refused(version: int) -> None:
    with pytest.raises(CassetteError, match=f"unknown cassette version {version}"):
        migrate.check(version)


def test_old_items_go_through_the_chain_one_step_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def v1_to_v2(item: Item) -> Item:
        return {**item, "steps": [*item.get("steps", []), 2]}

    def v2_to_v3(item: Item) -> Item:
        return {**item, "steps": [*item["steps"], 3]}

    monkeypatch.setattr(migrate, "VERSION", 3)
    monkeypatch.setattr(migrate, "MIGRATIONS", {1: v1_to_v2, 2: v2_to_v3})
    migrate.check(1)
    assert migrate.upgrade({}, 1) == {"steps": [2, 3]}
    assert migrate.upgrade({"steps": [2]}, 2) == {"steps": [2, 3]}
