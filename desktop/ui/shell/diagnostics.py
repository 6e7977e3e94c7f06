"""Help → Diagnostics: the ``chorus doctor`` report inside the app, with "Copy report" for support.

The report is gathered on the ``io`` lane (it asks the keyring and connects to servers, each
bounded by a deadline); the dialog shows "Checking…" meanwhile and stays responsive. What it holds
has no secrets and no post text (see desktop.core.diagnostics), so copying it into a ticket is safe.
Once the report is in, the dialog grows to show all of it when the screen has room (support reads
it in a screenshot as often as in a paste), else to most of the screen, the rest scrolling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize
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

SCREEN_SHARE = 0.9  # the most of the screen's free width and height the dialog grows to


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
        self.resize(self.within_screen(QSize(760, 560)))
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
        self.resize(self.fitting_size())
        self._keep_on_screen()
        self.copy_button.setEnabled(True)
        self.again_button.setEnabled(True)

    def fitting_size(self) -> QSize:
        """Big enough for every line of the report (never smaller than now), within :data:`SCREEN_SHARE` of the screen."""
        metrics = self.text.fontMetrics()
        lines = self.text.toPlainText().splitlines() or [""]
        frame = 2 * self.text.frameWidth() + 2 * int(self.text.document().documentMargin())
        scrollbar = self.text.verticalScrollBar().sizeHint().width()
        text_width = max(metrics.horizontalAdvance(line) for line in lines) + frame + scrollbar
        text_height = metrics.lineSpacing() * (len(lines) + 1) + frame
        width = self.width() - self.text.width() + text_width
        height = self.height() - self.text.height() + text_height
        return self.within_screen(QSize(max(self.width(), width), max(self.height(), height)))

    def within_screen(self, size: QSize) -> QSize:
        """*size*, made no bigger than :data:`SCREEN_SHARE` of the free part of the window's screen."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        return size.boundedTo(QSize(int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE)))

    def _keep_on_screen(self) -> None:
        """Grown, the dialog is centred on its window again, and moved onto the screen if it went past an edge."""
        parent = self.parentWidget()
        if parent is None:
            return
        free = parent.screen().availableGeometry()
        frame = self.frameGeometry()
        frame.moveCenter(parent.frameGeometry().center())
        frame.moveLeft(max(free.left(), min(frame.left(), free.right() - frame.width())))
        frame.moveTop(max(free.top(), min(frame.top(), free.bottom() - frame.height())))
        self.move(frame.topLeft())

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(f"The checks could not be completed ({type(exc).__name__}: {exc}).")
        self.again_button.setEnabled(True)
