"""The acknowledgement gate: publishing waits until the policy in force has been acknowledged.

Drafting never waits. Publishing does: :meth:`PolicyGate.refusal` is asked by the publishing service
(:meth:`desktop.core.publishing.service.PublishService.refusal`, the one place every publish, retry and
outbox send goes through) with the policy in force; it reads the local record (the database, so call
it off the GUI thread) and says why publishing must wait, or None. A new policy id or version has no
acknowledgement yet, so the person is asked again. With the managed setting
``training.quiz_required`` the check of understanding must also be passed for that version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.training.records import TrainingRecord, TrainingRecords

if TYPE_CHECKING:
    from desktop.core.policy import Policy

HOW_TO_ACKNOWLEDGE = "Help → Company policy…"


@dataclass(frozen=True)
class GateStatus:
    """Where the person stands with the policy in force."""

    policy_id: str
    version: str
    name: str
    acknowledgement: TrainingRecord | None
    quiz_required: bool
    quiz_passed: bool

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None

    @property
    def open(self) -> bool:
        """Whether publishing may go ahead."""
        return self.acknowledged and (self.quiz_passed or not self.quiz_required)

    def refusal(self) -> str | None:
        if not self.acknowledged:
            return (f"Publishing waits for your acknowledgement of the company policy \"{self.name}\" (version "
                    f"{self.version}). Read its summary and acknowledge it in {HOW_TO_ACKNOWLEDGE} (or with "
                    "Read the policy… in the bar above the editor); your drafts are kept meanwhile.")
        if self.quiz_required and not self.quiz_passed:
            return (f"Your organisation asks you to pass the check of understanding of the company policy "
                    f"\"{self.name}\" (version {self.version}) before publishing. Take it in "
                    f"{HOW_TO_ACKNOWLEDGE} → Check my understanding…; your drafts are kept meanwhile.")
        return None


class PolicyGate:
    """Decides from the local record whether publishing may go ahead under a policy.

    *quiz_required* reads the managed setting ``training.quiz_required`` (asked each time, so a
    change by IT applies at once)."""

    def __init__(self, records: TrainingRecords, quiz_required: Callable[[], bool] = lambda: False) -> None:
        self.records = records
        self.quiz_required = quiz_required

    def status(self, policy: Policy) -> GateStatus:
        info = policy.info
        return GateStatus(info.id, info.version, info.name, self.records.acknowledgement(info.id, info.version),
                          bool(self.quiz_required()), self.records.quiz_passed(info.id, info.version))

    def refusal(self, policy: Policy) -> str | None:
        """Why publishing under *policy* must wait (reads the database), or None."""
        return self.status(policy).refusal()
