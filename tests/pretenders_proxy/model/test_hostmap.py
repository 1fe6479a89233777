"""`--map-host` SPECs: parsing (a ConfigError naming a bad one) and where a request goes."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.hostmap import Destination, destination, parse_map, parse_maps


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        ("api.example.com=127.0.0.1:9000", ("api.example.com", None, "127.0.0.1", 9000, None)),
        ("API.Example.com:8443=localhost", ("api.example.com", 8443, "localhost", None, None)),
        ("a.test=http://127.0.0.1:9000", ("a.test", None, "127.0.0.1", 9000, "http")),
        ("a.test=HTTPS://staging.test", ("a.test", None, "staging.test", None, "https")),
        ("[::1]:80=[::1]:8080", ("::1", 80, "::1", 8080, None)),
        (" a.test = b.test:1 ", ("a.test", None, "b.test", 1, None)),
    ],
)
def test_a_spec_parses(spec: str, fields: tuple[object, ...]) -> None:
    mapped = parse_map(spec)
    assert (mapped.name, mapped.port, mapped.host, mapped.target_port, mapped.scheme) == fields


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("api.example.com", "NAME[:PORT]=[SCHEME://]HOST[:PORT]"),
        ("=127.0.0.1:9000", "NAME[:PORT]="),
        ("a.test=", "NAME[:PORT]="),
        ("a.test=ftp://b.test", "http or https"),
        ("a.test=b.test:99999", "valid port"),
        ("a.test=b.test:x", "valid port"),
        ("a.test=b.test:0", "port 0"),
        ("a.test=b.test/path", "is not a HOST"),
        ("http://a.test=b.test", "is not a NAME"),
        ("a.test=user@b.test", "is not a HOST"),
    ],
)
def test_a_bad_spec_is_named(spec: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_map(spec)
    assert repr(spec.strip()) in str(raised.value) and named in str(raised.value)


def test_a_name_mapped_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="maps that name already"):
        parse_maps(["a.test=b.test", "A.test=c.test"])
    assert len(parse_maps(["a.test=b.test", "a.test:8443=c.test", ""])) == 2


MAPS = parse_maps(
    ["api.test=127.0.0.1:9000", "api.test:8443=127.0.0.1:9443", "web.test=http://127.0.0.1"]
)


@pytest.mark.parametrize(
    ("scheme", "host", "port", "wanted"),
    [
        ("https", "api.test", 443, Destination("https", "127.0.0.1", 9000)),  # scheme kept
        ("http", "API.TEST", 80, Destination("http", "127.0.0.1", 9000)),
        ("https", "api.test", 8443, Destination("https", "127.0.0.1", 9443)),  # its own port
        ("https", "web.test", 443, Destination("http", "127.0.0.1", 80)),  # plain, default port
        ("https", "other.test", 443, None),
    ],
)
def test_where_a_request_goes(scheme: str, host: str, port: int, wanted: object) -> None:
    assert destination(MAPS, scheme, host, port) == wanted


def test_a_target_without_a_port_keeps_the_request_s() -> None:
    assert destination(parse_maps(["a.test=b.test"]), "https", "a.test", 8443) == Destination(
        "https", "b.test", 8443
    )
