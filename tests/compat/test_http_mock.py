"""The pretenders 1.4 HTTP mock scenarios, run with the original 1.4.5 client from PyPI and with
ours, against a real `pretenders serve` process."""

import http.client
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pretenders.client.http
import pretenders.common.constants
import pretenders.common.exceptions
import pytest
import requests

import pretenders_proxy.client.http
import pretenders_proxy.constants
import pretenders_proxy.errors
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.replies import BOTH_REPLY_PATHS

pytestmark = BOTH_REPLY_PATHS

CLIENTS = {
    "original-1.4.5": SimpleNamespace(
        HTTPMock=pretenders.client.http.HTTPMock,
        FOREVER=pretenders.common.constants.FOREVER,
        errors=pretenders.common.exceptions,
    ),
    "ours": SimpleNamespace(
        HTTPMock=pretenders_proxy.client.http.HTTPMock,
        FOREVER=pretenders_proxy.constants.FOREVER,
        errors=pretenders_proxy.errors,
    ),
}


@pytest.fixture(params=list(CLIENTS))
def lib(request: pytest.FixtureRequest) -> SimpleNamespace:
    return CLIENTS[request.param]


@pytest.fixture
def new_mock(lib: SimpleNamespace, server: RunningServer) -> Iterator[Callable[..., Any]]:
    """Make HTTPMocks on `server` (or another server); their connections close after the test."""
    made: list[Any] = []

    def make(*args: Any, on: RunningServer = server, **kwargs: Any) -> Any:
        made.append(lib.HTTPMock(on.host, on.port, *args, **kwargs))
        return made[-1]

    yield make
    for mock in made:
        if hasattr(mock, "connection"):  # the original client keeps one connection open
            mock.connection.close()


@pytest.fixture
def mock(new_mock: Callable[..., Any]) -> Any:
    return new_mock()


def call(
    mock: Any,
    method: str,
    url: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """What the app under test does: call the mock's URL (as the 1.4 test suite's fake client)."""
    host, port = mock.pretend_access_point.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, mock.pretend_access_path + url, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def statuses(mock: Any, *requests_: tuple[str, str]) -> list[int]:
    return [call(mock, method, url)[0] for method, url in requests_]


def test_reply_then_history_records_the_request(mock: Any) -> None:
    mock.when("POST /fred/test/one").reply(b"You tested fred well", 200)
    status, _, body = call(mock, "POST", "/fred/test/one")
    assert (status, body) == (200, b"You tested fred well")
    seen = mock.get_request(0)
    assert (seen.method, seen.url, seen.body) == ("POST", "/fred/test/one", b"")


def test_wrong_method_is_a_404_and_still_in_history(mock: Any) -> None:
    mock.when("POST /fred/test/one").reply(b"x", 200)
    assert call(mock, "GET", "/fred/test/another")[0] == 404
    assert call(mock, "GET", "/test/two?a=1&b=2")[0] == 404
    assert [r.url for r in mock.get_request()] == ["/fred/test/another", "/test/two?a=1&b=2"]
    assert mock.get_request(1).method == "GET"


def test_times_counts_down_then_404(mock: Any) -> None:
    mock.when("POST").reply(status=202, times=3)
    assert statuses(mock, *[("POST", "/some/strange/12121/string")] * 4) == [202, 202, 202, 404]


def test_forever_never_runs_out(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("POST").reply(status=202, times=lib.FOREVER)
    assert statuses(mock, *[("POST", "/x")] * 10) == [202] * 10


@pytest.mark.parametrize("times", [0, -2])
def test_times_zero_or_negative_is_a_configuration_error(
    mock: Any, lib: SimpleNamespace, times: int
) -> None:
    with pytest.raises(lib.errors.ConfigurationError, match="greater than zero"):
        mock.when("POST").reply(status=202, times=times)


def test_presets_are_tried_in_creation_order_flat(mock: Any) -> None:
    mock.when(".*").reply(status=201)
    mock.when("GET /a").reply(status=202)
    mock.when(".*").reply(status=203)
    assert statuses(mock, *[("GET", "/a")] * 3) == [201, 202, 203]


def test_method_regexes(mock: Any) -> None:
    mock.when("GET /test_get").reply(b"get", 200)
    mock.when("POST /test_post").reply(b"post", 201)
    mock.when(".* /test_star").reply(b"star", 202)
    mock.when(".* /test_star").reply(b"star", 202)
    mock.when("(PUT|POST) /test_put_or_post").reply(b"put or post", 203)
    assert statuses(
        mock,
        ("POST", "/test_get"),
        ("GET", "/test_get"),
        ("GET", "/test_get"),
        ("GET", "/test_post"),
        ("POST", "/test_post"),
        ("POST", "/test_post"),
        ("GET", "/test_star"),
        ("POST", "/test_star"),
        ("POST", "/test_star"),
        ("GET", "/test_put_or_post"),
        ("PUT", "/test_put_or_post"),
        ("POST", "/test_put_or_post"),
    ) == [404, 200, 404, 404, 201, 404, 202, 202, 404, 404, 203, 404]


def test_url_regexes_and_query_strings(mock: Any) -> None:
    for _ in range(2):
        mock.when(r"^GET /something/([a-zA-Z0-9\-_]*)/?").reply(status=200)
    mock.when(r"GET /search\?q=cats").reply(status=207)
    assert statuses(
        mock,
        ("GET", "/something/fred"),
        ("GET", "/something/10dDf"),
        ("GET", "/something/x"),
        ("GET", "/search?q=dogs"),
        ("GET", "/search?q=cats&page=2"),
    ) == [200, 200, 404, 404, 207]


def test_empty_rule_matches_anything(mock: Any) -> None:
    mock.reply(b"Hello", 323)
    status, _, body = call(mock, "POST", "/some/strange/12121/string")
    assert (status, body) == (323, b"Hello")


def test_nonstandard_status_goes_out_as_is(mock: Any) -> None:
    mock.when("GET /odd").reply(b"", status=601)
    assert call(mock, "GET", "/odd")[0] == 601


def test_header_matching_takes_the_first_matching_preset(mock: Any) -> None:
    mock.when("GET /h", headers={"Some-Header": "A"}).reply(b"", status=500)
    mock.when("GET /h", headers={"Another-Header": "A"}).reply(b"", status=200)
    mock.when("GET /h").reply(b"", status=400)
    assert call(mock, "GET", "/h", headers={"Another-Header": "A"})[0] == 200
    assert call(mock, "GET", "/h")[0] == 400


def test_etag_workflow(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("GET /etag", headers={"If-None-Match": "A12345"}).reply(
        b"", status=304, times=lib.FOREVER
    )
    mock.when("GET /etag").reply(
        b"Test etag", status=200, headers={"Etag": "A12345"}, times=lib.FOREVER
    )
    status, response, body = call(mock, "GET", "/etag")
    assert (status, response.getheader("Etag"), body) == (200, "A12345", b"Test etag")
    for _ in range(2):
        assert call(mock, "GET", "/etag", headers={"If-None-Match": "A12345"})[0] == 304


def test_body_regex(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("POST /hello", body="1.*").reply(b"First", times=lib.FOREVER)
    mock.when("POST /hello", body="2.*").reply(b"Second", times=lib.FOREVER)
    assert call(mock, "POST", "/hello", body="123")[2] == b"First"
    assert call(mock, "POST", "/hello", body="234")[2] == b"Second"
    assert call(mock, "POST", "/hello", body="345")[0] == 404


def test_form_data_urlencoded_without_content_type(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("POST /hello", data={"one": "first"}).reply(b"First", times=lib.FOREVER)
    mock.when("POST /hello", data={"two": "second"}).reply(b"Second", times=lib.FOREVER)
    assert call(mock, "POST", "/hello", body="one=first")[2] == b"First"
    assert call(mock, "POST", "/hello", body="two=second")[2] == b"Second"
    assert call(mock, "POST", "/hello", body="other=values")[0] == 404


def test_form_data_multipart(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("POST /upload", data={"one": "first", "two": "second"}).reply(
        b"multipart", times=lib.FOREVER
    )
    url = mock.pretend_url + "/upload"
    fields = {"one": (None, "first"), "two": (None, "second")}
    answer = requests.post(url, files=fields, timeout=10)
    assert (answer.status_code, answer.content) == (200, b"multipart")
    assert requests.post(url, files={"one": (None, "other")}, timeout=10).status_code == 404


def test_delayed_reply_does_not_delay_other_requests(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("GET /slow").reply(b"slow", after=2, times=lib.FOREVER)
    mock.when("GET /fast").reply(b"fast", times=lib.FOREVER)
    slow: list[bytes] = []
    waiting = threading.Thread(target=lambda: slow.append(call(mock, "GET", "/slow")[2]))
    waiting.start()
    try:
        time.sleep(0.2)  # let the slow request reach the server first
        assert call(mock, "GET", "/fast")[2] == b"fast"
        assert waiting.is_alive(), "the fast reply had to wait for the delayed one"
    finally:
        waiting.join()
    assert slow == [b"slow"]


def test_client_gives_up_on_a_long_delay(mock: Any, lib: SimpleNamespace) -> None:
    mock.when("GET /long").reply(b"", after=3, times=lib.FOREVER)
    with pytest.raises(socket.timeout):
        call(mock, "GET", "/long", timeout=0.5)
    assert mock.get_request(0).url == "/long"  # recorded on arrival


def test_two_mocks_are_isolated(lib: SimpleNamespace, new_mock: Callable[..., Any]) -> None:
    one, two = new_mock(), new_mock()
    one.when("GET /one").reply(b"", 201, times=lib.FOREVER)
    two.when("GET /two").reply(b"", 200, times=lib.FOREVER)
    assert statuses(one, ("GET", "/one"), ("GET", "/two")) == [201, 404]
    assert statuses(two, ("GET", "/two"), ("GET", "/one")) == [200, 404]
    assert [r.url for r in one.get_request()] == ["/one", "/two"]


def test_named_mocks_are_reused_by_name(
    new_mock: Callable[..., Any], server: RunningServer
) -> None:
    name = f"fred-{uuid.uuid4().hex[:8]}"
    first = new_mock(timeout=5, name=name)
    other = new_mock(timeout=5, name=name + "-2")
    again = new_mock(name=name)
    assert first.pretend_access_path == f"/mockhttp/{name}"
    assert first.pretend_url == f"http://{server.host}:{server.port}/mockhttp/{name}"
    call(first, "GET", "/h1")
    call(other, "GET", "/h2")
    call(again, "GET", "/h3")
    assert [r.url for r in first.get_request()] == ["/h1", "/h3"]
    assert [r.url for r in again.get_request()] == ["/h1", "/h3"]
    assert other.get_request(0).url == "/h2"
    first.delete_mock()
    other.delete_mock()


def test_history_list_and_item(mock: Any, control: str) -> None:
    assert mock.get_request() == []
    assert mock.get_request(0) is None
    for url in ("/call_one", "/call_two", "/call_three"):
        call(mock, "GET", url)
    assert [r.url for r in mock.get_request()] == ["/call_one", "/call_two", "/call_three"]
    listed = requests.get(f"{control}/history/{mock.pretend_access_point_id}", timeout=10).json()
    assert [item["url"] for item in listed] == ["/call_one", "/call_two", "/call_three"]
    assert listed[0]["rule"] == "GET /call_one"


def test_presets_listed_in_creation_order(mock: Any, control: str) -> None:
    for rule, status in ((".* /test_500", 500), (".* /test_410", 410), (".* /test_200", 200)):
        mock.when(rule).reply(status=status)
    listed = requests.get(f"{control}/preset/{mock.pretend_access_point_id}", timeout=10).json()
    assert [(p["status"], p["rule"]["rule"]) for p in listed] == [
        (500, ".* /test_500"),
        (410, ".* /test_410"),
        (200, ".* /test_200"),
    ]


def test_reset_forgets_presets_and_history(mock: Any) -> None:
    mock.when("POST /x").reply(b"x")
    call(mock, "GET", "/y")
    mock.reset()
    assert mock.get_request() == []
    assert call(mock, "POST", "/x")[0] == 404


def test_get_pretender_describes_the_mock(
    lib: SimpleNamespace, new_mock: Callable[..., Any]
) -> None:
    mock = new_mock(timeout=5)
    pretender = mock.get_pretender()
    assert pretender.name == mock.pretend_access_point_id
    assert pretender.timeout.seconds == 5
    assert pretender.last_call == pretender.start
    forever = new_mock(timeout=lib.FOREVER)
    assert forever.get_pretender().timeout == lib.FOREVER


def test_deleted_mock_is_gone(mock: Any, lib: SimpleNamespace) -> None:
    mock.delete_mock()
    with pytest.raises(lib.errors.ResourceNotFound):
        mock.get_pretender()
    assert call(mock, "GET", "/anything")[0] == 404
    with pytest.raises(Exception, match="Delete failed"):
        mock.delete_mock()


def test_unknown_mock_is_a_404(control: str) -> None:
    assert requests.get(f"{control}/mockhttp/non-existent/hello", timeout=10).status_code == 404


def test_expired_mock_refuses_presets_and_is_swept(
    lib: SimpleNamespace, new_mock: Callable[..., Any]
) -> None:
    mock = new_mock(timeout=0.3)
    call(mock, "GET", "/some_url")
    assert mock.get_request(0).url == "/some_url"
    time.sleep(0.8)  # timeout 0.3 s plus the 0.2 s sweep period of this server, with room
    with pytest.raises(lib.errors.ResourceNotFound):
        mock.get_pretender()
    assert mock.get_request(0) is None
    with pytest.raises(lib.errors.ConfigurationError):
        mock.when("GET /late").reply(b"")


def test_mock_in_use_survives_its_timeout(new_mock: Callable[..., Any]) -> None:
    mock = new_mock(timeout=1)
    for _ in range(4):
        time.sleep(0.5)
        mock.get_pretender()
        call(mock, "GET", "/some_url")
    assert len(mock.get_request()) == 4


@pytest.fixture(scope="module")
def slow_sweeper(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with launch(["--stale-period", "3600"], confdir=tmp_path_factory.mktemp("conf")) as running:
        yield running


def test_expired_mock_refuses_presets_before_any_sweep(
    lib: SimpleNamespace, new_mock: Callable[..., Any], slow_sweeper: RunningServer
) -> None:
    mock = new_mock(timeout=0.2, on=slow_sweeper)
    time.sleep(0.4)
    with pytest.raises(lib.errors.ConfigurationError, match="expired"):
        mock.when("GET /late").reply(b"")
