import resource

import pytest

from pretenders_proxy.server import files


def test_the_soft_limit_is_raised_to_the_hard_one(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = {"now": (1024, 524288)}
    monkeypatch.setattr(resource, "getrlimit", lambda _: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda _, value: limits.update(now=value))
    assert files.raise_file_limit() == files.FileLimit(1024, 524288)
    assert limits["now"] == (524288, 524288)


def test_an_unlimited_hard_limit_gets_what_the_system_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = {"now": (256, resource.RLIM_INFINITY)}

    def setrlimit(_: int, value: tuple[int, int]) -> None:
        if value[0] > 10240:  # macOS: at most OPEN_MAX
            raise ValueError("not allowed soft limit")
        limits["now"] = value

    monkeypatch.setattr(resource, "getrlimit", lambda _: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    assert files.raise_file_limit() == files.FileLimit(256, 10240)


def test_a_limit_that_cannot_move_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 1024))
    monkeypatch.setattr(resource, "setrlimit", pytest.fail)
    assert files.raise_file_limit() == files.FileLimit(1024, 1024)


def test_the_cap_is_lowered_to_a_share_of_the_file_limit_and_says_so() -> None:
    assert files.fit_connections(512, 1_048_576) == (512, None)
    assert files.fit_connections(512, 2112) == (512, None)  # (2112 - 64) / 4
    cap, warning = files.fit_connections(512, 1024)
    assert cap == 240 and warning is not None
    assert "--max-connections 512 lowered to 240" in warning and "limit is 1024" in warning
    assert files.connections_allowed(10) == 1
