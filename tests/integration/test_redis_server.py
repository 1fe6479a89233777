"""The redis-server fixture issue 18's tests stand on: a real server on a free port, data kept
across a restart and a SIGKILL (append-only file), stopped by PID with nothing left running."""

from pathlib import Path

import redis

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
