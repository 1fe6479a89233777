"""The control port's gate: which Host names it answers to, and which state-changing calls it
refuses as sent by a page of another origin."""

import pytest
from aiohttp.test_utils import make_mocked_request

from pretenders_proxy.api.gate import Gate, host_name, is_local
from pretenders_proxy.settings import Settings

LOOPBACK = Gate.of(Settings())


def refusal(gate: Gate, method: str, headers: dict[str, str], *, control: bool = True) -> str:
    return gate.refusal(make_mocked_request(method, "/api/v1/presets", headers), control=control)


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("localhost:8000", "localhost"),
        ("LOCALHOST.", "localhost"),
        ("[::1]:8000", "::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("evil.example:8000", "evil.example"),
    ],
)
def test_host_name_drops_port_brackets_case_and_final_dot(host: str, name: str) -> None:
    assert host_name(host) == name


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("localhost", True),
        ("app.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("localhost.evil.example", False),
        ("127.0.0.1.nip.io", False),
        ("2130706433", False),  # a browser sends 127.0.0.1 for it; only a script writes this
    ],
)
def test_local_names_are_loopback_addresses_and_localhost(name: str, local: bool) -> None:
    assert is_local(name) is local


@pytest.mark.parametrize(
    ("settings", "host", "allowed"),
    [
        (Settings(), "127.0.0.1:8000", True),
        (Settings(), "localhost:8000", True),
        (Settings(), "[::1]:8000", True),
        (Settings(), "evil.example:8000", False),
        (Settings(), "192.168.1.5:8000", False),
        (Settings(allowed_hosts=("dev.lan",)), "DEV.lan:8000", True),
        (Settings(allowed_hosts=("dev.lan",)), "other.lan:8000", False),
        (Settings(host="192.168.1.5", token="t"), "anything.example", True),
        (Settings(host="192.168.1.5", token="t", allowed_hosts=("dev.lan",)), "dev.lan", True),
        (Settings(host="192.168.1.5", token="t", allowed_hosts=("dev.lan",)), "192.168.1.5", True),
        (Settings(host="192.168.1.5", token="t", allowed_hosts=("dev.lan",)), "x.lan", False),
    ],
)
def test_the_host_list(settings: Settings, host: str, allowed: bool) -> None:
    assert Gate.of(settings).is_allowed(host) is allowed


def test_a_foreign_host_is_refused_naming_it_and_the_flag() -> None:
    why = refusal(LOOPBACK, "GET", {"Host": "evil.example:8000"}, control=False)
    assert "'evil.example:8000'" in why and "--allowed-host evil.example" in why


def test_no_host_header_is_no_browser_and_passes() -> None:
    assert refusal(LOOPBACK, "POST", {}) is None


@pytest.mark.parametrize(
    ("method", "headers", "refused"),
    [
        ("POST", {"Origin": "http://evil.example"}, "origin http://evil.example"),
        ("PUT", {"Origin": "null"}, "origin null"),
        ("DELETE", {"Origin": "http://localhost:8000"}, "origin http://localhost:8000"),
        ("POST", {"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site: cross-site"),
        ("POST", {"Sec-Fetch-Site": "same-site"}, "Sec-Fetch-Site: same-site"),
        ("OPTIONS", {"Origin": "http://evil.example"}, "origin http://evil.example"),
        ("POST", {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}, None),
        ("POST", {"Origin": "HTTP://127.0.0.1:8000"}, None),
        ("POST", {"Sec-Fetch-Site": "none"}, None),
        ("POST", {}, None),  # curl, the Python clients, the 1.4 client
        ("GET", {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, None),
        ("HEAD", {"Sec-Fetch-Site": "cross-site"}, None),
    ],
)
def test_state_changing_calls_from_other_origins_are_refused(
    method: str, headers: dict[str, str], refused: str | None
) -> None:
    why = refusal(LOOPBACK, method, {"Host": "127.0.0.1:8000", **headers})
    if refused is None:
        assert why is None
    else:
        assert why is not None and refused in why and f"{method} /api/v1/presets refused" in why


def test_mock_traffic_may_come_from_any_origin_but_not_any_host() -> None:
    cross = {"Host": "127.0.0.1:8000", "Origin": "http://app.test", "Sec-Fetch-Site": "cross-site"}
    assert refusal(LOOPBACK, "POST", cross, control=False) is None
    assert refusal(LOOPBACK, "POST", {**cross, "Host": "app.test"}, control=False) is not None


def test_off_loopback_any_host_but_still_no_cross_origin_writes() -> None:
    gate = Gate.of(Settings(host="0.0.0.0", token="t"))
    assert refusal(gate, "POST", {"Host": "build-box:8000"}) is None
    foreign = {"Host": "build-box:8000", "Origin": "http://evil.example"}
    assert refusal(gate, "POST", foreign) is not None
