"""One time budget bounds a whole check: the engine's own work too, not only the author's patterns.

A post built to be slow (100,000 characters of look-alike card numbers, thousands of links) must not
hold a check for longer than its budget: the engine's loops stop when the time is spent and the rules
they served are reported *incomplete*, never passed. These tests make the budget run out on purpose
(a budget of no time at all), so they assert on what is reported, never on wall time; the times are
in tests/benchmarks/policy.py (``worst_case_ms``).
"""

from __future__ import annotations

import pytest
import regex

from desktop.core.policy import Budget, Policy, PolicyInfo, load_policy
from desktop.core.policy.budget import RuleIncomplete
from desktop.core.policy.detectors import find_ibans, find_payment_cards, find_phones, find_urls
from desktop.core.policy.model import Severity
from desktop.core.policy.rules import DetectorRule, PatternMatcher, PatternRule
from desktop.core.policy.text import normalise

INFO = PolicyInfo(id="budget", name="Budget", version="1", owner="QA", contact="qa@example.com",
                  source="budget.toml", default_network="linkedin")
SECRET = "AKIAQWERTYUIOPASDFGH"  # an AWS access key id shape
CATASTROPHIC = r"(?:x|x)*y"  # 2^n on a run of x without a y


def fill(unit: str, size: int = 100_000) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def no_time() -> Budget:
    return Budget(seconds=0.0)


def test_a_check_with_no_time_left_reports_every_rule_that_applies_incomplete_and_passes_none() -> None:
    policy = load_policy("default")
    text = f"Call me on +49 176 12345678, key {SECRET}, card 4111 1111 1111 1111. This is shit."
    assert {"personal-phone", "secret-credential", "payment-card"} <= {f.rule_id for f in policy.check(text, "x")}
    findings = policy.check(text, "x", budget=no_time())
    assert findings and all(f.incomplete for f in findings)  # nothing found, nothing passed
    reported = {f.rule_id for f in findings}
    assert {"personal-phone", "secret-credential", "payment-card", "profanity-strong", "length-limit"} <= reported
    for finding in findings:
        rule = next(r for r in policy.rules if r.id == finding.rule_id)
        assert finding.severity == (Severity.BLOCK if rule.severity is Severity.BLOCK else Severity.WARN)


def test_a_rule_for_another_network_is_not_reported_when_time_runs_out() -> None:
    rule = DetectorRule(id="D1", category="secret", severity=Severity.BLOCK, message="{kind}", detector="secrets",
                        networks=frozenset({"mastodon"}))
    policy = Policy(INFO, [rule])
    assert policy.check(SECRET, "x", budget=no_time()) == []  # it does not apply there: a pass, not a guess
    assert [f.incomplete for f in policy.check(SECRET, "mastodon", budget=no_time())] == [True]


@pytest.mark.parametrize(("detector", "text"), [
    (find_payment_cards, fill("4111 11 ")),
    (find_payment_cards, fill("4111 1111 1111 1111, ")),
    (find_ibans, fill("DE89 3704 0044 0532 0130 00 ")),
    (find_urls, fill("x.com ")),
    (find_phones, fill("+1 (555) 0100 12 34 5 ")),
    (normalise, fill("аb ")),
])
def test_the_engines_loops_stop_inside_a_check_that_has_no_time_left(detector, text: str) -> None:
    budget = no_time()
    with budget.active(), pytest.raises(RuleIncomplete):
        detector(text)
    detector(text)  # outside a check (the CLI's scorers, tests) a detector runs to its end
    if detector is not find_payment_cards or "," in text:
        assert detector(text)


def test_a_pattern_that_takes_all_its_time_leaves_the_built_in_rules_theirs() -> None:
    # the author's patterns and the engine's work are counted apart: the pattern's time limit (even
    # overrun on a busy machine) is never taken from the detector that runs after it
    policy = Policy(INFO, [
        PatternRule(id="P1", category="hostile", severity=Severity.WARN, message="Pattern {match}",
                    matcher=PatternMatcher(regex.compile(CATASTROPHIC))),
        DetectorRule(id="D1", category="secret", severity=Severity.BLOCK, message="This is {kind}",
                     detector="secrets"),
    ])
    text = "x" * 60 + " y " + SECRET
    findings = policy.check(text)
    assert [(f.rule_id, f.incomplete) for f in findings] == [("P1", True), ("D1", False)]
    assert findings[1].text == SECRET


def test_the_built_in_detectors_run_before_the_authors_patterns() -> None:
    # a check that runs out of time loses the costly rules (patterns) before the built-in ones: the
    # detector is checked first although the policy lists it last
    order: list[str] = []

    class Recording(DetectorRule):
        def check(self, doc):
            order.append(self.id)
            return super().check(doc)

    class RecordingPattern(PatternRule):
        def check(self, doc):
            order.append(self.id)
            return super().check(doc)

    policy = Policy(INFO, [
        RecordingPattern(id="P1", category="c", severity=Severity.WARN, message="m",
                         matcher=PatternMatcher(regex.compile("widget"))),
        Recording(id="D1", category="c", severity=Severity.WARN, message="m", detector="secrets"),
    ])
    policy.check("a widget")  # (the first check of a policy warms the engine up with a check of its own)
    order.clear()
    policy.check("a widget")
    assert order == ["D1", "P1"]


def test_after_an_engine_step_overran_the_checks_time_no_pattern_search_starts() -> None:
    budget = Budget(seconds=0.05)
    budget.start()
    assert budget.remaining > 0 and budget.patterns - budget.spent > 0
    budget.started = budget.started - 0.1  # as if one long step of the engine had taken 100 ms
    with pytest.raises(RuleIncomplete):
        budget.search(regex.compile("widget"), "a widget", 0, 8)
    assert budget.searches == 0


def test_the_first_check_in_a_fresh_process_is_not_charged_for_loading_the_engines_tables() -> None:
    # look-alike letters and X's tables load on first use (up to a second): a policy's first check
    # warms them up outside its budget, else every rule of the first post would be incomplete
    import subprocess
    import sys

    from tests.conftest import REPO

    code = ("from desktop.core.policy import load_policy, Policy\n"
            "policy = load_policy('acme-example')\n"
            "fresh = Policy(policy.info, policy.rules)\n"
            "findings = fresh.check('Oh sh\\u0456t, I left my badge at home again. \\U0001F600 x.com', 'x')\n"
            "print(sorted({(f.rule_id, f.incomplete) for f in findings}))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "True" not in result.stdout and "R18-profanity-strong" in result.stdout


def test_the_garbage_collector_waits_while_a_check_runs_and_is_back_after() -> None:
    import gc

    seen: list[bool] = []

    class Recording(DetectorRule):
        def check(self, doc):
            seen.append(gc.isenabled())
            return super().check(doc)

    policy = Policy(INFO, [Recording(id="D1", category="c", severity=Severity.WARN, message="m", detector="secrets")])
    assert gc.isenabled()
    policy.check("a post")
    assert seen and not any(seen)  # (a full collection can pause longer than a check's engine time)
    assert gc.isenabled()
