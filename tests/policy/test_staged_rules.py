"""Staged rules (``mode = "enforce" | "advise" | "shadow"``) and the ``report`` field: loading,
checking, and that rules being tried out never block publishing."""

from __future__ import annotations

import pytest

from desktop.core.policy import Policy, PolicyError, Severity, parse_policy
from desktop.core.policy.reporting import FalsePositiveReport, report_target, report_text, report_url
from desktop.core.publishing import verdict

HEAD = """
[policy]
id = "staged"
name = "Staged"
version = "3"
owner = "Comms"
contact = "Comms team <comms@acme.example>"
{extra}
"""

RULES = """
[[rules]]
id = "codename"
category = "confidential"
kind = "lexicon"
terms = ["bluebird"]
severity = "block"
message = "Confidential codename: {{match}}"
examples.flag = ["bluebird"]

[[rules]]
id = "forecast"
category = "finance"
kind = "lexicon"
terms = ["revenue will double"]
severity = "block"
mode = "{advise}"
message = "Forward-looking statement: {{match}}"
examples.flag = ["revenue will double"]

[[rules]]
id = "roadmap"
category = "confidential"
kind = "pattern"
pattern = "\\\\bships next (?:week|month)\\\\b"
severity = "warn"
mode = "{shadow}"
message = "Launch date"
examples.flag = ["it ships next week"]
examples.pass = ["it shipped last week"]
"""

TEXT = "Bluebird: our revenue will double, and it ships next week."


def staged(advise: str = "advise", shadow: str = "shadow", extra: str = "") -> Policy:
    info, rules = parse_policy(HEAD.format(extra=extra) + RULES.format(advise=advise, shadow=shadow), "staged.toml")
    return Policy(info, rules)


def test_mode_defaults_to_enforce_and_is_carried_on_each_rule() -> None:
    policy = staged()
    assert [(rule.id, rule.mode) for rule in policy.rules] == [
        ("codename", "enforce"), ("forecast", "advise"), ("roadmap", "shadow")]
    assert [rule.id for rule in policy.staged_rules] == ["forecast", "roadmap"]


def test_a_misspelt_mode_is_refused_with_a_suggestion() -> None:
    with pytest.raises(PolicyError) as raised:
        staged(advise="advice")
    [problem] = raised.value.problems
    assert (problem.rule_id, problem.field) == ("forecast", "mode")
    assert "must be one of enforce, advise, shadow, not 'advice' (did you mean `advise`?)" in problem.message


def test_advise_findings_are_shown_as_advisory_hints_and_shadow_ones_not_at_all() -> None:
    policy = staged()
    shown = policy.check(TEXT)
    assert [(f.rule_id, f.severity, f.mode) for f in shown] == [
        ("codename", Severity.BLOCK, "enforce"), ("forecast", Severity.INFO, "advise")]
    advisory = shown[1]
    assert advisory.advisory and advisory.rule_severity is Severity.BLOCK
    assert advisory.as_json()["mode"] == "advise" and advisory.as_json()["rule_severity"] == "block"
    assert "mode" not in shown[0].as_json()


def test_evaluate_keeps_the_shadow_findings_apart_for_counting() -> None:
    evaluation = staged().evaluate(TEXT)
    assert [f.rule_id for f in evaluation.shown] == ["codename", "forecast"]
    [hidden] = evaluation.shadow
    assert (hidden.rule_id, hidden.mode, hidden.text, hidden.rule_severity) == (
        "roadmap", "shadow", "ships next week", Severity.WARN)
    assert [f.rule_id for f in evaluation.staged] == ["forecast", "roadmap"]
    assert staged().evaluate(TEXT, shadow=False).shadow == []


def test_staged_rules_never_block_nor_ask_for_an_acknowledgement() -> None:
    policy = staged()
    findings = policy.check("Our revenue will double next year, and it ships next week.")
    assert findings and all(f.severity is Severity.INFO for f in findings)
    assert verdict.blocks(findings) == [] and verdict.refusal(verdict.blocks(findings)) is None
    # the same rules enforced block and warn
    enforced = staged(advise="enforce", shadow="enforce").check("Our revenue will double, and it ships next week.")
    assert {f.severity for f in enforced} == {Severity.BLOCK, Severity.WARN}
    assert verdict.refusal(verdict.blocks(enforced)) is not None


def test_verdict_ignores_a_block_finding_from_a_rule_not_in_force() -> None:
    hidden = staged().evaluate(TEXT).shadow
    blocked = staged(shadow="enforce").check(TEXT)
    assert verdict.blocks([*hidden]) == []  # a shadow finding passed on by mistake still cannot block
    assert [f.rule_id for f in verdict.blocks(blocked)] == ["codename"]


def test_a_staged_rule_still_runs_its_own_examples() -> None:
    broken = RULES.format(advise="advise", shadow="shadow").replace('examples.pass = ["it shipped last week"]',
                                                                    'examples.pass = ["it ships next month"]')
    info, rules = parse_policy(HEAD.format(extra="") + broken, "staged.toml")
    problems = Policy(info, rules).self_test()
    assert [(p.rule_id, p.field) for p in problems] == [("roadmap", "examples.pass")]


# -- where "This is wrong" reports go ------------------------------------------------------------
def test_report_falls_back_to_the_contact_when_it_is_an_e_mail_address() -> None:
    assert report_target(staged().info) == "mailto:comms@acme.example"
    info, rules = parse_policy(HEAD.format(extra="").replace("Comms team <comms@acme.example>", "The comms team")
                               + RULES.format(advise="advise", shadow="shadow"), "staged.toml")
    assert report_target(info) is None


@pytest.mark.parametrize("value", ["mailto:policy-fp@acme.example",
                                   "https://forms.acme.example/fp?rule={rule}&v={version}&w={words}&b={body}"])
def test_a_report_field_is_used_as_given(value: str) -> None:
    assert report_target(staged(extra=f'report = "{value}"').info) == value


@pytest.mark.parametrize(("value", "expected"), [
    ("policy@acme.example", "must be a mailto: address"),
    ("http://forms.acme.example/", "must be a mailto: address"),
    ("mailto:", "must be mailto: followed by an e-mail address"),
    ("https://forms.acme.example/?r={rul}", "unknown placeholder {rul} (did you mean `rule`?)"),
    ("https:///path", "must name a host"),
])
def test_a_bad_report_field_is_refused_with_what_to_write(value: str, expected: str) -> None:
    with pytest.raises(PolicyError) as raised:
        staged(extra=f'report = "{value}"')
    [problem] = raised.value.problems
    assert problem.field == "policy.report" and expected in problem.message


def test_the_report_url_carries_rule_version_and_words_url_encoded() -> None:
    policy = staged()
    [finding] = [f for f in policy.check(TEXT) if f.rule_id == "forecast"]
    report = FalsePositiveReport.for_finding(policy.info, finding)
    body = report_text(report)
    assert "Rule: forecast" in body and "Policy: staged 3" in body and "Matched words: revenue will double" in body
    url = report_url("mailto:comms@acme.example", report, body)
    assert url.startswith("mailto:comms@acme.example?subject=Chorus%3A%20false%20positive%20of%20rule%20forecast")
    assert "Matched%20words%3A%20revenue%20will%20double" in url and "+" not in url
    template = report_url("https://forms.acme.example/fp?rule={rule}&v={version}&w={words}", report, body)
    assert template == "https://forms.acme.example/fp?rule=forecast&v=3&w=revenue%20will%20double"


def test_a_report_without_the_words_leaves_them_out_of_the_message_too() -> None:
    policy = staged()
    [finding] = [f for f in policy.check(TEXT) if f.rule_id == "forecast"]
    report = FalsePositiveReport.for_finding(policy.info, finding).without_words()
    assert report.words == "" and report.message == "Forward-looking statement: …"
    assert "revenue" not in report.text()
    assert "revenue" not in report.url("https://forms.acme.example/fp?w={words}&b={body}", report.text())
