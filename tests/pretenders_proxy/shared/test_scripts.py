"""The shared store's key layout and Lua scripts, run on a real redis-server."""

import time
from collections.abc import Iterator

import pytest
import redis

from pretenders_proxy.shared.scripts import (
    PARTS,
    flat,
    fleet_keys,
    script_key,
    session_key,
    sources,
)
from tests.integration.redis_server import RedisServer


class Scripts:
    """The scripts, called as the shared store calls them (KEYS: the session's, ARGV[1]: its
    name)."""

    def __init__(self, client: redis.Redis, prefix: str = "p") -> None:
        self.client, self.prefix = client, prefix
        self.tokens = 0
        self.shas = {name: client.script_load(source) for name, source in sources().items()}

    def __call__(self, script: str, name: str, *args: object) -> object:
        key = script_key(self.prefix, name)
        return self.client.evalsha(self.shas[script], 1, key, name, *args)

    def append(self, name: str, *args: object, cursor: str = "") -> object:
        """One item appended, its arguments as the store's callers give them (Link packs them:
        kind, item, weight, most, most bytes, served, versions, and the cursor); its reply."""
        kind, item, weight, most, most_bytes, served, expected = args
        self.tokens += 1
        token = f"t{self.tokens}"
        each = (item, weight, served, expected, cursor, "")
        found = self("append", name, kind, most, most_bytes, token, 0, *each)
        assert isinstance(found, list)
        return found[0]


@pytest.fixture
def scripts(redis_server: RedisServer) -> Iterator[Scripts]:
    client = redis.Redis.from_url(redis_server.url)
    yield Scripts(client)
    client.close()


def test_every_key_of_a_fleet_is_in_one_cluster_slot_and_names_its_session() -> None:
    keys = [*fleet_keys("fleet"), *(session_key("fleet", "a:b", part) for part in PARTS)]
    assert {key.split("}")[0] for key in keys} == {"{fleet"}
    assert script_key("fleet", "a:b") == "{fleet}:s:a:b:meta"
    assert flat([b"a", b"1", b"b", b"2"]) == {b"a": b"1", b"b": b"2"}


def test_a_times_preset_is_taken_exactly_times_then_gone(scripts: Scripts) -> None:
    assert scripts("open", "s", "http", "", 10, "1", "0") == 1
    preset = scripts("add_preset", "s", "presets", b"...", 2)
    assert [scripts("take", "s", preset) for _ in range(3)] == [1, 1, 0]
    meta = scripts.client.hgetall("{p}:s:s:meta")
    assert meta[b"pv"] == b"2"  # added, then used up
    assert scripts.client.hexists("{p}:s:s:presets", preset) == 0


def test_history_keeps_the_newest_within_count_and_bytes_and_counts_what_went(
    scripts: Scripts,
) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    ids = [scripts.append("s", "history", b"e", 100, 3, 1_000_000, "", "") for _ in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    kept = scripts.client.xrange("{p}:s:s:history")
    assert [int(fields[b"i"]) for _, fields in kept] == [3, 4, 5]
    meta = scripts.client.hgetall("{p}:s:s:meta")
    assert (meta[b"hdrop"], meta[b"hbytes"]) == (b"2", b"300")
    scripts.append("s", "history", b"big", 950, 3, 1000, "", "")  # over the bytes: rest go
    assert [int(f[b"i"]) for _, f in scripts.client.xrange("{p}:s:s:history")] == [6]


def test_sessions_past_the_most_are_refused_and_an_idle_one_expires(scripts: Scripts) -> None:
    assert scripts("open", "a", "http", "1", 2, "1", "0") == 1  # idle for 1 ms at most
    assert scripts("open", "b", "http", "", 2, "1", "0") == 1
    with pytest.raises(redis.ResponseError, match="TOOMANY 2"):
        scripts("open", "c", "http", "", 2, "1", "0")
    time.sleep(0.01)
    assert scripts("open", "a", "", "", 0, "0", "0") == -1  # expired: dropped
    assert scripts.client.hkeys("{p}:registry") == [b"b"]
    assert scripts.append("a", "history", b"e", 1, 10, 10, "", "") == -1  # gone: none kept
    assert scripts("open", "c", "http", "1", 2, "1", "0") == 1
    time.sleep(0.01)
    assert scripts.append("c", "history", b"e", 1, 10, 10, "", "") == -1  # expired: dropped
    assert scripts.client.hkeys("{p}:registry") == [b"b"]
    assert scripts.client.exists("{p}:s:c:meta", "{p}:s:c:history") == 0


def test_an_entry_answered_from_an_old_copy_of_the_presets_is_not_kept(scripts: Scripts) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0") == 1  # as of pv 0
    scripts("add_preset", "s", "presets", b"...", "")
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0") == -2  # pv is 1 now
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "1") == 2
    assert scripts.client.xlen("{p}:s:s:history") == 2


def test_a_run_of_items_is_one_call_and_one_sent_again_appends_nothing(scripts: Scripts) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    scripts("add_preset", "s", "presets", b"...", "")  # preset 1 (FOREVER), pv 1
    run = ("history", 3, 10_000, "tok", 0)
    items = (b"a", 10, "1", "1", "", "", b"b", 10, "", "0", "", "", b"", 0, "1", "", "", "")
    items += (b"c", 10, "1", "1", "", "")
    assert scripts("append", "s", *run, *items) == [1, -2, 0, 2]  # stale, not kept, kept
    assert scripts("append", "s", *run, *items) == [1, -2, 0, 2]  # sent again: its reply
    assert scripts.client.xlen("{p}:s:s:history") == 2
    meta = scripts.client.hgetall("{p}:s:s:meta")
    assert (meta[b"rseen"], meta[b"hbytes"]) == (b"3", b"20")
    assert scripts.client.hget("{p}:s:s:served", "1") == b"3"  # the three not stale
    items = (x for n in range(5) for x in (b"%d" % n, 1, "", "", "", ""))
    many = ("history", 3, 10_000, "tok2", 0, *items)
    assert scripts("append", "s", *many) == [3, 4, 5, 6, 7]
    kept = scripts.client.xrange("{p}:s:s:history")
    assert [int(fields[b"i"]) for _, fields in kept] == [5, 6, 7]  # the newest 3
    assert scripts.client.hget("{p}:s:s:meta", "hdrop") == b"4"


def test_history_kept_before_items_carried_their_running_weight_is_weighed_when_trimmed(
    scripts: Scripts,
) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    for n in range(3):  # as an older version appended them: no 'c'
        scripts.client.xadd("{p}:s:s:history", {"i": n + 1, "d": b"old", "w": 100})
    scripts.client.hset("{p}:s:s:meta", "hbytes", 300)
    assert scripts.append("s", "history", b"new", 7, 3, 1_000_000, "", "") == 1
    meta = scripts.client.hgetall("{p}:s:s:meta")
    assert (meta[b"hbytes"], meta[b"hdrop"]) == (b"207", b"1")  # two old ones and the new
    assert scripts.append("s", "history", b"new", 7, 3, 1_000_000, "", "") == 2
    assert scripts.client.hget("{p}:s:s:meta", "hbytes") == b"114"


def test_a_replay_counted_with_its_entry_is_advanced_once_and_only_while_the_copy_is_current(
    scripts: Scripts,
) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    cursor = "{p}:s:s:cursor"
    scripts("advance", "s", "", "", "key")  # played once the two-step way
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0:0", cursor="key") == 1
    assert scripts.client.hget(cursor, "key") == b"2"
    kept = ("history", 10, 1000, "tok", 0, b"e", 1, "", "0:0", "key", "")
    kept += (b"", 0, "", "0:0", "key", "")
    assert scripts("append", "s", *kept) == [2, 0]  # a run: each advances (none kept: '')
    assert scripts("append", "s", *kept) == [2, 0]  # sent again: nothing advanced twice
    assert scripts.client.hget(cursor, "key") == b"4"
    scripts("set_mode", "s", b"mode")  # mv 1, replays from the start: 0:0 is out of date
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0:0", cursor="key") == -2
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0", cursor="key") == 3
    assert scripts.client.hget(cursor, "key") == b"1"  # from 0 (a new mode), not from the -2
    assert scripts.client.xlen("{p}:s:s:history") == 3
    scripts("delete", "s", "0")
    assert scripts.append("s", "history", b"e", 1, 10, 1000, "", "0:1", cursor="key") == -1
    assert scripts.client.exists(cursor) == 0


def test_a_reply_items_name_is_kept_once_handed_out_with_them_and_goes_with_history(
    scripts: Scripts,
) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    replies = "{p}:s:s:replies"
    named = ("history", 10, 10_000, "tok", 1, "d1", b"REPLY")  # one reply defined
    items = (b"a", 10, "", "", "", "d1", b"b", 10, "", "", "", "", b"c", 10, "", "", "", "d1")
    assert scripts("append", "s", *named, *items) == [1, 2, 3]
    again = ("history", 10, 10_000, "tok2", 1, "d1", b"OTHER", b"d", 10, "", "", "", "d1")
    assert scripts("append", "s", *again) == [4]  # defined again: the first one stays
    assert scripts.client.hgetall(replies) == {b"d1": b"REPLY"}
    kept = scripts.client.xrange("{p}:s:s:history")
    assert [fields.get(b"r") for _, fields in kept] == [b"d1", None, b"d1", b"d1"]

    def named_with(after: str) -> object:  # PULL's replies for the items after `after`
        pulled = scripts("pull", "s", -1, 0, after, -1, "0-0", -1, "0")
        assert isinstance(pulled, list)
        return pulled[8]

    assert named_with("0-0") == [b"d1", b"REPLY"]  # once, with the items naming it
    assert named_with(kept[1][0].decode()) == [b"d1", b"REPLY"]
    assert named_with(kept[3][0].decode()) == []  # no item after the last
    scripts("clear", "s", "history")
    assert scripts.client.exists(replies) == 0
    scripts("append", "s", *named, *items[:6])
    scripts("record_history", "s", "0")
    assert scripts.client.exists(replies) == 0
    scripts("record_history", "s", "1")
    scripts("append", "s", *named, *items[:6])
    scripts("delete", "s", "0")
    assert scripts.client.exists(replies) == 0


def test_every_change_is_logged_in_order_for_the_other_instances(scripts: Scripts) -> None:
    scripts("open", "s", "http", "", 10, "1", "0")
    scripts("set_mode", "s", b"mode")
    scripts("delete", "s", "0")
    log = scripts.client.xrange("{p}:log")
    assert [(f[b"s"], f[b"k"], int(f[b"n"])) for _, f in log] == [
        (b"s", b"open", 1),
        (b"s", b"mode", 2),
        (b"s", b"drop", 3),
    ]
