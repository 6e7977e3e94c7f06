"""The company's social-media policy: a TOML file of rules, checked offline, as you type.

    policy = load_policy("acme-example")          # a built-in policy by name, or a file path
    findings = policy.check(text, network="x")    # findings with code-point spans into text
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from desktop.core.paths import resources_dir
from desktop.core.policy.budget import (
    CHECK_BUDGET_S,
    EXAMPLE_BUDGET_S,
    EXAMPLE_REGEX_TIMEOUT_S,
    PATTERN_SHARE,
    Budget,
    RuleIncomplete,
)
from desktop.core.policy.detectors.catalogue import CatalogueError
from desktop.core.policy.fields import PolicyError, PolicyProblem
from desktop.core.policy.loader import parse_policy, read_policy
from desktop.core.policy.model import (
    ADVISE,
    ENFORCE,
    MODES,
    SHADOW,
    CheckResult,
    Finding,
    PolicyInfo,
    QuickFix,
    Reference,
    Severity,
)
from desktop.core.policy.rules import Document, Rule

__all__ = ["MODES", "Budget", "CheckResult", "Evaluation", "Finding", "Policy", "PolicyError", "PolicyInfo",
           "PolicyProblem", "QuickFix", "Reference", "Severity", "builtin_policies", "load_policy", "parse_policy",
           "MAX_CHECK_CHARS", "TOO_LONG_RULE", "too_long_to_check"]


class Evaluation(NamedTuple):
    """A check's findings: *shown* to the author (enforced and advisory ones), and the *shadow* rules'
    findings, which are never shown, only counted locally (desktop.core.policy.usage)."""

    shown: list[Finding]
    shadow: list[Finding]

    @property
    def staged(self) -> list[Finding]:
        """The findings of rules being tried out (advise and shadow): what usage counting records."""
        return [f for f in self.shown if f.mode == ADVISE] + self.shadow


# No network takes posts anywhere near this long (LinkedIn's 3,000 characters is the largest), and a
# check of this much text stays within the time bound; beyond it the rest is not checked, and said so.
MAX_CHECK_CHARS = 100_000
TOO_LONG_RULE = "post-too-long-to-check"


def too_long_to_check(length: int) -> Finding:
    """The finding for a post longer than :data:`MAX_CHECK_CHARS`: it covers the unchecked rest and
    refuses publishing (a block), since no network takes a post that long."""
    return Finding(
        rule_id=TOO_LONG_RULE, category="length", severity=Severity.BLOCK, start=MAX_CHECK_CHARS, end=length,
        text="", message=f"This post has {length:,} characters; Chorus checks the first {MAX_CHECK_CHARS:,} only",
        explanation="A post this long is almost certainly a paste by mistake: no network accepts it, and Chorus "
                    "checks at most the first 100,000 characters so that typing never slows down.",
        tip="Shorten the post: keep what you meant to say, and link to a document for the rest.")


# Look-alike letters, emoji, a link, an address, a phone, card and IBAN, a credential, a censored word
_WARM_UP_TEXT = ("Оh shіt, café 😀 #tag @someone f*ck https://wiki.example.com/a?b=c x.com jane.doe@example.com "
                 "+49 176 12345678 4111 1111 1111 1111 DE89 3704 0044 0532 0130 00 password=hunter22 "
                 "AKIAQWERTYUIOPASDFGH postgres://u:p@h/db 2024-01-02. Next sentence!")


_engine_warm = False  # Policy._warm_up has run in this process


class Policy:
    def __init__(self, info: PolicyInfo, rules: list[Rule]) -> None:
        self.info = info
        self.rules = rules
        # what `chorus policy validate` reports without refusing the policy (unknown keys, control characters)
        self.warnings: list[PolicyProblem] = []

    def _warm_up(self) -> None:
        """Once per process, before the first real check: a short text that reaches every part of the
        engine, checked with ample time, and every length measure taken of it. The tables the engine
        loads on first use (look-alike letters, X's emoji and top-level domains, the credential
        catalogue) take up to a second, which must not count against a check's budget (it would
        report every rule incomplete)."""
        global _engine_warm
        _engine_warm = True
        from desktop.core.policy.metric import _measures

        for measure in _measures().values():
            measure(_WARM_UP_TEXT)
        networks = {None, *(n for rule in self.rules for n in (rule.networks or ())),
                    *(n for rule in self.rules for n in getattr(rule, "limits", {}))}
        for network in networks:
            self.evaluate(_WARM_UP_TEXT, network, budget=Budget(seconds=60.0))

    @property
    def version_key(self) -> str:
        """Identifies this policy and version (acknowledgements are dropped when it changes)."""
        return f"{self.info.id}@{self.info.version}"

    def check(self, text: str, network: str | None = None, today: dt.date | None = None, *,
              instance_limits: dict[str, dict[str, Any]] | None = None, budget: Budget | None = None,
              alt_texts: Sequence[str] = (), references: Sequence[Reference] = ()) -> list[Finding]:
        """The findings to show for *text* posted to *network* (default: the policy's). *instance_limits*
        are the author's servers' own limits by network, e.g. ``{"mastodon": {"max_characters": 640}}``.

        The whole check has one time *budget* (default: a new one of ``CHECK_BUDGET_S``; pass one to
        share it between checks of the same post): the author's patterns and the engine's own work.
        A rule that runs out of time, or finds none left when its turn comes, gives one *incomplete*
        finding (``Finding.incomplete``) instead of its findings: never a silent pass.
        Rules in ``advise`` mode give advisory findings (severity info); ``shadow`` rules are not run
        at all (see :meth:`evaluate`). *alt_texts*: the alt text of each image attached to the post
        ("" for an image without), read by ``alt_text`` rules. *references*: texts the post is compared
        with (:class:`Reference`: a feed item's suggested copy, the author's own recent posts), read by
        ``authenticity`` rules; none by default.
        """
        return self.evaluate(text, network, today, instance_limits=instance_limits, budget=budget, shadow=False,
                             alt_texts=alt_texts, references=references).shown

    def evaluate(self, text: str, network: str | None = None, today: dt.date | None = None, *,
                 instance_limits: dict[str, dict[str, Any]] | None = None, budget: Budget | None = None,
                 shadow: bool = True, alt_texts: Sequence[str] = (),
                 references: Sequence[Reference] = ()) -> Evaluation:
        """Like :meth:`check`, with the shadow rules' findings kept apart (for local counting; none
        when *shadow* is false). Shadow rules run last, on what is left of the time budget, so they
        can never make a shown rule incomplete."""
        if not _engine_warm:
            self._warm_up()
        full_length = len(text)
        if full_length > MAX_CHECK_CHARS:
            text = text[:MAX_CHECK_CHARS]  # a paste of megabytes: the part a post could be, and one finding
        doc = Document(text, network or self.info.default_network, today or dt.date.today(),
                       instance_limits=instance_limits, budget=budget, alt_texts=alt_texts, references=references)
        shown: list[Finding] = [too_long_to_check(full_length)] if full_length > MAX_CHECK_CHARS else []
        hidden: list[Finding] = []
        # the budget bounds the whole check, the engine's loops included (they look at it as they go);
        # the built-in detectors and measures run first, the author's patterns last (Rule.priority)
        ordered = sorted(self.rules, key=lambda rule: rule.priority)
        with doc.budget.active():
            for rule in ordered:
                if rule.mode == ENFORCE:
                    shown.extend(check_rule(rule, doc))
                elif rule.mode == ADVISE:
                    shown.extend(advisory(f) for f in check_rule(rule, doc))
            if shadow:
                for rule in ordered:
                    if rule.mode == SHADOW:
                        hidden.extend(dataclasses.replace(f, mode=SHADOW, rule_severity=f.severity)
                                      for f in check_rule(rule, doc))
        shown.sort(key=lambda f: (f.start, f.end, f.rule_id))
        hidden.sort(key=lambda f: (f.start, f.end, f.rule_id))
        return Evaluation(shown, hidden)

    @property
    def staged_rules(self) -> list[Rule]:
        """The rules being tried out (``advise`` or ``shadow``)."""
        return [rule for rule in self.rules if rule.mode != ENFORCE]

    def shadow_policy(self) -> Policy | None:
        """A policy of this one's shadow rules alone (None: it has none): the live check runs it apart,
        off the GUI thread, so rules nobody sees never slow down the check the author waits for."""
        rules = [rule for rule in self.rules if rule.mode == SHADOW]
        return Policy(self.info, rules) if rules else None

    def self_test(self) -> list[PolicyProblem]:
        """Run every rule's own examples: a flag example must be flagged by that rule, a pass example not."""
        problems = []
        today = dt.date.today()
        for rule in self.rules:
            for field, examples in (("examples.flag", rule.examples_flag), ("examples.pass", rule.examples_pass)):
                for example, network in examples:
                    # an alt_text rule's examples are alt texts of one image attached to an empty post
                    doc = Document("" if rule.reads_alt_texts else example, network or self.info.default_network,
                                   today, budget=_example_budget(),
                                   alt_texts=(example,) if rule.reads_alt_texts else (),
                                   references=rule.example_references())
                    try:
                        active = rule.active(doc)
                        hits = rule.check(doc) if active else []
                    except RuleIncomplete:
                        active, hits = True, [rule.incomplete(doc)]
                    except CatalogueError as exc:  # the credential catalogue a detector reads is broken
                        problems.append(PolicyProblem(self.info.source, rule.id, "detector", str(exc)))
                        return problems
                    if any(hit.incomplete for hit in hits):
                        problems.append(PolicyProblem(
                            self.info.source, rule.id, field,
                            f"the rule's patterns did not finish in {EXAMPLE_BUDGET_S:g} s on its example "
                            f"{_short(example)}: simplify them (checks allow "
                            f"{CHECK_BUDGET_S * PATTERN_SHARE * 1000:g} ms for every pattern of a post together)"))
                    elif field == "examples.flag" and active and not hits:
                        problems.append(PolicyProblem(self.info.source, rule.id, "examples.flag",
                                                      f"the rule does not flag its own example {_short(example)}"))
                    elif field == "examples.pass" and hits:
                        problems.append(PolicyProblem(self.info.source, rule.id, "examples.pass",
                                                      f"the rule flags {_short(hits[0].text)} in its pass example "
                                                      f"{_short(example)}"))
        return problems


def _example_budget() -> Budget:
    """A load-time example's budget: :data:`EXAMPLE_BUDGET_S` for its patterns (a busy computer must
    not fail a policy's own examples), the engine's usual share on top."""
    return Budget(EXAMPLE_BUDGET_S / PATTERN_SHARE, EXAMPLE_REGEX_TIMEOUT_S)


def advisory(finding: Finding) -> Finding:
    """An advise-mode rule's finding as shown: severity info (it never blocks and needs no
    acknowledgement, like a compliance tool's policy tip in simulation mode), the rule's own
    severity kept in ``rule_severity`` so the author can be told what it will be once enforced."""
    return dataclasses.replace(finding, mode=ADVISE, rule_severity=finding.severity, severity=Severity.INFO)


def check_rule(rule: Rule, doc: Document) -> list[Finding]:
    """One rule's findings on *doc*; its *incomplete* finding when the check ran out of time before
    or while the rule ran (the findings it had so far are dropped with it: they may be wrong, e.g. an
    ``unless`` not yet seen). A rule that does not apply (another network, out of its dates) passes."""
    try:
        if not rule.active(doc):
            return []
        doc.budget.check(f"rule {rule.id}")
        return rule.check(doc)
    except RuleIncomplete:
        return [rule.incomplete(doc)]


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def policies_dir() -> Path:
    return resources_dir() / "policies"


def builtin_policies() -> list[str]:
    return sorted(p.stem for p in policies_dir().glob("*.toml"))


def load_policy(name_or_path: str | Path, *, run_examples: bool = True) -> Policy:
    """Load a built-in policy by name (``default``, ``acme-example``) or a policy file by path.

    Raises :class:`PolicyError` listing every problem (file, rule id, field, what is wrong),
    including rules whose own examples fail.
    """
    candidate = Path(name_or_path)
    if isinstance(name_or_path, str) and candidate.suffix != ".toml" and "/" not in name_or_path:
        candidate = policies_dir() / f"{name_or_path}.toml"
        if not candidate.exists():
            raise PolicyError([PolicyProblem(str(name_or_path), None, None,
                                             f"is not a built-in policy (built in: {', '.join(builtin_policies())}) "
                                             "nor a .toml file")])
    info, rules, warnings = read_policy(candidate)
    policy = Policy(info, rules)
    policy.warnings = warnings
    if run_examples:
        problems = policy.self_test()
        if problems:
            raise PolicyError(problems)
    return policy
