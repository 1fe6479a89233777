import pytest
from pydantic import ValidationError

from pretenders_proxy.api.schemas import MockIn, PresetIn
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.preset import Fault


def preset(**fields: object) -> PresetIn:
    return PresetIn.model_validate(fields)


def test_the_1_4_shape() -> None:
    made = preset(
        headers={"Etag": "A1"},
        body="WW91IHRlc3RlZA==",
        status=200,
        rule={"rule": "GET /x", "headers": {"If-None-Match": "A1"}, "body": None, "data": None},
        times=2,
        after=0.5,
    ).to_preset()
    assert made.rule.rule == "GET /x" and dict(made.rule.headers) == {"If-None-Match": "A1"}
    assert made.reply.body == b"You tested" and made.reply.headers == ((b"Etag", b"A1"),)
    assert (made.times, made.reply.after) == (2, 0.5)


def test_a_bare_string_rule_and_forever_default() -> None:
    made = preset(rule="POST").to_preset()
    assert made.rule.rule == "POST" and made.times is None
    assert preset(times="FOREVER").to_preset().times is None
    assert preset(times=2.5).to_preset().times == 3


@pytest.mark.parametrize("times", [0, -2, 0.0])
def test_times_must_be_positive(times: object) -> None:
    with pytest.raises(ConfigError, match=f"Preset has {times} times. Must be greater than zero."):
        preset(times=times).to_preset()


def test_times_as_other_text_is_refused() -> None:
    with pytest.raises(ConfigError, match="'forever'"):
        preset(times="forever").to_preset()


def test_text_and_json_bodies_set_a_content_type() -> None:
    text = preset(text="héllo").to_preset().reply
    assert text.body == "héllo".encode() and (b"Content-Type", b"text/plain; charset=utf-8") in (
        text.headers
    )
    as_json = preset(body={"a": 1}, headers=[["content-type", "application/x"]]).to_preset()
    assert as_json.reply.body == b'{"a": 1}'
    assert as_json.reply.headers == ((b"content-type", b"application/x"),)


def test_only_one_body() -> None:
    with pytest.raises(ConfigError, match="one reply body"):
        preset(text="a", body={"b": 1}).to_preset()


def test_host_top_level_or_in_the_rule() -> None:
    assert preset(host="api").to_preset().rule.host == "api"
    assert preset(rule={"host": "api"}, host="api").to_preset().rule.host == "api"
    with pytest.raises(ConfigError, match="host is given twice"):
        preset(rule={"host": "a"}, host="b").to_preset()


def test_bad_regexes_are_named() -> None:
    with pytest.raises(ConfigError, match=r"invalid regex in rule 'GET /x\(': missing \)"):
        preset(rule="GET /x(").to_preset()
    with pytest.raises(ConfigError, match="invalid regex in host"):
        preset(host="[").to_preset()


def test_bad_base64_is_named() -> None:
    with pytest.raises(ConfigError, match="body is not valid base64"):
        preset(body="not base64!").to_preset()


def test_fault_replies() -> None:
    assert preset(fault="reset").to_preset().reply.fault is Fault.RESET


@pytest.mark.parametrize(
    "fields",
    [
        {"status": 42},
        {"status": 1000},
        {"after": -1},
        {"headers": "x"},
        {"rule": {"rule": 1}},
        {"rule": {"nope": 1}},
        {"fault": "explode"},
        {"unknown": 1},
    ],
)
def test_wrong_shapes_fail_validation(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        preset(**fields)


def test_mock_names_and_timeouts() -> None:
    assert MockIn.model_validate({"name": None}).name is None
    assert MockIn.model_validate({"pretender_timeout": "FOREVER"}).pretender_timeout == "FOREVER"
    for bad in ({"name": "a/b"}, {"name": ""}, {"pretender_timeout": -1}):
        with pytest.raises(ValidationError):
            MockIn.model_validate(bad)


def test_chunks_stream_a_reply_given_as_text_or_base64() -> None:
    preset = PresetIn.model_validate(
        {"chunks": [{"data": "one "}, {"data_base64": "dHdv", "after": 0.5}]}
    ).to_preset()
    assert preset.reply.chunks == ((0.0, b"one "), (0.5, b"two"))
    assert preset.reply.body == b"one two"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "eA==", "chunks": [{"data": "a"}]}, "body or chunks, not both"),
        ({"text": "", "chunks": [{"data": "a"}]}, "text or chunks, not both"),
        ({"chunks": [{"data": "a", "data_base64": "YQ=="}]}, "chunk 1: give data or data_base64"),
        ({"chunks": [{"after": 1}]}, "chunk 1: give data or data_base64"),
        ({"chunks": [{"data_base64": "%%"}]}, "chunk 1 data_base64 is not valid base64"),
    ],
)
def test_bad_chunks_are_named(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        PresetIn.model_validate(fields).to_preset()


def test_a_chunk_delay_is_never_negative() -> None:
    with pytest.raises(ValidationError):
        PresetIn.model_validate({"chunks": [{"data": "a", "after": -1}]})
