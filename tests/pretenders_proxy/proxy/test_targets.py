"""OriginForm: what the forward proxy says to an origin-form request (the refusal itself is
exercised in test_internals.py, and against a real server with a counting upstream in
tests/integration/test_web_attacks.py)."""

import pytest
from mitmproxy.proxy.layers import http as http_layers
from mitmproxy.test import taddons, tutils

from pretenders_proxy.proxy.targets import OriginForm, refusal


def test_the_refusal_names_the_request_and_its_host() -> None:
    request = tutils.treq(host="", port=0, path=b"/api/v1/requests")
    request.headers["Host"] = "evil.example:8080"
    said = refusal(request)
    assert "GET /api/v1/requests with Host: evil.example:8080" in said
    assert "GET http://host/path or CONNECT host:port" in said


def test_a_long_path_is_cut_in_the_message() -> None:
    request = tutils.treq(path=b"/" + b"a" * 5000)
    assert len(refusal(request)) < 500


def test_loading_it_makes_mitmproxy_refuse_origin_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_layers, "validate_request", http_layers.validate_request)
    with taddons.context(OriginForm()):
        pass
    validate = http_layers.validate_request
    origin_form = tutils.treq(host="", port=0, path=b"/x")
    assert "forward proxy" in str(validate(http_layers.HTTPMode.regular, origin_form, False))
    assert validate(http_layers.HTTPMode.transparent, origin_form, False) is None
    assert validate(http_layers.HTTPMode.regular, tutils.treq(), False) is None
