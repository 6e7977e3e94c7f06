"""What a publish is while it runs, shared by the bar that starts it and the views that show it.

- :class:`PublishRun`: one publish of one draft (the text, the acknowledgements, each target's
  latest status); :class:`~desktop.ui.publishing.bar.PublishBar` fills it in and
  :class:`~desktop.ui.publishing.status.PublishStatusView` shows it.
- :class:`StatusBridge`: carries a target's status from the publishing threads to the GUI thread;
  the bar and the outbox sender each own one.

Kept apart from both so the bar and the status rows depend on it, not on each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from desktop.core.publishing.service import TargetStatus


class StatusBridge(QObject):
    """Carries a TargetStatus from the publishing threads to the GUI thread (queued signal)."""

    status = Signal(object)

    def emit_from_worker(self, status: TargetStatus) -> None:
        try:
            self.status.emit(status)
        except RuntimeError:  # the window is gone (quitting): the history has it anyway
            pass


class PublishRun:
    """One publish of one draft: the text sent, the acknowledgements, each target's latest status."""

    def __init__(self, draft_id: str, text: str, acknowledged: list[Any], order: list[str]) -> None:
        self.draft_id = draft_id
        self.text = text
        self.acknowledged = acknowledged
        self.order = order  # account ids, in the order shown
        self.handles: dict[str, tuple[str, str]] = {}  # account id -> (network, handle)
        self.statuses: dict[str, TargetStatus] = {}
        self.sending: set[str] = set()  # targets with work under way
        self.refusal = ""  # the policy refused the whole publish
        self.error = ""  # the publish could not even start
