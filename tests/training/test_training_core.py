"""The policy summary and the check of understanding, built from a policy file the test writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.policy import Policy, load_policy
from desktop.core.training import build_quiz, summarise
from desktop.core.training.quiz import NO, PROMPT, YES
from tests.training.policy_files import write_policy


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    return load_policy(write_policy(tmp_path))


def test_summary_groups_rules_by_category_with_severity_owner_contact_and_version(policy: Policy) -> None:
    summary = summarise(policy)
    assert (summary.policy_id, summary.version, summary.owner, summary.contact) == (
        "training-test", "1", "Test Communications", "policy@test.example")
    # the most severe category first; the shadow rule (never shown to anyone) is left out
    assert [(c.category, c.severity, [r.rule_id for r in c.rules]) for c in summary.categories] == [
        ("codename", "block", ["codename"]), ("forward_looking", "warn", ["forecast"]), ("style", "info", ["hint"])]
    assert summary.counts == {"block": 1, "warn": 1, "info": 1, "trial": 0}
    text = summary.as_text()
    assert text.startswith("Training test policy (id training-test, version 1)\n")
    assert "Owner: Test Communications. Questions: policy@test.example." in text
    assert "  - [Blocks publishing] Confidential codename\n    Why: Codenames name work that is not announced." in text
    assert "[Needs your acknowledgement with a reason] Forecast" in text
    assert "Moonshot" not in text and "{match}" not in text
    page = summary.as_html()
    assert "<h3>Codenames</h3>" in page and "policy@test.example" in page


def test_summary_escapes_the_policy_texts_in_html(tmp_path: Path) -> None:
    path = write_policy(tmp_path)
    path.write_text(path.read_text().replace('owner = "Test Communications"', 'owner = "R&D <comms>"'))
    page = summarise(load_policy(path)).as_html()
    assert "R&amp;D &lt;comms&gt;" in page and "<comms>" not in page


def test_summary_of_the_acme_example_policy_covers_every_rule_shown() -> None:
    acme = load_policy("acme-example")
    summary = summarise(acme)
    listed = {rule.rule_id for category in summary.categories for rule in category.rules}
    assert listed == {rule.id for rule in acme.rules if rule.mode != "shadow"}
    assert summary.categories[0].severity == "block"


def test_quiz_questions_come_from_the_rules_examples_with_the_rules_explanation(policy: Policy) -> None:
    quiz = build_quiz(policy, seed=3, per_category=5)
    by_post = {q.post: q for q in quiz.questions}
    # every block/warn flag example is a "no"; pass examples that nothing in force stops are a "yes";
    # an info rule's flag example is no question (a hint never stops a post), nor is the shadow rule's
    assert {post for post, q in by_post.items() if not q.can_go_out} == {
        "Bluejay ships soon", "the Bluejay team", "#Bluejay rocks", "our revenue will double"}
    assert {post for post, q in by_post.items() if q.can_go_out} == {
        "a blue jay sang", "bird watching today", "our revenue doubled last year, as published", "great teamwork"}
    blocked = by_post["the Bluejay team"]
    assert blocked.prompt == PROMPT == "Can this post go out as it is?"
    assert blocked.answer.startswith("No. Codenames name work that is not announced.")
    assert "refuses to publish" in blocked.answer and "Describe the work without its codename." in blocked.answer
    warned = by_post["our revenue will double"]
    assert "acknowledge the warning with a reason" in warned.answer
    assert by_post["great teamwork"].answer.startswith("Yes.")


def test_quiz_is_a_few_per_category_and_the_same_for_the_same_seed(policy: Policy) -> None:
    quiz = build_quiz(policy, seed=11, per_category=2)
    counts: dict[str, int] = {}
    for question in quiz.questions:
        counts[question.category] = counts.get(question.category, 0) + 1
    assert counts == {"codename": 2, "forward_looking": 2, "style": 1}
    # both kinds in a category that has both
    assert {q.can_go_out for q in quiz.questions if q.category == "codename"} == {True, False}
    assert build_quiz(policy, seed=11, per_category=2) == quiz
    seeds = {tuple(q.post for q in build_quiz(policy, seed=s, per_category=2).questions) for s in range(8)}
    assert len(seeds) > 1  # the seed decides


def test_a_category_quiz_asks_about_that_category_only(policy: Policy) -> None:
    quiz = build_quiz(policy, seed=5, per_category=3, categories=["codename"])
    assert quiz.category == "codename" and quiz.title == "Check of understanding: Codenames"
    assert len(quiz.questions) == 3 and {q.rule_id for q in quiz.questions} == {"codename"}


def test_grading_and_the_recorded_wording(policy: Policy) -> None:
    quiz = build_quiz(policy, seed=2, per_category=2)
    right = [q.can_go_out for q in quiz.questions]
    assert quiz.grade(right).passed and quiz.grade(right).right == len(right)
    one_wrong = [not right[0]] + right[1:]
    result = quiz.grade(one_wrong)
    assert result.wrong == (0,) and result.right == len(right) - 1
    assert result.passed == (result.right >= 0.8 * len(right))
    assert not quiz.grade([not a for a in right]).passed
    wording = result.wording()
    first = quiz.questions[0]
    assert f"1. {PROMPT}" in wording and f"   Post: {first.post}" in wording
    assert f"   Answered: {YES if one_wrong[0] else NO}" in wording and "(wrong)" in wording
    assert f"   Why: {first.answer}" in wording and wording.rstrip().endswith(result.score_text())
    data = result.as_json()
    assert data["questions"][0]["given"] == one_wrong[0] and data["seed"] == 2
    with pytest.raises(ValueError):
        quiz.grade(right[:-1])
