"""The one definition of an app's variables: proxies, CA bundles, Node's and Java's options."""

from pathlib import Path

import pytest

from pretenders_proxy.environment.variables import (
    CA_VARIABLES,
    Files,
    java_options,
    no_proxy,
    variables,
)

FILES = Files(Path("/c/b.pem"), Path("/c/t.p12"), Path("/c/proxy.cjs"), Path("/c/wgetrc"))


def test_proxies_in_both_cases_and_the_bundle_for_every_tool() -> None:
    found = dict(variables("http://p:1", ["h:2", "l:2"], FILES))
    assert found["HTTPS_PROXY"] == found["http_proxy"] == "http://p:1"
    assert found["NO_PROXY"] == found["no_proxy"] == "h:2,l:2"
    assert {found[name] for name in CA_VARIABLES} == {"/c/b.pem"}
    for name in ("SSL_CERT_FILE", "GIT_SSL_CAINFO", "PIP_CERT", "AWS_CA_BUNDLE"):
        assert name in CA_VARIABLES
    assert found["NODE_OPTIONS"] == "--require=/c/proxy.cjs"
    assert found["NODE_USE_ENV_PROXY"] == "1"
    assert found["WGETRC"] == "/c/wgetrc"


def test_java_gets_the_proxy_hosts_without_ports_and_the_truststore() -> None:
    options = java_options("http://127.0.0.1:9090", ["127.0.0.1:8000", "localhost:8000"], FILES)
    assert options.split() == [
        "-Dhttp.proxyHost=127.0.0.1",
        "-Dhttp.proxyPort=9090",
        "-Dhttps.proxyHost=127.0.0.1",
        "-Dhttps.proxyPort=9090",
        "-Dhttp.nonProxyHosts=127.0.0.1|localhost",
        "-Djavax.net.ssl.trustStore=/c/t.p12",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        "-Djavax.net.ssl.trustStorePassword=changeit",
    ]


def test_what_the_app_had_in_node_and_java_options_stays_and_ours_comes_once() -> None:
    inherited = {"NODE_OPTIONS": "--max-old-space-size=512", "JAVA_TOOL_OPTIONS": "-Xmx1g"}
    first = dict(variables("http://p:1", [], FILES, inherited))
    assert first["NODE_OPTIONS"] == "--max-old-space-size=512 --require=/c/proxy.cjs"
    assert first["JAVA_TOOL_OPTIONS"].startswith("-Xmx1g -Dhttp.proxyHost=p ")
    again = dict(variables("http://p:1", [], FILES, first))  # a run inside a run
    assert again["NODE_OPTIONS"] == first["NODE_OPTIONS"]
    assert again["JAVA_TOOL_OPTIONS"] == first["JAVA_TOOL_OPTIONS"]


def test_paths_with_spaces_are_quoted_as_node_and_the_jvm_split_them() -> None:
    spaced = Files(Path("/a b/b.pem"), Path("/a b/t.p12"), Path("/a b/p.cjs"), Path("/a b/w"))
    found = dict(variables("http://p:1", [], spaced))
    assert found["NODE_OPTIONS"] == '--require="/a b/p.cjs"'
    assert '-Djavax.net.ssl.trustStore="/a b/t.p12"' in found["JAVA_TOOL_OPTIONS"]
    assert found["SSL_CERT_FILE"] == "/a b/b.pem"  # a variable holding a path: as it is


@pytest.mark.parametrize(
    ("host", "kept_out"),
    [
        ("127.0.0.1", ["127.0.0.1:8000", "localhost:8000"]),
        ("localhost", ["127.0.0.1:8000", "localhost:8000"]),
        ("10.0.0.5", ["10.0.0.5:8000"]),
    ],
)
def test_no_proxy_names_the_control_api_and_both_names_of_loopback(
    host: str, kept_out: list[str]
) -> None:
    assert no_proxy(host, 8000) == kept_out
