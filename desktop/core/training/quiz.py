"""A check of understanding built from the policy itself: each rule's own ``examples``.

Every rule of a policy carries posts it must flag and posts it must let pass (the policy does not
load otherwise). Those become questions: "Can this post go out as it is?", with the rule's
explanation as the answer. A few per category, chosen with a seeded random generator, so the same
policy and seed always give the same quiz (tests, and a person who reopens it).

Only clear-cut examples become questions:
- a *flag* example of a rule in force whose severity is ``block`` or ``warn`` (an ``info`` hint
  never stops a post, so "can it go out?" would be a trick question). The right answer is "No";
- a *pass* example on which the whole policy finds nothing that blocks or warns (a post one rule
  lets pass may still be stopped by another: then it is no question for "Yes"). The right answer
  is "Yes".
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.training.summary import category_title, statement

if TYPE_CHECKING:
    from desktop.core.policy import Policy
    from desktop.core.policy.rules import Rule

PROMPT = "Can this post go out as it is?"
YES, NO = "Yes, it can go out as it is", "No, not as it is"
PER_CATEGORY = 1  # the check of the whole policy: one question per category keeps it short
CATEGORY_QUESTIONS = 3  # the check offered for one category, the first time a finding of it is met
PASS_RATIO = 0.8  # the share of right answers that passes the check


@dataclass(frozen=True)
class Question:
    rule_id: str
    category: str
    post: str
    network: str | None
    can_go_out: bool  # the right answer
    answer: str  # why, in the rule's own words: shown once the person has answered
    severity: str = ""  # the rule's severity (block | warn) for a flagged post

    @property
    def prompt(self) -> str:
        return PROMPT

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "category": self.category, "post": self.post, "network": self.network,
                "prompt": self.prompt, "can_go_out": self.can_go_out, "answer": self.answer,
                "severity": self.severity}


@dataclass(frozen=True)
class Quiz:
    policy_id: str
    policy_version: str
    policy_name: str
    seed: int
    questions: tuple[Question, ...]
    category: str = ""  # "": the whole policy; else the one category it is about

    @property
    def title(self) -> str:
        if self.category:
            return f"Check of understanding: {category_title(self.category)}"
        return "Check of understanding"

    def grade(self, answers: Sequence[bool]) -> QuizResult:
        """The result of answering *answers* (True: "it can go out"), one per question in order."""
        if len(answers) != len(self.questions):
            raise ValueError(f"{len(answers)} answers for {len(self.questions)} questions")
        return QuizResult(self, tuple(answers))


@dataclass(frozen=True)
class QuizResult:
    quiz: Quiz
    answers: tuple[bool, ...]
    wrong: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "wrong", tuple(i for i, (q, a) in enumerate(zip(
            self.quiz.questions, self.answers, strict=True)) if q.can_go_out != a))

    @property
    def right(self) -> int:
        return len(self.answers) - len(self.wrong)

    @property
    def passed(self) -> bool:
        return bool(self.answers) and self.right >= PASS_RATIO * len(self.answers)

    def score_text(self) -> str:
        verdict = "passed" if self.passed else f"not passed (at least {PASS_RATIO:.0%} right answers pass)"
        return f"{self.right} of {len(self.answers)} right: {verdict}."

    def wording(self) -> str:
        """Every question, the answer given and the right one, as the person saw them (the audit record)."""
        quiz = self.quiz
        lines = [f"{quiz.title}: {quiz.policy_name} (id {quiz.policy_id}, version {quiz.policy_version}), "
                 f"seed {quiz.seed}", ""]
        for number, (question, given) in enumerate(zip(quiz.questions, self.answers, strict=True), 1):
            where = f" (on {question.network})" if question.network else ""
            lines += [f"{number}. {question.prompt}{where}",
                      f"   Post: {question.post}",
                      f"   Answered: {YES if given else NO}",
                      f"   Right answer: {YES if question.can_go_out else NO}"
                      + (" (right)" if given == question.can_go_out else " (wrong)"),
                      f"   Why: {question.answer}", ""]
        lines.append(f"Result: {self.score_text()}")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        quiz = self.quiz
        return {"policy_id": quiz.policy_id, "policy_version": quiz.policy_version, "category": quiz.category,
                "seed": quiz.seed, "passed": self.passed, "right": self.right, "total": len(self.answers),
                "questions": [dict(q.as_json(), given=a) for q, a in zip(quiz.questions, self.answers, strict=True)]}


def build_quiz(policy: Policy, seed: int, *, per_category: int = PER_CATEGORY,
               categories: Iterable[str] | None = None) -> Quiz:
    """A quiz of up to *per_category* questions for each category of *policy* (or only *categories*),
    the same for the same policy and *seed*. Where it can, each category gets one post that must be
    stopped and one that may go out (which comes first is drawn). Runs the policy on its examples:
    call it off the GUI thread."""
    rng = random.Random(seed)
    wanted = set(categories) if categories is not None else None
    by_category: dict[str, tuple[list[Question], list[Question]]] = {}
    for rule in policy.rules:
        if rule.mode != "enforce" or (wanted is not None and rule.category not in wanted):
            continue
        stop, go = by_category.setdefault(rule.category, ([], []))
        if rule.severity.value in ("block", "warn"):
            stop += [_flagged(rule, text, network) for text, network in rule.examples_flag
                     if _stopped(policy, rule, text, network)]
        go += [_passing(rule, text, network) for text, network in rule.examples_pass
               if _clean(policy, text, network)]
    questions: list[Question] = []
    for category in sorted(by_category):
        stop, go = by_category[category]
        stop, go = _shuffled(rng, stop), _shuffled(rng, go)
        chosen: list[Question] = []
        stop_first = rng.random() < 0.5  # which kind comes first; then they alternate
        while len(chosen) < per_category and (stop or go):
            want_stop = (len(chosen) % 2 == 0) == stop_first
            pool = stop if (want_stop and stop) or not go else go
            chosen.append(pool.pop(0))
        questions += chosen
    rng.shuffle(questions)
    only = next(iter(wanted)) if wanted is not None and len(wanted) == 1 else ""
    info = policy.info
    return Quiz(info.id, info.version, info.name, seed, tuple(questions), category=only)


def _shuffled(rng: random.Random, items: list[Question]) -> list[Question]:
    items = sorted(items, key=lambda q: (q.rule_id, q.post))  # independent of the rules' file order
    rng.shuffle(items)
    return items


def _flagged(rule: Rule, text: str, network: str | None) -> Question:
    consequence = ("The policy blocks it: Chorus refuses to publish it." if rule.severity.value == "block" else
                   "The policy warns: it could go out only once you acknowledge the warning with a reason.")
    why = rule.explanation or statement(rule.message)
    tip = f" What to do: {rule.tip}" if rule.tip else ""
    return Question(rule.id, rule.category, text, network, False, f"No. {why} {consequence}{tip}",
                    rule.severity.value)


def _passing(rule: Rule, text: str, network: str | None) -> Question:
    about = rule.explanation or statement(rule.message)
    return Question(rule.id, rule.category, text, network, True,
                    f"Yes. The rule on {category_title(rule.category).lower()} is about this: {about} "
                    "This post does not do that.")


def _stopped(policy: Policy, rule: Rule, text: str, network: str | None) -> bool:
    """Whether the rule stops *text* today (a rule outside its dates, or excepted, makes no "no" question)."""
    return any(f.rule_id == rule.id and f.severity.value in ("block", "warn") and not f.incomplete
               for f in policy.check(text, network))


def _clean(policy: Policy, text: str, network: str | None) -> bool:
    """Whether nothing in force blocks or warns on *text*: a fair "yes" question."""
    findings = policy.check(text, network)
    return not any(f.severity.value in ("block", "warn") and f.mode == "enforce" for f in findings)
