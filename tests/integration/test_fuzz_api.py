"""schemathesis against our own OpenAPI document: every v1 and 1.4 operation, driven with
generated input at a real server, answers without a 5xx, in time, as the document says."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pretenders_proxy.api.app import routes
from pretenders_proxy.api.openapi import document
from pretenders_proxy.testing.launcher import RunningServer, launch

SPEC = document(routes())
SCHEMA = schemathesis.openapi.from_dict(SPEC)
STREAMS = {"/api/v1/events"}  # server-sent events: an answer that never ends, on purpose
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, operations in SPEC["paths"].items()
    for method in operations
    if path not in STREAMS and not path.startswith("/mockhttp/")
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("PRETENDERS_FUZZ_EXAMPLES", "8"))
"""Per operation; the suite stays quick. A deeper run: PRETENDERS_FUZZ_EXAMPLES=100."""


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own: the fuzzer deletes sessions and opens SMTP mocks at will."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    args = ["--cassette-dir", str(folder), "--smtp-port-range", "0"]
    with launch(args, confdir=folder) as server:
        yield server


def test_the_document_covers_the_v1_and_14_apis() -> None:
    assert {"GET /api/v1/requests", "PUT /api/v1/mode", "POST /http", "GET /history/{id}"} <= set(
        OPERATIONS
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generated_calls_get_no_5xx_and_match_the_document(
    fuzzed: RunningServer, operation: str
) -> None:
    method, path = operation.split(" ", 1)
    strategy = SCHEMA[path][method].as_strategy()
    http = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # nothing written into the checkout
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        if "wait" in (case.query or {}):
            case.query["wait"] = 0  # a long-poll must not turn the fuzz into a wait
        answer = case.call(base_url=fuzzed.control, session=http, timeout=15)
        case.validate_response(answer, checks=CHECKS)

    call()
