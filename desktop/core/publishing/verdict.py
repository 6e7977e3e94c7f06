"""What may be published, decided once: the words for a refusal from a post's findings.

Both the live check in the editor (which knows which warnings the author acknowledged) and the
publishing service's check at publish time (which refuses blocks only: acknowledgements were given
in the editor) ask :func:`refusal`; the UI shows its answer and never words its own rules.

Rules being tried out never stand in the way: an ``advise`` rule's findings arrive as advisory hints
and a ``shadow`` rule's are never shown; :func:`blocks` skips any finding whose
``mode`` is not ``enforce`` all the same, so a finding passed on unconverted cannot block either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the policy engine is loaded after the first window is shown; this module must not load it
    from desktop.core.policy.model import Finding

SEVERITY_PLURALS = {"block": ("block", "blocks"), "warn": ("warning", "warnings"), "info": ("hint", "hints")}


def count_words(n: int, severity: str) -> str:
    """``1 warning``, ``3 blocks``: a count of findings of one severity in words."""
    one, many = SEVERITY_PLURALS.get(severity, (severity, severity + "s"))
    return f"{n} {one if n == 1 else many}"


def enforced(finding: Finding) -> bool:
    """Whether *finding* comes from a rule in force (not one in ``advise`` or ``shadow`` mode)."""
    return getattr(finding, "mode", "enforce") == "enforce"


def blocks(findings: Iterable[Finding]) -> list[Finding]:
    """The block findings of rules in force, each once (the same rule on the same span found for
    several networks)."""
    seen: set[tuple[str, int, int]] = set()
    found = []
    for finding in findings:
        key = (finding.rule_id, finding.start, finding.end)
        if finding.severity == "block" and enforced(finding) and key not in seen:
            seen.add(key)
            found.append(finding)
    return found


def refusal(block_findings: Sequence[Finding], unacknowledged_warnings: int = 0) -> str | None:
    """Why a post with these block findings and this many warnings still to acknowledge may not be
    published, in words for the author; None when it may."""
    if block_findings:
        if all(finding.incomplete for finding in block_findings):
            return (f"Publishing is refused: the block rule {block_findings[0].rule_id} could not be completed in "
                    "time, so Chorus cannot tell whether the policy allows this post. Shorten or simplify the post, "
                    "or ask the policy's owner to simplify the rule.")
        shown = next(finding for finding in block_findings if not finding.incomplete)
        more = f"; and {len(block_findings) - 1} more" if len(block_findings) > 1 else ""
        return (f"Publishing is refused: the policy blocks this post ({shown.message}{more}). "
                "Block findings cannot be overridden: change the text to publish.")
    if unacknowledged_warnings:
        return (f"Publishing needs your attention: {count_words(unacknowledged_warnings, 'warn')} not acknowledged "
                "yet. Acknowledge each with a reason in the Policy panel, or change the text.")
    return None
