"""The example project (an app run as a subprocess, tested with the plugin): the first run
records, the second replays with the upstream gone; the record modes behave as VCR.py's."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.tlsca import LocalCA, make_ca
from tests.integration.upstream import Upstream

PROJECT = Path(__file__).with_name("project")
CASSETTE = Path("cassettes/test_checkout/test_an_order_is_charged_and_mailed.cassette")


@pytest.fixture
def tls_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Upstream, LocalCA]]:
    ca = make_ca(tmp_path_factory.mktemp("api-ca"))
    api = Upstream(ca)
    yield api, ca
    api.stop()


@pytest.fixture
def project(
    pytester: pytest.Pytester, tls_api: tuple[Upstream, LocalCA], monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    api, ca = tls_api
    for name in ("app.py", "test_checkout.py"):
        shutil.copy(PROJECT / name, pytester.path / name)
    pytester.makeini(f"[pytest]\npretenders_args = --upstream-ca {ca.ca_cert}\n")
    monkeypatch.setenv("SHOP_API", api.url)
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio", *args)


def test_first_run_records_then_replays_with_the_api_gone(
    project: pytest.Pytester, tls_api: tuple[Upstream, LocalCA]
) -> None:
    api, _ = tls_api
    run(project, "--record-mode=once").assert_outcomes(passed=1)
    cassette = project.path / CASSETTE
    assert cassette.stat().st_size > 0 and api.connections > 0
    api.stop()
    run(project, "--record-mode=once").assert_outcomes(passed=1)
    run(project, "--record-mode=none").assert_outcomes(passed=1)


def test_record_mode_none_needs_a_cassette(project: pytest.Pytester) -> None:
    result = run(project, "--record-mode=none")
    result.assert_outcomes(errors=1)  # at setup, by the fixture
    result.stdout.fnmatch_lines(
        [
            "*cassette does not exist, and record mode none never records"
            " (record it with --record-mode=once)*"
        ]
    )
    assert not (project.path / CASSETTE).exists()


def test_record_mode_all_records_anew(
    project: pytest.Pytester, tls_api: tuple[Upstream, LocalCA]
) -> None:
    api, _ = tls_api
    run(project, "--record-mode=once").assert_outcomes(passed=1)
    size, seen = (project.path / CASSETTE).stat().st_size, api.connections
    run(project, "--record-mode=all").assert_outcomes(passed=1)
    assert api.connections > seen  # went to the API again
    assert (project.path / CASSETTE).stat().st_size == size  # re-recorded, not appended


def test_new_episodes_replays_the_old_and_records_the_new(
    project: pytest.Pytester, tls_api: tuple[Upstream, LocalCA]
) -> None:
    api, _ = tls_api
    run(project, "--record-mode=once").assert_outcomes(passed=1)
    size = (project.path / CASSETTE).stat().st_size
    project.makepyfile(
        test_checkout=(PROJECT / "test_checkout.py")
        .read_text()
        .replace('"order-42"', '"order-43"')
        .replace("order=order-42", "order=order-43")
        .replace("Order order-42", "Order order-43")
    )
    seen = api.connections
    run(project, "--record-mode=once").assert_outcomes(failed=1)  # a new request: a miss
    run(project, "--record-mode=new_episodes").assert_outcomes(passed=1)
    assert api.connections > seen
    assert (project.path / CASSETTE).stat().st_size > size  # the new charge was appended
