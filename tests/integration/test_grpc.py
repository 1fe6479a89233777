"""gRPC through the proxy: a real grpcio client records unary and server-streaming calls of a
real grpc server, over h2c and TLS, with their status and trailers; with the server still up
but never reached, replay gives the client the same, and an unrecorded call a gRPC error."""

import os
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import requests

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.testing.launcher import launch
from tests.integration.grpc_upstream import GET, LIST, TRAILER, Answer, GrpcUpstream, call, channel
from tests.integration.tlsca import LocalCA

CALLS = [(GET, b"widget"), (GET, b"missing"), (LIST, b"3"), (LIST, b"2!")]
"""A unary call, one ending NOT_FOUND, a stream of 3, and one of 2 ending NOT_FOUND."""


@pytest.fixture(params=["h2c", "tls"])
def grpc_upstream(request: pytest.FixtureRequest, local_ca: LocalCA) -> Iterator[GrpcUpstream]:
    running = GrpcUpstream(local_ca if request.param == "tls" else None)
    yield running
    running.stop()


def _calls(upstream: GrpcUpstream, proxy: str | None, roots: bytes | None) -> list[Answer]:
    with channel(upstream.target, proxy, roots) as chan:
        return [call(chan, method, request) for method, request in CALLS]


def _roots(upstream: GrpcUpstream, confdir: Path) -> bytes | None:
    """What the client trusts through pretenders: its CA (TLS only)."""
    return (confdir / CA_CERT).read_bytes() if upstream.tls else None


def _record_flags(upstream: GrpcUpstream, ca: LocalCA, cassette: Path) -> list[str]:
    return ["--upstream-ca", str(ca.ca_cert), str(cassette)] if upstream.tls else [str(cassette)]


def test_calls_record_and_replay_offline_with_status_and_trailers(
    grpc_upstream: GrpcUpstream, local_ca: LocalCA, cassette: Path, confdir: Path
) -> None:
    direct = _calls(
        grpc_upstream, None, local_ca.ca_cert.read_bytes() if grpc_upstream.tls else None
    )
    assert direct[0] == Answer((b"item: widget",), grpc.StatusCode.OK, "", (TRAILER,))
    assert (
        direct[1].code is grpc.StatusCode.NOT_FOUND and direct[1].details == "no such item: missing"
    )
    assert direct[2].messages == (b"item 0", b"item 1", b"item 2")
    assert direct[3] == Answer(
        (b"item 0", b"item 1"), grpc.StatusCode.NOT_FOUND, "no more items", ()
    )

    flags = _record_flags(grpc_upstream, local_ca, cassette)
    with launch(flags, confdir=confdir, command="record") as recorder:
        recorded = _calls(grpc_upstream, recorder.proxy, _roots(grpc_upstream, confdir))
    assert recorded == direct

    calls, connections = grpc_upstream.calls, grpc_upstream.connections
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        replayed = _calls(grpc_upstream, replayer.proxy, _roots(grpc_upstream, confdir))
    assert replayed == direct
    assert (grpc_upstream.calls, grpc_upstream.connections) == (calls, connections)


def test_an_unrecorded_call_gets_a_grpc_error_explaining_the_miss(
    grpc_upstream: GrpcUpstream, local_ca: LocalCA, cassette: Path, confdir: Path
) -> None:
    flags = _record_flags(grpc_upstream, local_ca, cassette)
    with launch(flags, confdir=confdir, command="record") as recorder:
        _calls(grpc_upstream, recorder.proxy, _roots(grpc_upstream, confdir))
    connections = grpc_upstream.connections
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        roots = _roots(grpc_upstream, confdir)
        with channel(grpc_upstream.target, replayer.proxy, roots) as chan:
            missed = call(chan, GET, b"gadget")
            streamed = call(chan, LIST, b"4")
        history = requests.get(replayer.control + "/api/v1/requests", timeout=10).json()
    assert grpc_upstream.connections == connections
    assert missed.code is grpc.StatusCode.NOT_FOUND and missed.messages == ()
    assert missed.details is not None
    assert missed.details.startswith(f"No recording matched POST {grpc_upstream.scheme}://")
    assert "/demo.Items/Get.\nClosest recording: POST" in missed.details  # decoded: \n again
    assert "- body: 11 bytes b'\\x00\\x00\\x00\\x00\\x06gadget'" in missed.details
    assert ("x-pretenders-miss", "1") in missed.trailers
    assert streamed.code is grpc.StatusCode.NOT_FOUND and streamed.details
    assert "No recording matched POST" in streamed.details
    entry = next(e for e in history if e["path"] == GET)
    assert entry["source"] == "miss" and entry["miss"].startswith("No recording matched")
    assert entry["body"] is None  # a length-prefixed message: binary, in body_base64
    assert ["grpc-status", "5"] in entry["response"]["headers"]


def test_a_cassette_broken_while_replaying_fails_the_call_closed_as_internal(
    cassette: Path, confdir: Path
) -> None:
    upstream = GrpcUpstream()
    try:
        with (
            launch([str(cassette)], confdir=confdir, command="record") as recorder,
            channel(upstream.target, recorder.proxy, None) as chan,
        ):
            recorded = [call(chan, GET, b"one"), call(chan, GET, b"two")]
        with (
            launch([str(cassette)], confdir=confdir, command="replay") as replayer,
            channel(upstream.target, replayer.proxy, None) as chan,
        ):
            first = call(chan, GET, b"one")  # responses are read from the file ...
            with cassette.open("r+b") as stream:  # ... which another program changes
                stream.seek(-4, os.SEEK_END)
                stream.write(b"\x00" * 8)
            failed = call(chan, GET, b"two")
    finally:
        upstream.stop()
    assert first == recorded[0]
    assert failed.code is grpc.StatusCode.INTERNAL
    assert failed.details is not None
    assert f"cassette {cassette} changed on disk since it was loaded" in failed.details
    assert ("x-pretenders-error", "1") in failed.trailers


def test_history_shows_a_recorded_call_with_its_trailers(cassette: Path, confdir: Path) -> None:
    upstream = GrpcUpstream()
    try:
        with (
            launch([str(cassette)], confdir=confdir, command="record") as recorder,
            channel(upstream.target, recorder.proxy, None) as chan,
        ):
            call(chan, GET, b"widget")
            history = requests.get(recorder.control + "/api/v1/requests", timeout=10).json()
    finally:
        upstream.stop()
    (entry,) = history
    assert (entry["method"], entry["path"], entry["source"]) == ("POST", GET, "upstream")
    reply = entry["response"]
    assert reply["body"] is None and reply["size"] == 5 + len(b"item: widget")
    assert ["content-type", "application/grpc"] in reply["headers"]
    assert ["grpc-status", "0"] in reply["trailers"] and list(TRAILER) in reply["trailers"]


def test_a_reverse_listener_takes_h2c_calls_too(cassette: Path, confdir: Path) -> None:
    upstream = GrpcUpstream()
    url = f"http://{upstream.target}"
    reverse = ["--reverse", f"{url}=0"]

    def calls(listener: str) -> list[Answer]:
        with channel(listener.split("//", 1)[1], None, None) as chan:  # no proxy: straight to it
            return [call(chan, method, request) for method, request in CALLS]

    try:
        with launch([*reverse, str(cassette)], confdir=confdir, command="record") as recorder:
            recorded = calls(recorder.reverse(url))
        connections = upstream.connections
        with launch([*reverse, str(cassette)], confdir=confdir, command="replay") as replayer:
            replayed = calls(replayer.reverse(url))
    finally:
        upstream.stop()
    assert recorded[0] == Answer((b"item: widget",), grpc.StatusCode.OK, "", (TRAILER,))
    assert recorded[2].messages == (b"item 0", b"item 1", b"item 2")
    assert replayed == recorded
    assert upstream.connections == connections
