"""Upgrading exchange items of older cassette versions, one version step at a time."""

from collections.abc import Callable

from pretenders_proxy.cassette.codec import VERSION, Item
from pretenders_proxy.errors import CassetteError

type Migration = Callable[[Item], Item]


def _v1_to_v2(item: Item) -> Item:
    """Version 2 adds optional fields (response `chunks` and `cut`, `websocket`): a version-1
    item is a version-2 item without them."""
    return item


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""`MIGRATIONS[n]` turns a version-n item into a version n+1 one (mitmproxy's io/compat.py)."""


def check(version: int) -> None:
    """Refuse versions this pretenders cannot read, saying what to do."""
    if version > VERSION:
        raise CassetteError(
            f"cassette version {version} is newer than this pretenders reads ({VERSION}): "
            "please upgrade pretenders"
        )
    missing = [n for n in range(version, VERSION) if n not in MIGRATIONS]
    if version < 1 or missing:
        raise CassetteError(f"unknown cassette version {version}")


def upgrade(item: Item, version: int) -> Item:
    """`item` (of a `version` that passed `check`) as an item of the current version."""
    for step in range(version, VERSION):
        item = MIGRATIONS[step](item)
    return item
