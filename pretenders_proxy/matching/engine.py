"""Finding the preset for a request: first match in creation order, else the nearest miss."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from pretenders_proxy.matching.matchers import MATCHERS
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.preset import Rule

_NEAR_MISS_SCAN = 500
"""How many equally-failing candidates get the (slower) similarity ranking on a miss."""


@dataclass(frozen=True, slots=True)
class Miss[T]:
    """No candidate matched; `closest` failed the fewest matchers, `failures` says how."""

    closest: T | None
    failures: tuple[str, ...] = ()


def is_match(rule: Rule, subject: Subject) -> bool:
    # Only the parts the rule sets can fail: this is the hot path of every preset lookup
    # (a plain loop: a generator in all() costs more than the usual one check).
    for name in rule.checks:  # noqa: SIM110 (see above)
        if MATCHERS[name](rule, subject) is not None:
            return False
    return True


def failures(rule: Rule, subject: Subject) -> tuple[str, ...]:
    """Every reason `rule` does not match, in matcher order; empty on a match."""
    reasons = (matcher(rule, subject) for matcher in MATCHERS.values())
    return tuple(reason for reason in reasons if reason is not None)


def first_match[T](
    candidates: Iterable[T], rule_of: Callable[[T], Rule], subject: Subject
) -> T | None:
    for candidate in candidates:
        if is_match(rule_of(candidate), subject):
            return candidate
    return None


def nearest[T](
    candidates: Sequence[T],
    failures_of: Callable[[T], tuple[str, ...]],
    texts_of: Callable[[T], tuple[str, str]],
) -> Miss[T]:
    """The candidate failing the fewest matchers; ties go to the one whose two texts (what was
    expected, what came) are most alike, then to the earliest candidate."""
    if not candidates:
        return Miss(None)
    scored = [(failures_of(c), c) for c in candidates]
    fewest = min(len(reasons) for reasons, _ in scored)
    tied = [(reasons, c) for reasons, c in scored if len(reasons) == fewest][:_NEAR_MISS_SCAN]

    def likeness(scored_candidate: tuple[tuple[str, ...], T]) -> float:
        return SequenceMatcher(None, *texts_of(scored_candidate[1])).ratio()

    reasons, closest = max(tied, key=likeness) if len(tied) > 1 else tied[0]
    return Miss(closest, reasons)


def nearest_rule[T](candidates: Sequence[T], pair: Callable[[T], tuple[Rule, Subject]]) -> Miss[T]:
    """`nearest` for (rule, request) pairs: presets against a request, or a rule against many."""

    def reasons(candidate: T) -> tuple[str, ...]:
        return failures(*pair(candidate))

    def texts(candidate: T) -> tuple[str, str]:
        rule, subject = pair(candidate)
        return subject.line, rule.rule

    return nearest(candidates, reasons, texts)
