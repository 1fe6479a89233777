"""v1 clients that tests make in passing, closed after each test (an httpx client left open is
a ResourceWarning, and so an error, in whatever test the garbage collector runs in)."""

from typing import Any

from pretenders_proxy import Pretenders

MADE: list[Pretenders] = []


def client(url: str, session: str = "default") -> Pretenders:
    """A client of `session` on the server at `url`."""
    made = Pretenders(url, session=session)
    MADE.append(made)
    return made


def opened(url: str, session: str, **options: Any) -> Pretenders:
    """A client of `session`, created (or found live) on the server at `url` first."""
    with Pretenders(url) as first:
        made = first.session(session, **options)
    MADE.append(made)
    return made


def close_all() -> None:
    while MADE:
        MADE.pop().close()
