"""Hostile policies and long posts: how long can a check be made to take?

    python -m tests.benchmarks.hostile [--runs 3]

Prints one JSON line:

- ``baseline_ms``: the built-in default policy on the ~3,000-character benchmark post (same run);
- ``<case>_ms``: the worst of *runs* checks for each hostile case (policies that pass validation:
  their examples are short, so nothing at load sees the trouble), on 3,001 characters and at the
  editor's size (100,000 characters), with ``<case>_incomplete`` = the rules reported as incomplete;
- ``worst_hostile_ms`` and ``worst_hostile_over_baseline``;
- ``ordinary_<size>_ms`` and ``fck_<size>_ms``: the acme-example policy on ordinary posts and on
  runs of ``f*ck `` of 10 KB, 100 KB and 1 MB, with ``*_ratio_1mb_100kb`` (linear: about 10).

Target (issue 9): worst_hostile_ms <= 100 (a check's budget, budget.CHECK_BUDGET_S = 60 ms: 36 ms for
the author's patterns, 24 ms for the engine's own work, whose loops stop when it is spent).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop.core.policy import Policy, PolicyInfo, load_policy  # noqa: E402
from desktop.core.policy.lexicon import Lexicon, make_term  # noqa: E402
from desktop.core.policy.model import Severity  # noqa: E402
from desktop.core.policy.rules import LexiconRule, PatternMatcher, PatternRule  # noqa: E402
from tests.benchmarks.keystroke import long_post  # noqa: E402

INFO = PolicyInfo(id="hostile", name="Hostile", version="1", owner="QA", contact="qa@example.com",
                  source="hostile.toml", default_network="linkedin")
SLOW = [r"(?:%|%)+~", r"(?:%|%%)+~", r"(?:%%|%)+~", r"(?:%|%|%)+~", r"(?:%|%)*~"]


def term_unless_policy() -> Policy:
    """The issue's probe: one term with five term-level exceptions that backtrack on runs of '%'."""
    rule = LexiconRule(id="T1", category="c", severity=Severity.WARN, message="{match}",
                       lexicon=Lexicon([make_term("widget")]),
                       term_unless={"widget": [regex.compile(p) for p in SLOW]})
    return Policy(INFO, [rule])


def many_patterns_policy(n: int = 40) -> Policy:
    """Forty pattern rules, each catastrophic on the post (each would take its whole time limit)."""
    return Policy(INFO, [PatternRule(id=f"P{i}", category="c", severity=Severity.WARN, message="{match}",
                                     matcher=PatternMatcher(regex.compile(SLOW[i % len(SLOW)] + f"|widget{i}")))
                         for i in range(n)])


def rule_unless_policy(n: int = 40) -> Policy:
    """Forty lexicon rules, each with a different slow rule-wide ``unless``."""
    return Policy(INFO, [LexiconRule(id=f"U{i}", category="c", severity=Severity.BLOCK, message="{match}",
                                     lexicon=Lexicon([make_term("widget")]),
                                     unless=[regex.compile(f"(?:%|%){{{i + 1},}}~")])
                         for i in range(n)])


def every_char_policy() -> Policy:
    """A pattern that matches every character: as many findings as the post has characters."""
    return Policy(INFO, [PatternRule(id="E1", category="c", severity=Severity.INFO, message="{match}",
                                     matcher=PatternMatcher(regex.compile(r"(?s)[^ ]")))])


def hostile_post(length: int) -> str:
    unit = "widget " + "%" * 993 + " "
    return (unit * (length // len(unit) + 1))[:length]


def worst(policy: Policy, text: str, runs: int) -> tuple[float, int]:
    times, incomplete = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        findings = policy.check(text)
        times.append(time.perf_counter() - started)
        incomplete = sum(f.incomplete for f in findings)
    return max(times) * 1000, incomplete


def best(policy: Policy, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        policy.check(text)
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    import logging
    logging.disable(logging.WARNING)  # every time-out logs a line; not what is measured here

    post = long_post()
    default = load_policy("default")
    acme = load_policy("acme-example")
    default.check(post)
    out: dict[str, object] = {"baseline_ms": round(best(default, post, 20), 3)}
    cases = {"term_unless": term_unless_policy(), "many_patterns": many_patterns_policy(),
             "rule_unless": rule_unless_policy(), "every_char": every_char_policy()}
    worst_ms = 0.0
    for name, policy in cases.items():
        for size in (3001, 100_000):
            ms, incomplete = worst(policy, hostile_post(size), args.runs)
            out[f"{name}_{size}_ms"] = round(ms, 1)
            out[f"{name}_{size}_incomplete"] = incomplete
            worst_ms = max(worst_ms, ms)
    out["worst_hostile_ms"] = round(worst_ms, 1)
    out["worst_hostile_over_baseline"] = round(worst_ms / out["baseline_ms"], 1)
    ordinary_unit, fck_unit = post + "\n\n", "f*ck "
    for label, unit in (("ordinary", ordinary_unit), ("fck", fck_unit)):
        for size, tag in ((10_000, "10kb"), (100_000, "100kb"), (1_000_000, "1mb")):
            text = (unit * (size // len(unit) + 1))[:size]
            out[f"{label}_{tag}_ms"] = round(best(acme, text, 1 if size == 1_000_000 else args.runs), 1)
        out[f"{label}_ratio_1mb_100kb"] = round(out[f"{label}_1mb_ms"] / out[f"{label}_100kb_ms"], 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
