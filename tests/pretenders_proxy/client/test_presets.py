"""Presets as both clients make them: the rule's given parts, the reply's body in its encoding."""

import base64
from typing import Any

from pretenders_proxy.client.presets import PresetBuilder, match_rule


def built(**reply: Any) -> dict[str, Any]:
    made: list[dict[str, Any]] = []
    builder = PresetBuilder(made.append, match_rule("GET /a"))
    builder.reply(**reply)
    return made[0]


def test_a_rule_keeps_only_the_parts_given() -> None:
    assert match_rule("GET /a", host="h.test", json={"a": 1}) == {
        "rule": "GET /a",
        "host": "h.test",
        "json": {"a": 1},
    }
    assert match_rule() == {"rule": ""}


def test_a_reply_body_is_sent_in_its_own_encoding() -> None:
    assert built(body=b"\x00")["body"] == base64.b64encode(b"\x00").decode()
    assert built(body="hi")["text"] == "hi" and "body" not in built(body="hi")
    assert built(body={"n": 1})["body"] == {"n": 1}
    preset = built(body="", status=201, times=2, fault="reset", chunks=[("a", 0), (b"b", 0.5)])
    assert (preset["status"], preset["times"], preset["fault"]) == (201, 2, "reset")
    assert preset["chunks"] == [{"data": "a", "after": 0}, {"data_base64": "Yg==", "after": 0.5}]


def test_a_builder_returns_what_adding_returns() -> None:
    builder = PresetBuilder(lambda preset: ("added", preset["websocket"]), {"rule": "GET /ws"})
    added = builder.websocket(send=["hi"], replies={"ping": ["pong"]}, close=1000)
    assert added == (
        "added",
        {"send": ["hi"], "replies": [{"on": "ping", "send": ["pong"]}], "close": 1000},
    )
