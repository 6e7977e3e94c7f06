"""Help → Diagnostics: the ``chorus doctor`` report inside the app, with "Copy report" for support.

The report is gathered on the ``io`` lane (it asks the keyring and connects to servers, each
bounded by a deadline); the dialog shows "Checking…" meanwhile and stays responsive. What it holds
has no secrets and no post text (see desktop.core.diagnostics), so copying it into a ticket is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.common.tasks import TaskRunner


class DiagnosticsDialog(QDialog):
    """Shows the report of *diagnose* (a blocking callable returning a desktop.core.diagnostics.Report)."""

    def __init__(self, diagnose: Callable[[], Any], runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Diagnostics")
        self.setObjectName("diagnostics-dialog")
        self._diagnose = diagnose
        self._runner = runner
        self.report: Any = None
        self.summary = QLabel("Checking the policy, the keyring and the connections…")
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Diagnostics report")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy report")
        self.copy_button.setToolTip("Copy the report to paste into a message to support (no secrets, no posts)")
        self.again_button = QPushButton("Check &again")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_report)
        self.again_button.clicked.connect(self.check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self.check()

    def check(self) -> None:
        self.copy_button.setEnabled(False)
        self.again_button.setEnabled(False)
        self.summary.setText("Checking the policy, the keyring and the connections…")
        self._runner.run(self._diagnose, on_success=self._show, on_failure=self._failed, owner=self, lane="io")

    def copy_report(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.report.as_text())
            self.summary.setText(self.report.summary() + " The report is copied: paste it into your message.")

    def _show(self, report: Any) -> None:
        self.report = report
        self.summary.setText(report.summary())
        self.text.setPlainText(report.as_text())
        self.copy_button.setEnabled(True)
        self.again_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(f"The checks could not be completed ({type(exc).__name__}: {exc}).")
        self.again_button.setEnabled(True)
