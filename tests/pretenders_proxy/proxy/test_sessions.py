"""Sessions of proxied traffic: the proxy user name, stripped before the request goes on."""

import base64

import pytest
from mitmproxy.test import taddons, tflow

from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.proxy.sessions import PROXY_AUTHORIZATION, SessionRouter, user_of
from pretenders_proxy.proxy.tags import session_of
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.mark.parametrize(
    ("authorization", "user"),
    [
        (basic("alice:x"), "alice"),
        (basic("bob"), "bob"),
        (basic(":x"), None),
        ("Bearer abc", None),
        ("Basic not-base64!", None),
        ("Basic " + base64.b64encode(b"\xff:x").decode(), None),
    ],
)
def test_user_of(authorization: str, user: str | None) -> None:
    assert user_of(authorization) == user


def test_each_request_is_tagged_with_its_session_and_loses_the_credentials() -> None:
    runtime = Runtime()
    router = SessionRouter(runtime, SessionPorts(runtime))
    with taddons.context(router):
        flow = tflow.tflow()
        flow.request.headers[PROXY_AUTHORIZATION] = basic("alice:x")
        router.requestheaders(flow)
        anonymous = tflow.tflow()
        router.requestheaders(anonymous)
    assert session_of(flow) == "alice" and PROXY_AUTHORIZATION not in flow.request.headers
    assert runtime.store.find("alice") is not None
    assert session_of(anonymous) == "default"


def test_requests_in_a_tunnel_inherit_the_credentials_of_its_connect() -> None:
    router = SessionRouter(runtime := Runtime(), SessionPorts(runtime))
    with taddons.context(router):
        connect = tflow.tflow()
        connect.request.method = "CONNECT"
        connect.request.headers[PROXY_AUTHORIZATION] = basic("carol:x")
        router.http_connect(connect)
        inside = tflow.tflow()
        inside.client_conn = connect.client_conn
        router.requestheaders(inside)
    assert session_of(inside) == "carol"


def test_what_a_client_sends_that_is_not_http_belongs_to_its_connect_or_its_last_request() -> None:
    runtime = Runtime()
    router = SessionRouter(runtime, SessionPorts(runtime))
    connect = tflow.tflow()
    connect.request.method = "CONNECT"
    connect.request.headers[PROXY_AUTHORIZATION] = basic("dave:x")
    router.http_connect(connect)
    tunnel = connect.client_conn
    assert router.session_of_client(tunnel).name == "dave"
    assert runtime.store.find("dave") is not None  # opened as HTTP requests open it
    inside = tflow.tflow()
    inside.client_conn = tunnel
    inside.request.headers[PROXY_AUTHORIZATION] = basic("erin:x")
    router.requestheaders(inside)  # e.g. a 101 that switches this connection to raw TCP
    assert router.session_of_client(tunnel).name == "erin"
    assert router.session_of_client(tflow.tclient_conn()).name == "default"


def test_a_new_session_name_past_max_sessions_is_answered_429_and_not_journaled() -> None:
    runtime = Runtime(Settings(max_sessions=1))
    router = SessionRouter(runtime, SessionPorts(runtime))
    with taddons.context(router):
        flow = tflow.tflow()
        flow.request.headers[PROXY_AUTHORIZATION] = basic("dave:x")
        router.requestheaders(flow)
        known = tflow.tflow()
        router.requestheaders(known)
    assert flow.response is not None and flow.response.status_code == 429
    assert b"(--max-sessions 1)" in flow.response.content
    assert session_of(flow) == "dave" and runtime.store.find("dave") is None
    assert known.response is None and session_of(known) == "default"


@pytest.mark.parametrize(
    ("values", "session"),
    [
        ([basic("carol:x"), basic("dave:y")], "default"),  # joined: no one credential
        ([""], "default"),
        (["Bearer abc"], "default"),
        ([basic("erin:z")], "erin"),
    ],
)
def test_every_proxy_authorization_header_is_removed_whatever_it_says(
    values: list[str], session: str
) -> None:
    runtime = Runtime()
    router = SessionRouter(runtime, SessionPorts(runtime))
    flow = tflow.tflow()
    flow.request.headers.set_all(PROXY_AUTHORIZATION.lower(), values)
    with taddons.context(router):
        router.requestheaders(flow)
    assert session_of(flow) == session
    assert flow.request.headers.get_all(PROXY_AUTHORIZATION) == []
