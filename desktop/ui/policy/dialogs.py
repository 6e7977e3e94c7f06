"""The findings panel's two dialogs: acknowledging a warning with a written reason
(:class:`AcknowledgeDialog`), and reporting a finding as wrong to the policy's owner
(:class:`ReportDialog`: exactly what will be sent, editable, the matched words only if kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.drafts.acknowledgements import MIN_REASON_LENGTH
from desktop.ui.policy.live_finding import LiveFinding

if TYPE_CHECKING:
    from desktop.core.policy.model import PolicyInfo


def quoted(text: str, limit: int = 60) -> str:
    """The matched text for display: on one line, shortened when long (a length finding covers paragraphs)."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[:limit - 1].rstrip() + '…'}”"


class AcknowledgeDialog(QDialog):
    """Asks why a warning is fine to publish; *Acknowledge* is enabled from MIN_REASON_LENGTH characters."""

    reason_given = Signal(str)

    def __init__(self, item: LiveFinding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle("Acknowledge warning")
        self.setAccessibleName("Acknowledge warning")
        finding = item.finding
        about = QLabel(self)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setText(f"{finding.message}\n{quoted(finding.text, 120)}" if finding.text else finding.message)
        about.setAccessibleName("Warning")
        prompt = QLabel(f"Why is this fine to publish? (at least {MIN_REASON_LENGTH} characters, kept with "
                        "the draft, not in the post)", self)
        prompt.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("For example: approved by the communications team on 3 May")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(QFontMetrics(self.reason.font()).height() * 4 + 12)
        self.reason.installEventFilter(self)  # Enter confirms (the reason is one answer); Shift+Enter: a new line
        prompt.setBuddy(self.reason)
        self.hint = QLabel(self)
        self.hint.setAccessibleName("Reason length")
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton("Acknowledge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAccessibleName("Acknowledge")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(prompt)
        layout.addWidget(self.reason)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._update)
        self.resize(420, self.sizeHint().height())
        self._update()

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.reason and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier):
            self.accept()  # does nothing while the reason is too short: the hint says what is missing
            return True
        return super().eventFilter(watched, event)

    def _update(self) -> None:
        missing = MIN_REASON_LENGTH - len(self.reason_text())
        self.ok_button.setEnabled(missing <= 0)
        self.hint.setText(f"{missing} more character{'s' if missing != 1 else ''} needed" if missing > 0
                          else "Enter to acknowledge, Shift+Enter for a new line")

    def accept(self) -> None:
        if len(self.reason_text()) < MIN_REASON_LENGTH:
            return
        self.reason_given.emit(self.reason_text())
        super().accept()


class ReportDialog(QDialog):
    """"This is wrong…": the false-positive report exactly as it will be sent, editable first.

    Shows where it goes and its subject; the body is prefilled with the policy, its version, the rule
    and (if *Include the matched words* stays ticked) the matched words. *Send* emits :attr:`send`
    with the URL to open and the words included (None when left out).
    """

    send = Signal(str, object)  # the mailto: or https URL; the matched words included, or None

    def __init__(self, info: PolicyInfo, item: LiveFinding, parent: QWidget | None = None) -> None:
        from desktop.core.policy.reporting import FalsePositiveReport, report_target

        super().__init__(parent)
        self.setWindowTitle("Report a wrong finding")
        self.setAccessibleName("Report a wrong finding")
        self.target = report_target(info)
        self.report = FalsePositiveReport.for_finding(info, item.finding)
        self.without_words = self.report.without_words()
        layout = QVBoxLayout(self)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setAccessibleName("Sent to")
        layout.addWidget(self.where)
        self.include_words = QCheckBox("Include the matched words", self)
        self.include_words.setChecked(bool(self.report.words))
        self.include_words.setEnabled(bool(self.report.words))
        self.include_words.setAccessibleName("Include the matched words")
        layout.addWidget(self.include_words)
        self.body = QPlainTextEdit(self)
        self.body.setAccessibleName("Report")
        self.body.setTabChangesFocus(True)
        self.body.setPlainText(self.report.text())
        layout.addWidget(self.body)
        self.buttons = QDialogButtonBox(self)
        self.send_button = self.buttons.addButton("Send…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setAccessibleName("Send the report")
        self.send_button.setToolTip("Opens the report in your e-mail program or browser; nothing is sent before that")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.include_words.toggled.connect(self._words_toggled)
        if self.target is None:
            self.where.setText(f"The policy {info.name} {info.version} names no address or page for reports, and "
                               f"its contact is not an e-mail address. Tell its owner ({info.owner}, {info.contact}).")
            self.send_button.setEnabled(False)
            self.body.setReadOnly(True)
        else:
            shown = self.target if not self.target.lower().startswith("mailto:") else self.target[len("mailto:"):]
            self.where.setText(f"To: {shown}\nSubject: {self.report.subject}")
        self.resize(480, 380)

    def _words_toggled(self, include: bool) -> None:
        """Put the matched words in or take them out (an edited body keeps the author's edits)."""
        text = self.body.toPlainText()
        with_words, without = self.report.text(), self.without_words.text()
        if text == (without if include else with_words):  # not edited: the other version as it is
            self.body.setPlainText(with_words if include else without)
            return
        line = f"Matched words: {self.report.words}\n"
        if not include:
            text = text.replace(line, "").replace(f"Message: {self.report.message}\n",
                                                  f"Message: {self.without_words.message}\n")
            self.body.setPlainText(text)
        elif line not in text:
            self.body.setPlainText(text.rstrip("\n") + "\n" + line)

    def url(self) -> str | None:
        """What *Send* opens: the report, as edited, addressed to the policy's report target."""
        if self.target is None:
            return None
        report = self.report if self.include_words.isChecked() else self.without_words
        return report.url(self.target, self.body.toPlainText())

    def accept(self) -> None:
        url = self.url()
        if url is None:
            return
        self.send.emit(url, self.report.words if self.include_words.isChecked() else None)
        super().accept()
