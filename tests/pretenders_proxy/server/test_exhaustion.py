import asyncio
import errno
import logging
import socket
from typing import Any

import pytest

from pretenders_proxy.server import exhaustion
from pretenders_proxy.server.exhaustion import ExhaustionLog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def emfile(sock: object = None) -> dict[str, Any]:
    error = OSError(errno.EMFILE, "Too many open files")
    return {"message": "socket.accept() out of system resource", "exception": error, "socket": sock}


def test_exhaustion_is_said_once_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, passed = Clock(), []
    handler = ExhaustionLog(lambda _, context: passed.append(context), 10.0, clock)
    loop = asyncio.new_event_loop()
    try:
        with (
            caplog.at_level(logging.ERROR, logger=exhaustion.__name__),
            socket.create_server(("127.0.0.1", 0)) as listening,
        ):
            for _ in range(300):  # what three listeners fail in a second
                handler(loop, emfile(listening))
            clock.now += 10
            handler(loop, emfile())
    finally:
        loop.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and passed == []
    assert "cannot accept connections on 127.0.0.1:" in lines[0]
    assert "Too many open files (EMFILE)" in lines[0] and "more since" not in lines[0]
    assert "299 more since the last message" in lines[1]


def test_anything_else_goes_to_the_handler_before() -> None:
    passed: list[dict[str, Any]] = []
    handler = ExhaustionLog(lambda _, context: passed.append(context))
    other = {"message": "boom", "exception": OSError(errno.EBADF, "Bad file descriptor")}
    loop = asyncio.new_event_loop()
    try:
        handler(loop, other)
    finally:
        loop.close()
    assert passed == [other]


async def test_it_is_installed_once_in_front_of_the_loop_handler() -> None:
    loop = asyncio.get_running_loop()
    before = loop.get_exception_handler()
    try:
        first = exhaustion.install(loop)
        assert exhaustion.install(loop) is first and first.previous is before
        assert loop.get_exception_handler() is first
    finally:
        loop.set_exception_handler(before)
