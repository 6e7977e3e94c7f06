"""The time a check's author patterns may take, and the regex searches that keep to it.

A policy is data written by people who are not regex experts: one careless pattern must never
freeze the editor. Every search of an author's pattern runs with a time limit taken from one
:class:`Budget` per check; running out raises :class:`RuleIncomplete`, which the check turns into
an "incomplete" finding for that rule (never a silent pass). Kept apart from the rule kinds
(:mod:`desktop.core.policy.rules`) so the limits and how they are enforced read in one place.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator

import regex

REGEX_TIMEOUT_S = 0.05  # one search of a policy author's pattern (the policy README's 50 ms)
CHECK_BUDGET_S = 0.07  # every author pattern of one check together (the rest of a 100 ms worst case is the engine)
EXAMPLE_REGEX_TIMEOUT_S = 2.0  # when a policy runs its own examples at load (a busy computer must not fail them)
EXAMPLE_BUDGET_S = 4.0
# Author patterns run with the GIL released (concurrent=True): a check on the policy lane then never
# keeps the GUI thread waiting for the GIL during a long search (with it kept, a GUI timer fired up to a
# whole search late; tests/benchmarks/keystroke.py --hostile measures both). The time limits count wall
# time either way, so the budget still bounds the check.
REGEX_CONCURRENT = True
# the name this log has always had (before the budget left rules.py): log filters keep working
log = logging.getLogger("desktop.core.policy.rules")


_BUDGET_S: contextvars.ContextVar[float] = contextvars.ContextVar("policy_check_budget_s", default=CHECK_BUDGET_S)


@contextlib.contextmanager
def budget_limit(seconds: float) -> Iterator[None]:
    """Checks started inside (in this thread) get a budget of *seconds* instead of :data:`CHECK_BUDGET_S`:
    the editor checks on the GUI thread with a frame's budget and, when that is not enough, again on
    its worker with the full one."""
    token = _BUDGET_S.set(seconds)
    try:
        yield
    finally:
        _BUDGET_S.reset(token)


class RuleIncomplete(Exception):
    """An author's pattern ran out of time: what the rule would have found is unknown."""


class Budget:
    """The time that the author's patterns of one check may take, together (:data:`CHECK_BUDGET_S`).

    Every search gets what is left, capped at :data:`REGEX_TIMEOUT_S`; a search that runs out of
    time, or any search once nothing is left, raises :class:`RuleIncomplete`, which the check turns
    into an "incomplete" finding for that rule (never a silent pass). Only the author's patterns
    count: the built-in work (normalising, word lists, detectors) is linear in the post's length and
    must not turn an ordinary long post into incomplete rules.
    """

    def __init__(self, seconds: float | None = None, per_search: float = REGEX_TIMEOUT_S) -> None:
        self.seconds = _BUDGET_S.get() if seconds is None else seconds
        self.per_search = per_search
        self.spent = 0.0
        self.searches = 0  # searches started (tests, diagnostics)
        self.timed_out = 0  # searches stopped by a time limit

    @property
    def remaining(self) -> float:
        return self.seconds - self.spent

    def search(self, pattern: regex.Pattern[str], text: str, pos: int, endpos: int) -> regex.Match[str] | None:
        timeout = min(self.per_search, self.remaining)
        if timeout <= 0:
            raise RuleIncomplete(f"no time left for {pattern.pattern[:80]!r}")
        self.searches += 1
        started = time.perf_counter()
        try:
            return pattern.search(text, pos, endpos, concurrent=REGEX_CONCURRENT, timeout=timeout)
        except TimeoutError:
            self.timed_out += 1
            log.warning("policy pattern stopped after %d ms on a %d-character text: %.80s",
                        timeout * 1000, len(text), pattern.pattern)
            raise RuleIncomplete(f"{pattern.pattern[:80]!r} ran out of time") from None
        finally:
            self.spent += time.perf_counter() - started


def bounded_finditer(pattern: regex.Pattern[str], text: str, budget: Budget, pos: int = 0,
                     endpos: int | None = None) -> Iterator[regex.Match[str]]:
    """The non-overlapping matches of a policy author's pattern, each search within the *budget*.

    A search per match (not ``finditer``, whose time limit is fixed when it starts), so each one
    gets exactly what is left. Raises :class:`RuleIncomplete` when time runs out: the matches after
    that point are unknown, so the caller must not pass the rule. After an empty match the next
    search starts one character on (callers ignore empty matches).
    """
    end = len(text) if endpos is None else endpos
    while pos <= end:
        match = budget.search(pattern, text, pos, end)
        if match is None:
            return
        handed = time.perf_counter()
        yield match
        # what the caller did with the match counts too: a pattern with a match at every character
        # costs more in handling its matches than in finding them
        budget.spent += time.perf_counter() - handed
        pos = match.end() if match.end() > match.start() else match.end() + 1


def bounded_search(pattern: regex.Pattern[str], text: str, budget: Budget) -> bool:
    return budget.search(pattern, text, 0, len(text)) is not None
