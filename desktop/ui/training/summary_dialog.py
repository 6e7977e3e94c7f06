"""The company policy's summary, with the acknowledgement: at first start, on a new policy version,
and from Help → Company policy (where it also shows when which version was acknowledged).

Non-modal and never in the way of drafting: the person may close it and come back from the bar above
the editor or the Help menu. The dialog only shows and asks; the recording is the feature's
(:mod:`desktop.ui.training.feature`), on the database lane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.training.summary import ACKNOWLEDGEMENT_STATEMENT
from desktop.ui.common.theme import set_text_colour, status_color

if TYPE_CHECKING:
    from desktop.core.training import GateStatus, PolicySummary, TrainingRecord


class PolicySummaryDialog(QDialog):
    acknowledge_requested = Signal()
    quiz_requested = Signal()

    def __init__(self, summary: PolicySummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setObjectName("policy-summary-dialog")
        self.setWindowTitle("Company policy")
        self.resize(640, 640)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.text = QTextBrowser(self)
        self.text.setObjectName("policy-summary")
        self.text.setAccessibleName("Summary of the company policy")
        self.text.setOpenExternalLinks(False)
        self.record = QLabel(self)
        self.record.setObjectName("policy-acknowledgement-record")
        self.record.setWordWrap(True)
        self.record.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statement = QLabel(f"By acknowledging: “{ACKNOWLEDGEMENT_STATEMENT}”", self)
        self.statement.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.acknowledge_button = QPushButton("I have read it: &Acknowledge", self)
        self.acknowledge_button.setObjectName("acknowledge-policy")
        self.acknowledge_button.setAccessibleName("Acknowledge the company policy")
        self.quiz_button = QPushButton("&Check my understanding…", self)
        self.quiz_button.setObjectName("policy-quiz")
        self.quiz_button.setToolTip("A few posts from the policy's own examples: can each go out as it is?")
        self.close_button = QPushButton("&Later", self)
        buttons.addButton(self.acknowledge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quiz_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.acknowledge_button.clicked.connect(self._acknowledge)
        self.quiz_button.clicked.connect(self.quiz_requested)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.record)
        layout.addWidget(self.statement)
        layout.addWidget(buttons)
        self._show_summary()
        self.set_status(None, None)

    def _show_summary(self) -> None:
        palette = self.text.palette()
        colours = {name: status_color(palette, name).name() for name in ("block", "warn", "info")}
        self.text.setHtml(self.summary.as_html(colours))

    def set_summary(self, summary: PolicySummary) -> None:
        """Another policy (or version) came into force while the dialog was open: show its summary."""
        self.summary = summary
        self._show_summary()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self._show_summary()

    def set_status(self, status: GateStatus | None, latest: TrainingRecord | None) -> None:
        """Show where the person stands: *status* for the policy in force (None: not read yet), *latest*
        the latest acknowledgement of any policy (an earlier version, when this one is new)."""
        summary = self.summary
        acknowledged = status is not None and status.acknowledgement is not None
        self.acknowledge_button.setVisible(status is not None and not acknowledged)
        self.statement.setVisible(status is not None and not acknowledged)
        self.close_button.setText("&Close" if acknowledged else "&Later")
        if status is None:
            self.intro.setText("Reading your acknowledgement record…")
            self.record.setText("")
            return
        if acknowledged:
            assert status.acknowledgement is not None
            record = status.acknowledgement
            self.intro.setText("The company policy in force, summarised from its rules.")
            text = f"You acknowledged version {record.policy_version} of this policy on {record.when()}."
            colour = "ok"
        else:
            self.intro.setText(f"Please read this summary of {summary.name} and acknowledge it. You can write "
                               "drafts meanwhile; publishing waits for your acknowledgement.")
            if latest is not None and latest.policy_id == summary.policy_id:
                text = (f"Not acknowledged yet: version {summary.version} is new. You acknowledged version "
                        f"{latest.policy_version} on {latest.when()}.")
            else:
                text = "Not acknowledged yet: publishing waits for your acknowledgement."
            colour = "warn"
        if status.quiz_passed:
            text += " You passed the check of understanding of this version."
        elif status.quiz_required:
            text += " Your organisation also asks you to pass the check of understanding before publishing."
        self.record.setText(text)
        set_text_colour(self.record, status_color(self.record.palette(), colour))
        (self.acknowledge_button if not acknowledged else self.quiz_button).setDefault(True)

    def _acknowledge(self) -> None:
        self.acknowledge_button.setEnabled(False)
        self.acknowledge_requested.emit()

    def acknowledged(self, status: GateStatus, latest: TrainingRecord | None) -> None:
        """The acknowledgement is recorded: show it (the dialog stays open for the check of understanding)."""
        self.acknowledge_button.setEnabled(True)
        self.set_status(status, latest)
        self.quiz_button.setFocus(Qt.FocusReason.OtherFocusReason)
