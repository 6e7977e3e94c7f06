"""A policy finding as the editor shows it, and the small pieces the live check and its views share.

- :class:`LiveFinding`: one finding of the last check, with a text cursor that Qt moves along with
  later edits, and the author's acknowledgement of it (if any).
- :class:`AcknowledgementStore`: what the live check needs from the drafts database;
  :class:`MemoryStore` keeps acknowledgements for the session when the editor runs without one.
- The words shown for severities (:data:`SEVERITY_LABELS`, :data:`BLOCK_NOTE`), used by the editor's
  tooltips and menu and by the Policy panel.
- :func:`common_prefix` / :func:`common_suffix`: where two texts differ, so a quick fix replaces only
  the changed passage (one small undoable edit, the caret and the rest of the text untouched).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QTextCursor

if TYPE_CHECKING:
    from desktop.core.drafts.acknowledgements import Acknowledgement
    from desktop.core.policy.model import Finding

SEVERITY_LABELS = {"block": "Block", "warn": "Warning", "info": "Hint"}
ADVISORY_LABEL = "Advisory"  # a rule in advise mode: shown, never blocking (its severity is info)
WILL_BE = {"block": "block publishing", "warn": "need an acknowledgement to publish", "info": "be a hint"}


def advisory_note(finding: Finding) -> str:
    """What an advise-mode finding means for the author (empty for any other finding)."""
    if getattr(finding, "mode", "enforce") != "advise":
        return ""
    rule_severity = getattr(finding, "rule_severity", None)
    later = WILL_BE.get(str(getattr(rule_severity, "value", rule_severity)), "")
    return ("Advisory: your company is trying this rule out, so it does not stop you from publishing"
            + (f"; once it is enforced, findings like this will {later}." if later else "."))
BLOCK_NOTE = ("This cannot be overridden: your company's policy does not allow publishing it, so there is no "
              "acknowledgement for it. Change or remove the text to publish.")


class AcknowledgementStore(Protocol):
    """What the live check needs from the drafts database (``DraftStore`` has it)."""

    def acknowledgements(self, draft_id: str, policy_version: str) -> list[Acknowledgement]: ...
    def save_acknowledgement(self, ack: Acknowledgement) -> Acknowledgement: ...
    def delete_acknowledgement(self, ack: Acknowledgement) -> None: ...


class LiveFinding:
    """A finding as the editor shows it: where it is now, and whether the author acknowledged it."""

    __slots__ = ("finding", "occurrence", "cursor", "acknowledgement")

    def __init__(self, finding: Finding, occurrence: int, cursor: QTextCursor,
                 acknowledgement: Acknowledgement | None = None) -> None:
        self.finding = finding
        self.occurrence = occurrence
        self.cursor = cursor  # spans the finding; Qt moves it along with edits made after the check
        self.acknowledgement = acknowledgement

    @property
    def severity(self) -> str:
        return str(getattr(self.finding.severity, "value", self.finding.severity))

    @property
    def label(self) -> str:
        """The badge word: the severity's, or "Advisory" for a rule being tried out (advise mode)."""
        if getattr(self.finding, "mode", "enforce") == "advise":
            return ADVISORY_LABEL
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def rank(self) -> int:
        return {"block": 3, "warn": 2, "info": 1}.get(self.severity, 0)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.finding.rule_id, self.finding.text, self.occurrence)

    @property
    def status(self) -> str:
        """'open', 'acknowledged' (a warn, with a reason) or 'dismissed' (an info)."""
        return self.acknowledgement.kind if self.acknowledgement is not None else "open"

    @property
    def counts(self) -> bool:
        """Still stands: not acknowledged or dismissed."""
        return self.acknowledgement is None

    @property
    def qt_span(self) -> tuple[int, int]:
        return self.cursor.selectionStart(), self.cursor.selectionEnd()

    def __repr__(self) -> str:
        f = self.finding
        return f"<LiveFinding {self.severity} {f.rule_id} {f.text!r} @{f.start}:{f.end} {self.status}>"


class MemoryStore:
    """Acknowledgements kept for the session when the editor runs without a database."""

    def __init__(self, acks: list[Acknowledgement]) -> None:
        self._acks = acks

    def save_acknowledgement(self, ack: Acknowledgement) -> Acknowledgement:
        ack.validate()
        return ack

    def delete_acknowledgement(self, ack: Acknowledgement) -> None:
        pass

    def acknowledgements(self, draft_id: str, policy_version: str) -> list[Acknowledgement]:
        return [a for a in self._acks if a.draft_id == draft_id and a.policy_version == policy_version]


def common_prefix(a: str, b: str) -> int:
    """How many leading characters *a* and *b* share."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slice comparisons: C speed, also for a long post
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: str, b: str, limit: int) -> int:
    """How many trailing characters *a* and *b* share, at most *limit* (so it never overlaps the prefix)."""
    lo, hi = 0, max(limit, 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo
