"""`pretenders cassette drift` (issue 17): a cassette recorded through a real pretenders (with
--map-host: the name resolves nowhere) is sent again to a live local upstream by the command,
run as a user runs it; exit 0 while the upstream is unchanged, 1 naming what drifted."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.cassette.reading import Reader
from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import run_pretenders
from tests.integration.tlsca import MAPPED_NAME, LocalCA
from tests.integration.upstream import Upstream

USERS = f"https://{MAPPED_NAME}/users/1"
TITLE = f"#0 GET {USERS}"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, confdir: Path) -> Iterator[Path]:
    """GET /users/1 (JSON) and /hello (text), then POST /counter, recorded from an upstream
    that is gone since: each test maps the name to its own fresh upstream."""
    upstream = Upstream()
    cassette = tmp_path_factory.mktemp("drift") / "api.cassette"
    mapping = f"{MAPPED_NAME}=http://127.0.0.1:{upstream.port}"
    with launch(["--map-host", mapping, str(cassette)], confdir=confdir, command="record") as rec:
        proxies = {"http": rec.proxy, "https": rec.proxy}
        ca = str(confdir / "mitmproxy-ca-cert.pem")
        for method, path in [("GET", "/users/1"), ("GET", "/hello"), ("POST", "/counter")]:
            url = f"https://{MAPPED_NAME}{path}"
            answer = requests.request(method, url, proxies=proxies, verify=ca, timeout=10)
            assert answer.status_code in (200, 201)
    upstream.stop()
    yield cassette


@pytest.fixture
def cassette(recorded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(recorded, tmp_path / "api.cassette"))


def drift(cassette: Path, upstream: Upstream, *flags: str) -> tuple[int, str]:
    mapping = f"{MAPPED_NAME}=http://127.0.0.1:{upstream.port}"
    done = run_pretenders("cassette", "drift", str(cassette), "--map-host", mapping, *flags)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def test_nothing_drifts_against_the_unchanged_upstream(cassette: Path, upstream: Upstream) -> None:
    status, said = drift(cassette, upstream)
    assert status == 0, said
    assert said.strip().splitlines()[-1] == (
        "2 checked: 0 drifted, 2 unchanged, 1 skipped (unsafe method: --unsafe sends it)"
    )


def test_a_field_whose_type_changed_is_named(cassette: Path, upstream: Upstream) -> None:
    upstream.user = {"user": {"id": "1", "name": "Ada", "roles": ["admin"]}, "at": "now"}
    upstream.extra_headers["X-New"] = "1"
    status, said = drift(cassette, upstream)
    assert status == 1
    block = said.split("\n\n")[0].splitlines()
    assert block == [TITLE, "  header added: x-new", "  json:$.user.id: int vs str"]
    assert f"#1 GET https://{MAPPED_NAME}/hello\n  header added: x-new" in said
    assert "2 checked: 2 drifted, 0 unchanged" in said


def test_values_are_compared_only_when_asked(cassette: Path, upstream: Upstream) -> None:
    upstream.user = {"user": {"id": 1, "name": "Bob", "roles": ["admin", "ops"]}, "at": "later"}
    assert drift(cassette, upstream)[0] == 0  # the same structure (a list's length is data)
    status, said = drift(cassette, upstream, "--values")
    assert status == 1
    assert '  json:$.user.name: "Ada" vs "Bob"' in said
    assert '  json:$.user.roles[1]: (absent) vs "ops"' in said


def test_unsafe_requests_are_sent_only_with_unsafe(cassette: Path, upstream: Upstream) -> None:
    def counter() -> str:
        return requests.get(upstream.url + "/counter", timeout=10).text

    assert drift(cassette, upstream)[0] == 0 and counter() == "0"
    status, said = drift(cassette, upstream, "--unsafe")
    assert counter() == "1"  # the recorded POST /counter was sent
    assert status == 0 and "3 checked: 0 drifted, 3 unchanged" in said, said


def test_ignored_parts_are_not_reported(cassette: Path, upstream: Upstream) -> None:
    upstream.user = {"user": {"id": 1, "name": "Ada", "roles": ["admin"]}, "at": 1733500000}
    upstream.extra_headers["X-Trace"] = "t-1"
    status, said = drift(cassette, upstream)
    assert status == 1 and "json:$.at: str vs int" in said and "header added: x-trace" in said
    status, said = drift(cassette, upstream, "--ignore", "json:$.at", "--ignore", "header:X-Trace")
    assert status == 0, said
    with Reader(cassette) as reader:  # the cassette's own ignore list counts as well
        head, exchanges = reader.header, [stored.exchange for stored in reader]
    writing.rewrite(cassette, head | {"ignore": ["json:$..at"]}, exchanges)
    status, said = drift(cassette, upstream, "--ignore", "header:x-trace")
    assert status == 0, said


def test_an_unreachable_upstream_is_drift_naming_the_error(
    cassette: Path, upstream: Upstream
) -> None:
    upstream.stop()
    status, said = drift(cassette, upstream)
    assert status == 1
    assert f"{TITLE}\n  error: no answer from 127.0.0.1:{upstream.port}: ConnectError" in said


def test_the_json_report(cassette: Path, upstream: Upstream) -> None:
    upstream.user = {"user": {"id": 1.5, "roles": ["admin"]}, "at": "x"}
    status, said = drift(cassette, upstream, "--json")
    report = json.loads(said)
    assert status == 1
    assert (report["checked"], report["drifted"], report["skipped"]) == (2, 1, 1)
    users = report["exchanges"][0]
    assert (users["url"], users["drifted"], users["error"]) == (USERS, True, None)
    assert users["differences"] == [  # 1 vs 1.5: one JSON number type, no drift of structure
        {"part": "json:$.user.name", "recorded": "str", "live": "(absent)",
         "line": "json:$.user.name: str vs (absent)"}
    ]  # fmt: skip
    assert report["skipped_exchanges"][0]["method"] == "POST"


def test_tls_upstream_trusted_by_upstream_ca_with_the_original_name(
    cassette: Path, tls_upstream: Upstream, local_ca: LocalCA
) -> None:
    mapping = f"{MAPPED_NAME}=127.0.0.1:{tls_upstream.port}"  # https kept: TLS to the name
    flags = ["cassette", "drift", str(cassette), "--map-host", mapping]
    untrusted = run_pretenders(*flags)
    trusted = run_pretenders(*flags, "--upstream-ca", str(local_ca.ca_cert))
    assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stdout
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert set(tls_upstream.server_names) == {MAPPED_NAME}


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--ignore", "json:$.a["], "unclosed bracket"),
        (["--map-host", "nonsense"], "NAME[:PORT]=[SCHEME://]HOST[:PORT]"),
        (["--upstream-ca", "/nonexistent.pem"], "--upstream-ca /nonexistent.pem"),
    ],
)
def test_bad_input_is_exit_status_2_naming_it(cassette: Path, flags: list[str], named: str) -> None:
    done = run_pretenders("cassette", "drift", str(cassette), *flags)
    assert done.returncode == 2 and named in done.stderr and "Traceback" not in done.stderr


def test_a_file_that_is_no_cassette_is_exit_status_2(tmp_path: Path) -> None:
    (tmp_path / "no.cassette").write_bytes(b"not msgpack at all")
    done = run_pretenders("cassette", "drift", str(tmp_path / "no.cassette"))
    assert done.returncode == 2 and "not a pretenders cassette" in done.stderr
