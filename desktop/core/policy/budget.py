"""The time a check may take, and the regex searches and engine loops that keep to it.

A policy is data written by people who are not regex experts: one careless pattern must never
freeze the editor, and no post (up to the 100,000 characters a check reads) may either. One
:class:`Budget` per check bounds the whole of it, the author's patterns and the engine's own work
(normalising, word lists, detectors, length measures) together: every search of an author's
pattern runs with a time limit taken from it, the engine's loops look at it as they go
(:func:`on_time`), and every rule looks at it before it starts. Running out raises
:class:`RuleIncomplete`, which the check turns into an "incomplete" finding for that rule (never a
silent pass). Kept apart from the rule kinds (:mod:`desktop.core.policy.rules`) so the limits and
how they are enforced read in one place.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import logging
import threading
import time
from collections.abc import Iterator

import regex

REGEX_TIMEOUT_S = 0.05  # one search of a policy author's pattern (the policy README's 50 ms)
# one whole check (every rule, the engine's work and the author's patterns): what is left of a 100 ms
# worst case is the step under way when it runs out (each is short) and reporting the rest incomplete
CHECK_BUDGET_S = 0.06
# of it, what the author's patterns may take together; the rest is the engine's own work (word lists,
# detectors, the length), counted apart: one hostile pattern, even one that overruns its time limit,
# cannot leave the built-in rules without time, and the engine cannot leave the patterns without any
PATTERN_SHARE = 0.6
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
    """A check ran out of time in a rule (an author's pattern, or the engine's work it needed): what
    the rule would have found is unknown."""


class Budget:
    """The time one check may take, all of it (:data:`CHECK_BUDGET_S`, wall time from its first use).

    Two parts, counted apart: the author's patterns together may take :data:`PATTERN_SHARE` of it
    (a search gets what is left of that, capped at :data:`REGEX_TIMEOUT_S` and at what is left of the
    whole); the engine's own work (the check's time outside those searches) the rest, so a pattern
    that overruns its limit never takes the built-in rules' time. Every rule and every step of the
    engine's work starts only with engine time left, and the engine's long loops stop once none is
    (:func:`on_time`). Running out raises :class:`RuleIncomplete`, which the check turns into an
    "incomplete" finding for that rule (never a silent pass). The
    built-in work is linear and cheap, so an ordinary post never comes near the limit; a post built
    to be slow (100,000 characters of look-alike numbers) gets incomplete rules instead of a hang.
    A budget shared by several checks (every network's check of one post) bounds them together.
    """

    def __init__(self, seconds: float | None = None, per_search: float = REGEX_TIMEOUT_S) -> None:
        self.seconds = _BUDGET_S.get() if seconds is None else seconds
        self.per_search = per_search
        self.started: float | None = None  # perf_counter() at the first use
        self.patterns = self.seconds * PATTERN_SHARE  # the author's patterns' part
        self.engine = self.seconds - self.patterns  # the rest of the check's time
        self.spent = 0.0  # in the author's patterns so far
        self.searches = 0  # searches started (tests, diagnostics)
        self.timed_out = 0  # searches stopped by a time limit

    def start(self) -> None:
        """Start the clock, if it is not running yet (a check starts it; a shared budget keeps it)."""
        if self.started is None:
            self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started is None else time.perf_counter() - self.started

    @property
    def remaining(self) -> float:
        """The engine's time left: its part, less the check's time so far outside the patterns."""
        if self.started is None:
            return self.engine
        return self.engine - (time.perf_counter() - self.started - self.spent)

    def check(self, what: str) -> None:
        """Raise :class:`RuleIncomplete` when the engine has no time left for *what* (the log's words)."""
        self.start()
        if self.remaining <= 0:
            raise RuleIncomplete(f"no time left for {what}")

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The engine's loops run inside (in this thread) look at this budget (:func:`on_time`), and
        the garbage collector waits until they are done (:func:`_collector_paused`)."""
        self.start()
        token = _ACTIVE.set(self)
        try:
            with _collector_paused():
                yield
        finally:
            _ACTIVE.reset(token)

    def search(self, pattern: regex.Pattern[str], text: str, pos: int, endpos: int) -> regex.Match[str] | None:
        self.start()
        # (and never past the check's whole time: an engine step that overran leaves the patterns less)
        timeout = min(self.per_search, self.patterns - self.spent, self.seconds - self.elapsed)
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


_collector_lock = threading.Lock()
_collector_pausers = 0
_collector_was_enabled = False


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a check runs (in any thread), back on after the
    last one: a full collection in a large process (the app, a test run) can pause for longer than a
    check's whole engine time and would make every rule after it incomplete. A check frees what it
    makes by reference counting; cycles wait a few milliseconds for the next collection."""
    global _collector_pausers, _collector_was_enabled
    with _collector_lock:
        if _collector_pausers == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pausers += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pausers -= 1
            if _collector_pausers == 0 and _collector_was_enabled:
                gc.enable()


_ACTIVE: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("policy_check_active_budget", default=None)


def on_time(what: str = "the engine's work") -> None:
    """Raise :class:`RuleIncomplete` when the check under way (if any: detectors also run outside
    checks, unbounded) has no time left. Cheap (a context variable and a clock read): the engine's
    long loops call it every few hundred steps, so no step of a check outlasts its budget by much."""
    budget = _ACTIVE.get()
    if budget is not None and budget.remaining <= 0:
        raise RuleIncomplete(f"no time left for {what}")


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
