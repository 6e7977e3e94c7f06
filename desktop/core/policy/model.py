"""What the policy engine reports, and the policy it reports against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# A rule's mode: how far it is rolled out (compliance tools' "simulation" or "test with policy tips").
ENFORCE, ADVISE, SHADOW = "enforce", "advise", "shadow"
MODES = (ENFORCE, ADVISE, SHADOW)


class Severity(str, Enum):
    BLOCK = "block"  # publishing is refused; the author cannot override
    WARN = "warn"  # publishing needs an acknowledgement with a written reason
    INFO = "info"  # a hint the author may dismiss

    @property
    def rank(self) -> int:
        return {"block": 3, "warn": 2, "info": 1}[self.value]

    def lowered(self) -> Severity:
        """One level down (self-censored strong words: block → warn)."""
        return {Severity.BLOCK: Severity.WARN, Severity.WARN: Severity.INFO, Severity.INFO: Severity.INFO}[self]


@dataclass(frozen=True)
class QuickFix:
    """A one-click edit: replace the finding's span with *replacement*, or append *append* to the post."""

    label: str
    replacement: str | None = None
    append: str | None = None

    def apply(self, text: str, start: int, end: int) -> str:
        if self.append is not None:
            return text + self.append
        assert self.replacement is not None
        return text[:start] + self.replacement + text[end:]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    severity: Severity
    start: int  # code points into the checked text
    end: int  # exclusive
    text: str  # the checked text's characters in [start, end)
    message: str
    explanation: str = ""
    tip: str = ""
    quick_fix: QuickFix | None = None
    network: str | None = None  # set for per-network findings (length)
    # the rule could not be completed in time (its patterns ran out of their time limit): the finding
    # is about the whole post (an empty span at 0), and says the author must check it themselves
    incomplete: bool = False
    # the rule's staged-roll-out mode (see MODES): an "advise" finding is shown as advisory with severity
    # info (it never blocks nor asks for an acknowledgement); *rule_severity* keeps what the rule says it
    # will be once enforced. "shadow" findings are never shown (Policy.evaluate keeps them apart).
    mode: str = "enforce"
    rule_severity: Severity | None = None

    @property
    def advisory(self) -> bool:
        return self.mode == ADVISE

    def as_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"incomplete": True} if self.incomplete else {}
        if self.mode != ENFORCE:
            extra["mode"] = self.mode
            if self.rule_severity is not None:
                extra["rule_severity"] = self.rule_severity.value
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            **extra,
        }


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    name: str
    version: str
    owner: str
    contact: str
    source: str  # file path or "builtin:<name>"
    default_network: str | None = None
    # where "This is wrong…" sends a false-positive report: a mailto: address or an https URL
    # template; empty: the contact when it is an e-mail address (see desktop.core.policy.reporting)
    report: str = ""
    # the policy's [[tips]] tables as written (read by desktop.core.tips; not part of the policy's identity)
    tips: tuple[dict[str, Any], ...] = field(default=(), compare=False, hash=False, repr=False)


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self.findings)


# the kinds of text a post is compared with by authenticity rules (desktop.core.policy.authenticity)
FEED, OWN_POST = "feed", "own_post"
REFERENCE_KINDS = (FEED, OWN_POST)


@dataclass(frozen=True)
class Reference:
    """A text the post is compared with: plain data, made by whoever knows the text.

    *kind*: ``"feed"`` (a feed item's suggested copy or text) or ``"own_post"`` (one of the author's
    own published posts). *source*: the words naming it in the finding's message ("Acme Engineering
    Blog", "your post of 3 Dec on Mastodon"). *published*: when an own post went out (the rule's
    ``own_posts_days`` leaves older ones out; None: always counted).
    """

    kind: str
    text: str
    source: str
    published: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in REFERENCE_KINDS:
            raise ValueError(f"a reference's kind is one of {', '.join(REFERENCE_KINDS)}, not {self.kind!r}")
