"""How long user regexes may run in one lookup (a request against the presets) or one scan (a
verification, a history filter): each match up to `seconds`, and after `limit` of them ran out of
time the rest are not tried, so no rule can stall the one event loop (issue 15). Pure: the regex
engine keeps the time."""

from pretenders_proxy.model.pattern import Pattern

SECONDS = 0.02
"""A match's budget unless the server says otherwise (--regex-timeout). The `regex` package
counts the process's CPU time, so a loaded machine stretches it in wall time: 20 ms keeps a few
hostile requests in flight well under the issue's 0.5 s bound for /health."""
LIMIT = 4
"""Timed-out matches a lookup or scan pays for before it stops trying regexes."""


class Budget:
    """The matches of one lookup or scan share it; `ran_out` lists those that timed out."""

    __slots__ = ("limit", "ran_out", "seconds")

    def __init__(self, seconds: float = SECONDS, limit: int = LIMIT) -> None:
        self.seconds = seconds
        self.limit = limit
        self.ran_out: list[tuple[Pattern, str]] = []
        """(pattern, text) of each match that ran out of time, at most `limit` of them."""

    def match(self, pattern: Pattern, text: str) -> bool | None:
        """`pattern.match(text)` in budget; None: it ran out (now or before) or was not tried."""
        if (quick := pattern.quick) is not None:  # the hot path: most rules are plain text
            return quick(text) is not None
        if self.ran_out and not self._may_try(pattern, text):
            return None
        return self._noted(pattern, text, pattern.match(text, self.seconds))

    def search(self, pattern: Pattern, text: str) -> bool | None:
        """`pattern.search(text)` in budget; None as for `match`."""
        if self.ran_out and not self._may_try(pattern, text):
            return None
        return self._noted(pattern, text, pattern.search(text, self.seconds))

    def _may_try(self, pattern: Pattern, text: str) -> bool:
        if len(self.ran_out) >= self.limit:
            return False
        # the same match timed out before (the near-miss report tries every rule again)
        return not any(p is pattern and t == text for p, t in self.ran_out)

    def _noted(self, pattern: Pattern, text: str, found: bool | None) -> bool | None:
        if found is None:
            self.ran_out.append((pattern, text))
        return found

    def patterns(self) -> list[Pattern]:
        """The patterns that ran out of time, each once, in the order they did."""
        return list({id(p): p for p, _ in self.ran_out}.values())

    def why(self, what: str, pattern: Pattern, text: str) -> str:
        """Why `pattern` did not match `text` when `match` or `search` said None."""
        if any(p is pattern and t == text for p, t in self.ran_out):
            return (
                f"{what} timed out: {pattern.text!r} ran over {self.seconds * 1000:g} ms on "
                f"{excerpt(text)!r} and counts as no match"
            )
        return (
            f"{what} not tried: {len(self.ran_out)} regexes had already timed out here "
            f"({pattern.text!r} counts as no match)"
        )


def excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
