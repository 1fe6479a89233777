"""The redis-server fixture issue 18's tests stand on: a real server on a free port, data kept
across a restart and a SIGKILL (append-only file), stopped by PID with nothing left running."""

import socket
from pathlib import Path

import pytest
import redis

from tests.integration import redis_server as fixture
from tests.integration.redis_server import RedisServer


def test_a_real_redis_keeps_its_data_across_restart_and_sigkill(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    try:
        with redis.Redis.from_url(server.url) as client:
            assert client.ping() is True
            client.set("pretenders:test", "kept")
        server.stop()
        assert not server.ping()
        server.start()
        with redis.Redis.from_url(server.url) as client:
            assert client.get("pretenders:test") == b"kept"
            client.incr("pretenders:count")
        server.kill()
        server.start()
        with redis.Redis.from_url(server.url) as client:
            assert client.get("pretenders:count") == b"1"
    finally:
        server.stop()
    assert not server.ping()


def test_the_fixture_gives_a_running_server(redis_server: RedisServer) -> None:
    with redis.Redis.from_url(redis_server.url) as client:
        assert client.dbsize() == 0


def test_a_port_taken_before_redis_binds_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A free port can be taken by a parallel test between finding and binding it: the fixture
    tries another one, and says so plainly when the caller's own port is taken."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        ports = iter([taken, fixture.free_port()])
        monkeypatch.setattr(fixture, "free_port", lambda: next(ports))
        server = RedisServer(tmp_path / "redis").start()
        try:
            assert server.port != taken and server.ping()
            server.stop()
            with socket.socket() as squatter:  # its port taken while it is down: a restart
                squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
                squatter.bind(("127.0.0.1", server.port))  # keeps the port its URL names
                squatter.listen()
                with pytest.raises(fixture.PortTakenError):
                    server.start()
        finally:
            server.stop()
        with pytest.raises(fixture.PortTakenError, match="Address already in use"):
            RedisServer(tmp_path / "given", port=taken).start()
