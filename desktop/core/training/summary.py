"""A summary of the company policy, generated from its rules: what a person reads and acknowledges.

The summary is plain data (:class:`PolicySummary`) with two renderings: :meth:`PolicySummary.as_text`
(the exact wording recorded with an acknowledgement, and what the audit trail exports) and
:meth:`PolicySummary.as_html` (what the dialog shows). Both come from the same data, so what was
shown and what was recorded never drift apart.

Rules are grouped by category, the most severe categories first. Rules in ``shadow`` mode are left
out (nobody ever sees their findings); rules in ``advise`` mode are listed as being tried out.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.policy import Policy

SEVERITY_WORDS = {
    "block": "Blocks publishing",
    "warn": "Needs your acknowledgement with a reason",
    "info": "A hint",
}
ACKNOWLEDGEMENT_STATEMENT = ("I have read this summary of the company policy and I will follow it when I post "
                             "about the company or my work.")

# Category ids are short machine names ("internal_url"); a few read better written out.
_CATEGORY_TITLES = {
    "secret": "Secrets and credentials",
    "credential": "Secrets and credentials",
    "internal_url": "Internal links",
    "internal_link": "Internal links",
    "codename": "Codenames",
    "unreleased_product": "Unreleased products",
    "unannounced_product": "Unannounced products",
    "length": "Post length",
    "pii": "Personal data",
    "mnpi": "Material non-public information",
}


def category_title(category: str) -> str:
    """``internal_url`` → ``Internal links``; unknown ids are written out from their words."""
    if category in _CATEGORY_TITLES:
        return _CATEGORY_TITLES[category]
    words = category.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Other"


@dataclass(frozen=True)
class RuleLine:
    """One rule as the summary states it."""

    rule_id: str
    severity: str  # block | warn | info
    statement: str  # the rule's message, with its {match} placeholder taken out
    explanation: str
    tip: str
    trial: bool = False  # an advise-mode rule: shown as advice while it is tried out

    @property
    def severity_words(self) -> str:
        words = SEVERITY_WORDS.get(self.severity, self.severity)
        return f"Being tried out (will be: {words.lower()})" if self.trial else words


@dataclass(frozen=True)
class CategorySummary:
    category: str
    title: str
    rules: tuple[RuleLine, ...]

    @property
    def severity(self) -> str:
        """The strongest severity of the category's rules in force (trial rules count as hints)."""
        ranks = {"block": 3, "warn": 2, "info": 1}
        best = max((ranks.get("info" if r.trial else r.severity, 0) for r in self.rules), default=1)
        return {3: "block", 2: "warn", 1: "info"}[best]


@dataclass(frozen=True)
class PolicySummary:
    policy_id: str
    name: str
    version: str
    owner: str
    contact: str
    categories: tuple[CategorySummary, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Rules in force by severity (trial rules apart, under ``trial``)."""
        counts = {"block": 0, "warn": 0, "info": 0, "trial": 0}
        for category in self.categories:
            for rule in category.rules:
                counts["trial" if rule.trial else rule.severity] += 1
        return counts

    def category(self, category: str) -> CategorySummary | None:
        return next((c for c in self.categories if c.category == category), None)

    def headline(self) -> str:
        counts = self.counts
        parts = [f"{counts['block']} rule(s) that block publishing", f"{counts['warn']} that need your "
                 f"acknowledgement", f"{counts['info']} hint(s)"]
        if counts["trial"]:
            parts.append(f"{counts['trial']} being tried out")
        return f"{len(self.categories)} topics: " + ", ".join(parts) + "."

    def as_text(self) -> str:
        """The summary as plain text: what an acknowledgement records, word for word."""
        lines = [f"{self.name} (id {self.policy_id}, version {self.version})",
                 f"Owner: {self.owner or 'not named'}. Questions: {self.contact or 'ask your manager'}.",
                 self.headline(), ""]
        for category in self.categories:
            lines.append(f"{category.title}:")
            for rule in category.rules:
                lines.append(f"  - [{rule.severity_words}] {rule.statement}")
                if rule.explanation:
                    lines.append(f"    Why: {rule.explanation}")
                if rule.tip:
                    lines.append(f"    What to do: {rule.tip}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def as_html(self, colours: Mapping[str, str] | None = None) -> str:
        """The summary for a rich-text view (every text from the policy escaped); *colours* by severity
        (the UI passes its theme's, readable on a light or dark background)."""
        e = html.escape
        colours = colours or {"block": "#B3261E", "warn": "#8A5300", "info": "#1A5FB4"}
        parts = [f"<h2>{e(self.name)}</h2>",
                 f"<p>Version <b>{e(self.version)}</b> · id <code>{e(self.policy_id)}</code><br>"
                 f"Owner: {e(self.owner or 'not named')} · Questions: {e(self.contact or 'ask your manager')}</p>",
                 f"<p>{e(self.headline())}</p>"]
        for category in self.categories:
            parts.append(f"<h3>{e(category.title)}</h3><ul>")
            for rule in category.rules:
                colour = colours["info" if rule.trial else rule.severity]
                parts.append(f"<li><span style='color:{colour}; font-weight:600'>{e(rule.severity_words)}</span>: "
                             f"{e(rule.statement)}")
                if rule.explanation:
                    parts.append(f"<br><i>Why:</i> {e(rule.explanation)}")
                if rule.tip:
                    parts.append(f"<br><i>What to do:</i> {e(rule.tip)}")
                parts.append("</li>")
            parts.append("</ul>")
        return "".join(parts)


def statement(message: str) -> str:
    """A rule's message as a general statement: ``Confidential codename: {match}`` → ``Confidential codename``."""
    text = message.replace("{match}", "").strip()
    while text and text[-1] in ":;,-–— (":
        text = text[:-1].rstrip()
    return text or message


def summarise(policy: Policy) -> PolicySummary:
    """The summary of *policy*'s rules (see the module docstring for what is left out)."""
    grouped: dict[str, list[RuleLine]] = {}
    for rule in policy.rules:
        if rule.mode == "shadow":
            continue
        grouped.setdefault(rule.category, []).append(RuleLine(
            rule.id, rule.severity.value, statement(rule.message), rule.explanation, rule.tip,
            trial=rule.mode == "advise"))
    ranks = {"block": 0, "warn": 1, "info": 2}
    categories = [CategorySummary(name, category_title(name), tuple(sorted(rules, key=lambda r: (
        r.trial, ranks.get(r.severity, 3), r.rule_id)))) for name, rules in grouped.items()]
    categories.sort(key=lambda c: (ranks[c.severity], c.title.lower()))
    info = policy.info
    return PolicySummary(info.id, info.name, info.version, info.owner, info.contact, tuple(categories))
