import dataclasses

import msgpack
import pytest

from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Entry, Heard, Note, Source, Talk, TrafficProtocol
from pretenders_proxy.model.mail import Envelope, Headline, Mail
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule, WsReply, WsScript
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage
from pretenders_proxy.shared import codec
from pretenders_proxy.shared.codec import WireError, dumps, loads
from pretenders_proxy.store import Store

REQUEST = Request("POST", b"/a b", b"x=1", ((b"Host", b"h"), (b"X", b"\xff")), b"\x00body")


def test_an_entry_comes_back_equal_with_its_enums_and_nested_tuples():
    talk = Talk((Heard(True, True, 0.5, 3, b"abc"),), 1, 1000, "bye", False, "")
    response = Response(200, ((b"A", b"b"),), b"ok", trailers=((b"T", b"1"),), chunks=((0.1, 2),))
    entry = Entry(7, "s", 1.5, REQUEST, Source.PRESET, response, 2.0, 3, None, None, 2,
                  TrafficProtocol.WEBSOCKET, 5, talk, "stale")  # fmt: skip
    back = loads(dumps(entry))
    assert back == entry
    assert back.source is Source.PRESET and isinstance(back.request.headers[0], tuple)


def test_an_entry_packed_with_its_shared_parts_kept_is_what_dumps_writes():
    talk = Talk((Heard(True, True, 0.5, 3, b"abc"),), 1, 1000, "bye", False, "")
    response = Response(200, ((b"A", b"b"),), b"ok" * 600)
    entries = [
        Entry(7, "s", 1.5, REQUEST, Source.PRESET, response, 2.0, 3, None, None, 2,
              TrafficProtocol.WEBSOCKET, 5, talk, "stale"),
        Entry(1 << 40, "\u00e9t\u00e9", 0.0, REQUEST, Source.MISS, None, 0.25, None,
              "no preset matched", "an error", 0, TrafficProtocol.HTTP, 0, None, None),
        Entry(0, "s", 2.5, Request("GET", b"/x"), Source.CASSETTE, response),
    ]  # fmt: skip
    for _ in range(2):  # packed afresh, then from what was kept
        for entry in entries:
            assert codec.dumps_entry(entry) == dumps(entry)
            assert loads(codec.dumps_entry(entry)) == entry
    again = dataclasses.replace(REQUEST, path=b"/other")  # another object: packed for itself
    entry = entries[0]._replace(request=again)
    assert loads(codec.dumps_entry(entry)).request.path == b"/other"


def test_presets_come_back_compiled_with_json_lists_and_streamed_bodies():
    rule = Rule("GET /x", {"A": "1"}, "b.*", {"f": "v"}, "h", {"$.items[*].sku": "A1", "l": [1]})
    reply = Reply(200, ((b"A", b"b"),), chunks=((0.0, b"ab"), (0.1, b"c")))
    preset = Preset(rule, reply, 3)
    back = loads(dumps(preset))
    assert back == preset
    assert back.rule.rule_re.text == "GET /x" and back.rule.json == rule.json
    assert back.reply.body == b"abc" and back.reply.response.chunks == reply.response.chunks
    socket = Preset(Rule(), Reply(101, websocket=WsScript(("hi",), (WsReply("a", ("b",), 1000),))))
    assert loads(dumps(socket)) == socket
    assert loads(dumps(Preset(Rule(), Reply(fault=Fault.RESET)))).reply.fault is Fault.RESET


def test_mail_smtp_presets_and_modes_come_back_equal():
    mail = Mail(1, "s", 2.0, Envelope(("::1", 25), "a@x", ("b@y",), "u", True), b"raw",
                Headline("Hi", "a@x", "b@y"))  # fmt: skip
    smtp = SmtpPreset(Stage.DATA, "b@", Action.TEMPFAIL, 452, "later", 0.5, 2)
    mode = ModeConfig(Mode.REPLAY, ("a.cassette",), OnMiss.PASSTHROUGH, ignore=("json:$.t",))
    for value in (mail, smtp, mode):
        assert loads(dumps(value)) == value
    assert loads(dumps(mail)).envelope.peer == ("::1", 25)


def test_what_pretenders_did_not_write_is_refused_by_name():
    with pytest.raises(WireError, match="unknown object 'Popen'"):
        loads(msgpack.packb({0: "Popen", 1: ["ls"]}))
    with pytest.raises(WireError, match="unreadable"):
        loads(b"\xc1")
    with pytest.raises(TypeError, match="cannot keep a object"):
        dumps(object())


def test_packers_used_again_write_the_same_bytes_after_one_raised_mid_object():
    response = Response(200, ((b"A", b"b"),), b"x" * 5000)  # past the packers' first buffer
    first = dumps([REQUEST, response])
    with pytest.raises(TypeError):
        dumps([REQUEST, response, object()])  # raises inside a nested packer's work
    assert dumps([REQUEST, response]) == first
    assert loads(first) == (REQUEST, response)
    # the kept packer writes what a packer made for the call would
    fresh = msgpack.Packer(default=codec._default, use_bin_type=True, strict_types=True)
    assert fresh.pack([REQUEST, response]) == first


def test_big_parts_of_an_entry_are_packed_but_not_kept_alive():
    response = Response(200, (), b"x" * 10_000)
    entry = Entry(1, "s", 1.0, REQUEST, Source.PRESET, response)
    assert codec.dumps_entry(entry) == dumps(entry)
    assert all(kept is not response for kept, _ in codec._SHARED.values())


def test_an_entry_packed_from_its_shape_names_its_reply_and_reads_back_equal() -> None:
    store = Store()
    request, note = Request("GET", b"/a", headers=((b"Host", b"h"),)), Note(Source.PRESET, 3)
    reply = Response(200, ((b"A", b"b"),), b"ok" * 600)
    store.entry("s", 0, request, note, reply)  # measured once: its shape is kept
    shape = store.shape(request, note, reply)
    assert shape is not None and store.shape(Request("GET", b"/a"), note, reply) is None
    for _ in range(2):  # its parts packed afresh, then from what was kept
        for entry_id, session, at, took in ((0, "s", 1.5, 2.25), (1 << 40, "\u00e9", 0.0, 3)):
            packed, named = codec.dumps_shaped(shape, entry_id, session, at, took)
            entry = shape.entry(entry_id, session, at, took)
            assert named is not None and named[1] == dumps(reply)  # the reply, kept once
            assert len(packed) < len(dumps(entry)) - 1000  # the entry names it: no body
            back = loads(packed)
            assert back == entry._replace(response=codec.Ref(named[0]))
            found = codec.resolved(back, {named[0].encode(): named[1]})
            assert found == entry and codec.resolved(back, {}).response is found.response
    with pytest.raises(WireError, match="names a reply the store does not have"):
        codec.resolved(back._replace(response=codec.Ref("0" * 32)), {})
    replayed = Note(Source.CASSETTE)  # a recording's response: carried whole
    store.entry("s", 0, request, replayed, reply)
    shape = store.shape(request, replayed, reply)
    assert shape is not None
    packed, named = codec.dumps_shaped(shape, 1, "s", 1.0, 1.0)
    assert named is None and packed == dumps(shape.entry(1, "s", 1.0, 1.0))
    small = Response(204)  # a reply shorter than its digest: carried whole
    store.entry("s", 0, request, note, small)
    shape = store.shape(request, note, small)
    assert shape is not None
    packed, named = codec.dumps_shaped(shape, 1, "s", 1.0, 1.0)
    assert named is None and packed == dumps(shape.entry(1, "s", 1.0, 1.0))
    big = Response(200, (), b"x" * 10_000)  # parts too big to keep: packed, not kept alive
    store.entry("s", 0, request, note, big)
    shape = store.shape(request, note, big)
    assert shape is not None
    packed, named = codec.dumps_shaped(shape, 1, "s", 1.0, 1.0)
    assert named is not None
    back = codec.resolved(loads(packed), {named[0].encode(): named[1]})
    assert back == shape.entry(1, "s", 1.0, 1.0)
    assert all(kept is not shape for kept, *_ in codec._SHAPED.values())
