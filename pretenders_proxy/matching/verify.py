"""Verification: do the requests a session received satisfy a rule and a count? Why not?"""

from collections.abc import Sequence
from dataclasses import dataclass

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.engine import is_match, nearest_rule
from pretenders_proxy.matching.parts import paste_block, rule_lines
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.journal import REQUEST_PREVIEW, Entry
from pretenders_proxy.model.preset import Rule

_LISTED = 10
_BODY_CHECKS = {"body", "data", "json"}


@dataclass(frozen=True, slots=True)
class Count:
    """How many matching requests are expected: exactly `times`, or within at_least..at_most."""

    times: int | None = None
    at_least: int | None = None
    at_most: int | None = None

    def __post_init__(self) -> None:
        given = {
            k: v
            for k, v in (
                ("times", self.times),
                ("at_least", self.at_least),
                ("at_most", self.at_most),
            )
            if v is not None
        }
        if any(v < 0 for v in given.values()):
            raise ConfigError(f"counts cannot be negative: {given}")
        if self.times is not None and len(given) > 1:
            raise ConfigError("give times, or at_least and/or at_most, not both")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ConfigError(f"at_least {self.at_least} is more than at_most {self.at_most}")

    @property
    def low(self) -> int:
        if self.times is not None:
            return self.times
        if self.at_least is None and self.at_most is None:
            return 1  # no constraint given: "was it requested at all?"
        return self.at_least or 0

    @property
    def high(self) -> int | None:
        return self.times if self.times is not None else self.at_most

    def holds(self, seen: int) -> bool:
        return seen >= self.low and (self.high is None or seen <= self.high)

    def describe(self) -> str:
        if self.high is None:
            return f"at least {self.low}"
        if self.low == self.high:
            return f"exactly {self.low}"
        return f"at most {self.high}" if self.low == 0 else f"between {self.low} and {self.high}"


@dataclass(frozen=True, slots=True)
class Verdict:
    matched: tuple[Entry, ...]
    explanation: str | None
    """None when the count holds; else what was expected, what matched and the nearest miss."""

    @property
    def ok(self) -> bool:
        return self.explanation is None


def verify(
    rule: Rule, entries: Sequence[Entry], count: Count, budget: Budget | None = None
) -> Verdict:
    """Whether `entries` hold `count` requests matching `rule`; the rule's regexes share
    `budget` over them all (a timed-out one counts as no match)."""
    budget = Budget() if budget is None else budget
    matched: list[Entry] = []
    others: list[Entry] = []
    for entry in entries:
        (matched if is_match(rule, Subject(entry.request, budget)) else others).append(entry)
    if count.holds(len(matched)):
        return Verdict(tuple(matched), None)
    lines = [
        f"Expected {count.describe()} request(s) matching {rule.describe()}, "
        f"but {len(matched)} matched."
    ]
    if matched:
        lines.append("Matched:")
        lines += [f"  {describe(entry)}" for entry in matched[:_LISTED]]
        if len(matched) > _LISTED:
            lines.append(f"  ... and {len(matched) - _LISTED} more")
    if len(matched) < count.low:
        lines += _closest(rule, others, budget) if others else ["No other requests were received."]
        lines += _truncated(rule, others)
    if budget.ran_out:
        lines.append(
            f"The rule's regexes timed out ({budget.seconds * 1000:g} ms each) on "
            f"{len(budget.ran_out)} request(s), counted as no match"
            + (", and were not tried on the rest." if len(budget.ran_out) >= budget.limit else ".")
        )
    return Verdict(tuple(matched), "\n".join(lines) + "\n")


def _truncated(rule: Rule, others: Sequence[Entry]) -> list[str]:
    """Say so when a body rule was tried on bodies history kept only the start of (issue 15)."""
    cut = [entry for entry in others if entry.body_truncated]
    if not cut or not _BODY_CHECKS.intersection(rule.checks):
        return []
    shown = ", ".join(f"#{e.id} ({e.body_size} bytes)" for e in cut[:_LISTED])
    more = f" and {len(cut) - _LISTED} more" if len(cut) > _LISTED else ""
    return [
        f"Note: {len(cut)} request(s) had a body over {REQUEST_PREVIEW // 1024} KiB, of which "
        f"history keeps only the first {REQUEST_PREVIEW // 1024} KiB; body, data and json rules "
        f"were tried on that part alone: {shown}{more}."
    ]


def _closest(rule: Rule, others: Sequence[Entry], budget: Budget) -> list[str]:
    subjects = {entry.id: Subject(entry.request, budget) for entry in others}
    miss = nearest_rule(others, lambda entry: (rule, subjects[entry.id]))
    if miss.closest is None:
        return []
    lines = [f"Closest other request: {describe(miss.closest)}, which differs in:"]
    lines += [f"  - {reason}" for reason in miss.failures]
    return lines + paste_block(rule_lines(rule, subjects[miss.closest.id]), "the rule", "")


def describe(entry: Entry) -> str:
    status = entry.status if entry.status is not None else entry.error or "no response"
    return f"#{entry.id} {entry.request.method} {entry.request.url} -> {status} ({entry.source})"
