"""The edge between mitmproxy's HTTP objects and the model: both ways, bytes kept as they are."""

import pytest
from mitmproxy import http
from mitmproxy.test import tflow, tutils
from wsproto.frame_protocol import CloseReason

from pretenders_proxy.model import grpc
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.journal import TrafficProtocol, talk_of
from pretenders_proxy.model.preset import Reply
from pretenders_proxy.proxy.convert import (
    connection_request,
    conversation_from_flow,
    error_to_flow,
    exchange_from_flow,
    flow_response,
    pretty_host,
    refused_request,
    reply_to_flow,
    request_from_flow,
    request_of,
    response_from_flow,
    response_to_flow,
    wire_of,
)
from pretenders_proxy.shared import codec


def test_a_request_keeps_its_raw_path_query_headers_and_body() -> None:
    raw = tutils.treq(path=b"/caf%C3%A9?b=2&a=1", content=b"\x00body", headers=http.Headers(X=b"1"))
    request = request_from_flow(raw)
    assert (request.path, request.query, request.body) == (b"/caf%C3%A9", b"b=2&a=1", b"\x00body")
    assert request.headers == ((b"X", b"1"),)
    assert (request.scheme, request.host, request.port) == ("http", "address", 22)


@pytest.mark.parametrize(
    ("target", "path"), [(b"example.com:443", b"/example.com:443"), (b"*", b"*")]
)
def test_targets_without_a_leading_slash(target: bytes, path: bytes) -> None:
    assert request_from_flow(tutils.treq(path=target)).path == path


def test_the_request_is_converted_once_per_flow() -> None:
    flow = tflow.tflow()
    assert request_of(flow) is request_of(flow)
    assert "pretenders" not in flow.metadata  # kept off what mitmproxy saves


def test_a_made_response_gets_a_content_length_unless_it_says_how_it_ends() -> None:
    made = flow_response(201, ((b"X", b"1"),), b"made")
    assert (made.status_code, made.reason, made.raw_content) == (201, "Created", b"made")
    assert made.headers.fields == ((b"X", b"1"), (b"Content-Length", b"4"))
    chunked = flow_response(200, ((b"Transfer-Encoding", b"chunked"),), b"x")
    assert "Content-Length" not in chunked.headers
    assert reply_to_flow(Reply(204)).status_code == 204


def test_a_replayed_response_leaves_out_the_recorded_connection_headers() -> None:
    recorded = Response(200, ((b"Connection", b"close"), (b"X", b"1"), (b"Keep-Alive", b"5")), b"")
    assert response_to_flow(recorded).headers.fields == ((b"X", b"1"), (b"Content-Length", b"0"))


def test_an_http2_client_gets_the_recorded_trailers_and_no_made_up_content_length() -> None:
    trailers = ((b"grpc-status", b"0"), (b"x-served-by", b"upstream"))
    recorded = Response(
        200, ((b"content-type", b"application/grpc"),), b"\0\0\0\0\1x", "", "HTTP/2.0", trailers
    )
    to_h2 = response_to_flow(recorded, http2=True)
    assert to_h2.trailers is not None and to_h2.trailers.fields == trailers
    assert to_h2.headers.fields == ((b"content-type", b"application/grpc"),)
    to_h1 = response_to_flow(recorded)  # HTTP/1 carries trailers in a chunked body only
    assert to_h1.trailers is not None and to_h1.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in reply_to_flow(Reply(200), framed=True).headers


def test_a_miss_answers_a_grpc_call_as_a_grpc_error() -> None:
    miss = Response(404, ((b"X-Pretenders-Miss", b"1"),), b"No recording matched\n")
    call = tflow.tflow()
    call.request.http_version = "HTTP/2.0"
    call.request.headers["content-type"] = "application/grpc"
    answer = error_to_flow(call, miss, grpc.Status.NOT_FOUND)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers.fields == (
        (b"content-type", b"application/grpc"),
        (b"grpc-status", b"5"),
        (b"grpc-message", b"No recording matched"),
        (b"x-pretenders-miss", b"1"),
    )
    plain = error_to_flow(tflow.tflow(), miss, grpc.Status.NOT_FOUND)
    assert (plain.status_code, plain.content) == (404, b"No recording matched\n")


def test_a_replayed_response_keeps_its_trailers_and_a_stream_is_chunked() -> None:
    trailers = ((b"grpc-status", b"0"),)
    recorded = Response(200, ((b"Content-Type", b"application/grpc"),), b"x", trailers=trailers)
    sent = response_to_flow(recorded)
    assert sent.trailers is not None and sent.trailers.fields == trailers
    assert sent.headers["Transfer-Encoding"] == "chunked"  # HTTP/1 carries trailers only so
    streamed = response_to_flow(Response(200, (), b"ab", chunks=((0.0, 1), (0.1, 1))))
    assert streamed.headers["Transfer-Encoding"] == "chunked" and streamed.trailers is None
    sized = Response(200, ((b"Content-Length", b"2"),), b"ab", chunks=((0.0, 1), (0.1, 1)))
    assert response_to_flow(sized).headers.fields == ((b"Content-Length", b"2"),)
    assert "Content-Length" in response_to_flow(Response(200, (), b"ab")).headers


def test_a_streamed_preset_reply_is_chunked_unless_it_says_how_it_ends() -> None:
    assert reply_to_flow(Reply(chunks=((0.0, b"a"),))).headers["Transfer-Encoding"] == "chunked"
    sized = Reply(headers=((b"Content-Length", b"1"),), chunks=((0.0, b"a"),))
    assert "Transfer-Encoding" not in reply_to_flow(sized).headers


def test_an_exchange_needs_a_response_and_notes_when_and_how_long() -> None:
    flow = tflow.tflow(resp=True)
    exchange = exchange_from_flow(flow)
    assert exchange.response.body == flow.response.raw_content  # type: ignore[union-attr]
    assert exchange.meta.recorded_at.endswith("+00:00") and exchange.meta.duration_ms >= 0
    with pytest.raises(ValueError, match="without a response"):
        exchange_from_flow(tflow.tflow())


def test_a_connection_that_is_not_http_is_shown_as_a_connect_to_its_address() -> None:
    request = connection_request(TrafficProtocol.TLS, "api.test", 443, b"\x16\x03\x01")
    assert (request.method, request.url, request.body) == (
        "CONNECT",
        "tls://api.test:443",
        b"\x16\x03\x01",
    )


@pytest.mark.parametrize(
    ("received", "method"),
    [
        (b"GET / HTTP/1.1 junk\r\n", "GET"),
        (b"\x00\x01 x", "?"),
        (b"", "?"),
        (b"A" * 21 + b" /", "?"),
    ],
)
def test_a_refused_head_keeps_what_was_received(received: bytes, method: str) -> None:
    request = refused_request(received)
    assert (request.method, request.body) == (method, received)


def test_a_conversations_close_code_is_a_plain_number() -> None:
    """wsproto's CloseReason is an enum the shared store cannot encode: history keeps the int."""
    flow = tflow.twebsocketflow()
    assert flow.websocket is not None
    flow.websocket.close_code = CloseReason.NORMAL_CLOSURE
    conversation = conversation_from_flow(flow)
    assert conversation is not None
    assert type(conversation.close_code) is int and conversation.close_code == 1000
    talk = talk_of(conversation)  # what history keeps: in a shared store too
    assert codec.loads(codec.dumps(talk)) == talk


@pytest.mark.parametrize(
    "host_header",
    [
        None,
        "",
        "api.example.test",
        "API.example.test:8080",
        "[::1]:9000",
        "[::1]",
        "bücher.test",
        "xn--bcher-kva.test:443",
        "not a host",
        "127.0.0.1:0",
        "a:b:c",
    ],
)
def test_pretty_host_is_mitmproxys_twice_over(host_header: str | None) -> None:
    flow = tflow.tflow()
    if host_header is None:
        flow.request.headers.pop("Host", None)
    else:
        flow.request.headers["Host"] = host_header
    for _ in range(2):  # the second from the kept parse
        assert pretty_host(flow.request) == flow.request.pretty_host
        assert request_from_flow(flow.request).host == flow.request.pretty_host


def test_a_reply_s_wire_is_what_mitmproxy_sends_for_the_responder_s_response() -> None:
    reply = Response(201, ((b"X-A", b"1"),), b"made")
    wire = wire_of(reply, preset=True)
    assert wire is not None
    assert wire.wire == b"HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 4\r\n\r\nmade"
    assert wire.kept == response_from_flow(reply_to_flow(reply))
    recorded = Response(200, ((b"Connection", b"close"), (b"X-B", b"2")), b"kept", "Fine")
    replayed = wire_of(recorded, preset=False)
    assert replayed is not None
    assert replayed.wire.startswith(b"HTTP/1.1 200 Fine\r\nX-B: 2\r\n")  # hop-by-hop left out


@pytest.mark.parametrize(
    "response",
    [
        Response(200, ((b"Transfer-Encoding", b"chunked"),), b"2\r\nhi\r\n0\r\n\r\n"),
        Response(200, ((b"Connection", b"close"),), b"closing"),
        Response(200, (), b"streamed", chunks=((0.0, 4), (0.1, 4))),
        Response(204),
        Response(101, ((b"Upgrade", b"websocket"),)),
        Response(200, (), b"x" * (2 << 20)),
    ],
)
def test_replies_mitmproxy_frames_or_streams_itself_have_no_wire(response: Response) -> None:
    assert wire_of(response, preset=True) is None
