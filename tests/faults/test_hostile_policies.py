"""Hostile policies: a check is bounded whatever the policy, and a rule that cannot finish is reported.

A policy can pass validation (its examples are short) and still hold patterns that backtrack for
minutes on some post. The author's patterns share one time budget per check (rules.Budget); a rule
that runs out of it gives an *incomplete* finding with the rule's own severity path (a block rule
blocks, anything else asks the author to look as a warning), never a silent pass. These tests assert
on what was searched and reported, never on wall time (the times are in tests/benchmarks/hostile.py).
"""

from __future__ import annotations

import random

import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from desktop.core.policy import Policy, PolicyInfo
from desktop.core.policy.detectors import Intervals, overlaps
from desktop.core.policy.lexicon import Lexicon, make_term
from desktop.core.policy.model import Severity
from desktop.core.policy.rules import MAX_FINDINGS_PER_RULE, Budget, LexiconRule, PatternMatcher, PatternRule
from desktop.core.policy.targets import TargetedCheck
from tests.ui.conftest import make_window  # noqa: F401  (the real main window fixture)

INFO = PolicyInfo(id="hostile", name="Hostile", version="1", owner="QA", contact="qa@example.com",
                  source="hostile.toml", default_network="linkedin")
# the probe: term-level exceptions that backtrack exponentially on a run of '%'
SLOW_UNLESS = [r"(?:%|%)+~", r"(?:%|%%)+~", r"(?:%%|%)+~", r"(?:%|%|%)+~", r"(?:%|%)*~"]
CATASTROPHIC = r"(?:x|x)*y"  # 2^n on a run of x without a y


def lexicon_rule(rule_id: str = "T1", severity: Severity = Severity.WARN, term_unless=None, unless=(),
                 terms=("widget",)) -> LexiconRule:
    return LexiconRule(id=rule_id, category="hostile", severity=severity, message="Avoid {match}",
                       lexicon=Lexicon([make_term(t) for t in terms]),
                       unless=[regex.compile(p) for p in unless],
                       term_unless={t: [regex.compile(p) for p in ps] for t, ps in (term_unless or {}).items()})


def pattern_rule(rule_id: str, pattern: str, severity: Severity = Severity.WARN, networks=None) -> PatternRule:
    return PatternRule(id=rule_id, category="hostile", severity=severity, message="Pattern {match}",
                       matcher=PatternMatcher(regex.compile(pattern)), networks=networks)


def hostile_post(length: int = 3001) -> str:
    return ("widget " + "%" * length)[:length]


def incomplete(findings, rule_id: str):
    found = [f for f in findings if f.rule_id == rule_id and f.incomplete]
    assert len(found) == 1, findings
    return found[0]


# -- a rule that cannot finish is reported -------------------------------------------------------------
def test_a_term_whose_exceptions_cannot_finish_is_reported_incomplete_not_passed() -> None:
    policy = Policy(INFO, [lexicon_rule(term_unless={"widget": SLOW_UNLESS})])
    findings = policy.check(hostile_post())
    finding = incomplete(findings, "T1")
    assert finding.severity is Severity.WARN  # publishing asks the author to look
    assert "could not be completed in time; check this post yourself" in finding.message
    assert (finding.start, finding.end, finding.text) == (0, 0, "")  # about the whole post
    assert finding.as_json()["incomplete"] is True
    assert [f for f in findings if f.rule_id == "T1"] == [finding]  # no guesses beside it


def test_an_incomplete_block_rule_blocks_and_other_severities_ask_for_a_look() -> None:
    for severity, expected in ((Severity.BLOCK, Severity.BLOCK), (Severity.WARN, Severity.WARN),
                               (Severity.INFO, Severity.WARN)):
        policy = Policy(INFO, [pattern_rule("P1", CATASTROPHIC, severity)])
        finding = incomplete(policy.check("x" * 60 + " y"), "P1")
        assert finding.severity is expected, severity


def test_a_timed_out_search_does_not_drop_the_rest_of_the_post_silently() -> None:
    # the first match is found at once; the search after it backtracks without end. The old engine
    # reported the first match and silently dropped whatever came after the time-out.
    policy = Policy(INFO, [pattern_rule("P1", CATASTROPHIC + "|widget")])
    assert [f.text for f in policy.check("a widget here")] == ["widget"]  # the rule works
    findings = policy.check("widget " + "x" * 60 + " y" + " widget")
    incomplete(findings, "P1")


def test_a_rule_wide_unless_that_cannot_finish_is_reported() -> None:
    policy = Policy(INFO, [lexicon_rule(severity=Severity.BLOCK, unless=[CATASTROPHIC])])
    findings = policy.check("widget " + "x" * 60 + " y")
    assert incomplete(findings, "T1").severity is Severity.BLOCK


def test_the_other_rules_still_run_and_report() -> None:
    policy = Policy(INFO, [pattern_rule("P1", CATASTROPHIC), lexicon_rule("T2", terms=("gadget",))])
    findings = policy.check("gadget " + "x" * 60 + " y")
    incomplete(findings, "P1")
    assert [(f.rule_id, f.text) for f in findings if not f.incomplete] == [("T2", "gadget")]


# -- one budget for the whole check ----------------------------------------------------------------------
def test_rules_share_one_budget_and_once_it_is_spent_no_pattern_runs() -> None:
    policy = Policy(INFO, [pattern_rule(f"P{i}", CATASTROPHIC) for i in range(6)])
    budget = Budget(seconds=0.02, per_search=0.01)
    findings = policy.check("x" * 60 + " y", budget=budget)
    assert sorted(f.rule_id for f in findings if f.incomplete) == [f"P{i}" for i in range(6)]
    # at most two searches used the whole budget (one, if it overran its limit); the later rules were
    # reported without searching
    assert 1 <= budget.searches == budget.timed_out <= 2


def test_every_network_of_a_targeted_check_shares_the_budget(caplog) -> None:
    rule = pattern_rule("P1", CATASTROPHIC, networks=frozenset({"x", "bluesky", "mastodon", "linkedin"}))
    check = TargetedCheck(Policy(INFO, [rule]), ["linkedin", "x", "bluesky", "mastodon"])
    with caplog.at_level("WARNING", logger="desktop.core.policy.rules"):
        findings = check("x" * 60 + " y")
    assert [f.rule_id for f in findings if f.incomplete] == ["P1"]  # reported once
    # the rule runs in each of the four networks' checks; with one budget (36 ms of patterns, at most 50 ms a search)
    # at most two searches can start (one if the first overran its limit), where four budgets would let
    # each of the four time out
    stopped = [r for r in caplog.records if "policy pattern stopped" in r.getMessage()]
    assert 1 <= len(stopped) <= 2, [r.getMessage() for r in stopped]


# -- unless patterns run once per post -------------------------------------------------------------------
def test_term_exceptions_are_searched_once_per_post_not_once_per_match() -> None:
    policy = Policy(INFO, [lexicon_rule(term_unless={"widget": [f"never{i}" for i in range(5)]})])
    budget = Budget()
    findings = policy.check(" ".join(["widget"] * 200), budget=budget)
    assert len(findings) == 200
    assert budget.searches == 5  # each exception once (was 5 x 200 whole-post searches)


def test_exceptions_shared_by_terms_and_rules_are_searched_once_and_keep_their_meaning() -> None:
    rules = [lexicon_rule("T1", terms=("widget", "gadget"), term_unless={"widget": ["approved"], "gadget": ["approved"]}),
             lexicon_rule("T2", terms=("gizmo",), unless=["approved"])]
    policy = Policy(INFO, rules)
    budget = Budget()
    text = "widget gadget gizmo " * 20
    assert len(policy.check(text, budget=budget)) == 60
    assert budget.searches == 1
    # anywhere in the post, as the README says, even far from the match
    assert policy.check(text + "x" * 5000 + " approved") == []


# -- the load-time self test says why, instead of "does not flag" ----------------------------------------
def test_an_example_that_cannot_finish_is_reported_as_such(monkeypatch) -> None:
    import desktop.core.policy as policy_module

    monkeypatch.setattr(policy_module, "EXAMPLE_BUDGET_S", 0.05)
    monkeypatch.setattr(policy_module, "EXAMPLE_REGEX_TIMEOUT_S", 0.05)
    rule = pattern_rule("P1", CATASTROPHIC + "|widget")
    rule.examples_flag = [("widget " + "x" * 60 + " y", None)]
    problems = Policy(INFO, [rule]).self_test()
    assert len(problems) == 1 and "did not finish" in str(problems[0]), problems


# -- overlaps are a binary search, and answer as before ---------------------------------------------------
spans = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=30)


@settings(max_examples=300, deadline=None)
@given(spans, spans)
@example(zones=[(6, 36), (36, 37)], questions=[(36, 36)])  # touching runs, an empty span between (found in CI)
def test_interval_index_answers_like_the_pairwise_test(zones, questions) -> None:
    index = Intervals(zones)
    for span in questions:
        assert index.overlaps(span) == overlaps(span, zones), (span, zones)


def test_many_zones_and_many_self_censored_words_are_found_with_the_index() -> None:
    # a post of thousands of links and f*ck-style words: every word is still judged against every zone
    rng = random.Random(7)
    words = [rng.choice(["f*ck", "example.org/f*ck", "fine"]) for _ in range(3000)]
    text = " ".join(words)
    rule = lexicon_rule("S1", terms=("fuck",))
    rule.self_censor = True
    findings = Policy(INFO, [rule]).check(text)
    expected = words.count("f*ck")  # the ones inside links are out of reach (G3)
    # the first MAX_FINDINGS_PER_RULE are listed and the last says how many more: the total is exact
    assert len(findings) == MAX_FINDINGS_PER_RULE < expected
    assert findings[-1].message.endswith(f"(and {expected - MAX_FINDINGS_PER_RULE:,} more like it in this post)")


# -- the app: listed like any finding, no underline, publishing follows its severity ----------------------
def test_the_window_lists_an_incomplete_rule_and_refuses_publishing_for_a_block_rule(make_window, qtbot) -> None:  # noqa: F811
    from desktop.ui.policy.findings_panel import INCOMPLETE_DETAIL

    policy = Policy(INFO, [lexicon_rule("T1", severity=Severity.BLOCK, term_unless={"widget": SLOW_UNLESS}),
                           lexicon_rule("T2", terms=("gadget",))])
    window = make_window(checker=policy.check, policy_version="hostile@1")
    check = window.composer.policy
    window.composer.editor.setPlainText("gadget " + hostile_post())
    qtbot.waitUntil(lambda: check.state == "ok", timeout=10_000)
    items = {item.finding.rule_id: item for item in check.findings}
    assert items["T1"].finding.incomplete and items["T1"].severity == "block"
    assert check.blocked
    assert "T1 could not be completed in time" in check.publish_refusal()
    # underlined: the ordinary finding only (the incomplete one is about the whole post)
    assert [s.cursor.selectedText() for s in window.composer.editor.extraSelections()] == ["gadget"]
    panel = window.findings_panel
    row = panel.row_of(items["T1"])
    assert row >= 0
    panel.list.setCurrentRow(row)
    assert INCOMPLETE_DETAIL in panel.list.item(row).data(Qt.ItemDataRole.AccessibleTextRole)
    assert "could not finish this block rule" in panel.note.text()
    window.close()
    window.runner.shutdown()
    window.store.close()



def test_a_gui_thread_check_that_runs_out_of_its_half_frame_is_redone_on_the_lane(make_window, qtbot) -> None:  # noqa: F811
    # typing fast checks on the GUI thread; a paste that makes the author's patterns slow must not be
    # reported incomplete because of the GUI thread's short budget: the lane checks it with the full one
    slow = pattern_rule("P1", r"(?:x|x)*y|widget")
    policy = Policy(INFO, [slow])
    window = make_window(checker=policy.check, policy_version="hostile@1")
    check = window.composer.policy
    window.composer.editor.setPlainText("a widget")
    qtbot.waitUntil(lambda: check.state == "ok" and len(check.findings) == 1, timeout=10_000)
    window.composer.editor.setPlainText("a widget")  # measured: now fast enough for the GUI thread
    qtbot.waitUntil(lambda: check.state == "ok" and check.last_check_inline, timeout=10_000)
    # the GUI thread's check runs out of its half frame: what is shown comes from the lane's full budget
    window.composer.editor.setPlainText("a widget " + "x" * 60 + " y")
    check.check_now()
    qtbot.waitUntil(lambda: check.state == "ok", timeout=10_000)
    assert not check.last_check_inline
    assert [(item.finding.rule_id, item.finding.incomplete) for item in check.findings] == [("P1", True)]
    window.close()
    window.runner.shutdown()
    window.store.close()
