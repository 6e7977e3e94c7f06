"""Acknowledgements: what the author said about a policy finding, kept outside the post's text.

A ``warn`` finding can be *acknowledged* with a written reason (at least
:data:`MIN_REASON_LENGTH` characters); an ``info`` finding can be *dismissed*; a ``block`` finding
cannot be overridden at all. An acknowledgement is keyed by (draft id, rule id, matched text,
occurrence index, policy version): when the matched text or the policy version changes, the key no
longer matches any finding, so the acknowledgement stops applying without anyone deleting it.

The occurrence index tells apart several findings of one rule on the same text in one draft
("Acme Vault" twice): it is the finding's rank, by position, among the findings that share its
rule id and matched text.

Findings are duck-typed (``rule_id``, ``text``, ``start``, ``severity``), so this module does
not import the policy engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MIN_REASON_LENGTH = 10
ACKNOWLEDGED = "acknowledged"  # a warn finding, with a reason
DISMISSED = "dismissed"  # an info finding
KINDS = (ACKNOWLEDGED, DISMISSED)


class _FindingLike(Protocol):
    @property
    def rule_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...

    @property
    def severity(self) -> object: ...


@dataclass(frozen=True)
class Acknowledgement:
    draft_id: str
    rule_id: str
    matched_text: str
    occurrence: int
    policy_version: str
    kind: str  # ACKNOWLEDGED or DISMISSED
    reason: str = ""
    created_at: float = 0.0

    @property
    def key(self) -> tuple[str, str, int]:
        """What identifies the finding inside one draft and one policy version."""
        return (self.rule_id, self.matched_text, self.occurrence)

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown acknowledgement kind {self.kind!r}")
        if self.kind == ACKNOWLEDGED and len(self.reason.strip()) < MIN_REASON_LENGTH:
            raise ValueError(f"an acknowledgement needs a reason of at least {MIN_REASON_LENGTH} characters")
        if self.occurrence < 0:
            raise ValueError("occurrence must be 0 or more")

    @classmethod
    def for_finding(
        cls, draft_id: str, finding: _FindingLike, occurrence: int, policy_version: str, reason: str = ""
    ) -> Acknowledgement:
        """The acknowledgement (warn) or dismissal (info) of *finding*; a block finding raises ValueError."""
        severity = _severity(finding)
        if severity == "block":
            raise ValueError("a block finding cannot be acknowledged: the text must change")
        kind = ACKNOWLEDGED if severity == "warn" else DISMISSED
        ack = cls(draft_id, finding.rule_id, finding.text, occurrence, policy_version, kind,
                  reason.strip() if kind == ACKNOWLEDGED else "")
        ack.validate()
        return ack


def _severity(finding: _FindingLike) -> str:
    severity = finding.severity
    return str(getattr(severity, "value", severity))


def occurrences(findings: Sequence[_FindingLike]) -> list[int]:
    """Each finding's occurrence index (see the module docstring), in the order of *findings*."""
    order = sorted(range(len(findings)), key=lambda i: (findings[i].start, findings[i].end, i))
    seen: dict[tuple[str, str], int] = {}
    result = [0] * len(findings)
    for i in order:
        group = (findings[i].rule_id, findings[i].text)
        result[i] = seen.get(group, 0)
        seen[group] = result[i] + 1
    return result


def match(findings: Sequence[_FindingLike], acknowledgements: Iterable[Acknowledgement]) -> list[Acknowledgement | None]:
    """For each finding, the acknowledgement that applies to it, or None.

    An acknowledgement applies only to a finding of the right severity (an ``acknowledged`` record to a
    warn, a ``dismissed`` record to an info): a rule whose severity was raised to block is never overridden.
    """
    by_key = {ack.key: ack for ack in acknowledgements}
    result: list[Acknowledgement | None] = []
    for finding, occurrence in zip(findings, occurrences(findings), strict=True):
        ack = by_key.get((finding.rule_id, finding.text, occurrence))
        wanted = {"warn": ACKNOWLEDGED, "info": DISMISSED}.get(_severity(finding))
        result.append(ack if ack is not None and ack.kind == wanted else None)
    return result
