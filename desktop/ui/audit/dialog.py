"""Help → Audit trail…: what was published under which policy, whether the chain is intact, and export.

The records and the verification are read on the ``db`` lane (the drafts store's connection); the export
text is made there too, from one reading, and written to the file the person chose on the ``io`` lane, so
the GUI thread never waits on the disk. Nothing is sent anywhere: the file is for the person to hand over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core import networks
from desktop.core.atomic import write_atomic
from desktop.core.audit import AuditRecord, AuditTrail, Verification
from desktop.core.audit.export import file_bytes
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import set_text_colour, status_color

LINK_WIDTH = 220  # pixels: the summary column gets the rest
COLUMNS = ("Time", "Kind", "Account", "Summary", "Link")
KIND_LABELS = {"publish": "Published", "warning_acknowledged": "Warning acknowledged",
               "policy_acknowledged": "Policy acknowledged", "quiz_result": "Policy check"}
# Asks where to save (title, suggested file name, filter); returns the path, or "" when cancelled.
ChooseFile = Callable[[QWidget, str, str, str], str]


def _choose_file(parent: QWidget, title: str, suggested: str, file_filter: str) -> str:
    path, _selected = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path


class AuditDialog(QDialog):
    loaded = Signal()  # records and verification shown
    exported = Signal(str)  # the file written

    def __init__(self, trail: AuditTrail, runner: TaskRunner, parent: QWidget | None = None, *,
                 choose_file: ChooseFile = _choose_file) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.setObjectName("audit-dialog")
        self.trail, self.runner, self.choose_file = trail, runner, choose_file
        self.records: list[AuditRecord] = []
        self.verification: Verification | None = None
        intro = QLabel("Everything you published with Chorus, each warning you acknowledged and your policy "
                       "acknowledgements and checks, in order. Each record carries the fingerprint of the one before, "
                       "so a removed or changed record shows. Nothing is sent anywhere: export it to hand it over "
                       "when you are asked.")
        intro.setWordWrap(True)
        self.verify_label = QLabel("Checking the chain…")
        self.verify_label.setObjectName("audit-verify")
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.verify_label.font()
        font.setBold(True)
        self.verify_label.setFont(font)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("audit-records")
        self.table.setAccessibleName("Audit trail records")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole text is in each tooltip
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.status = QLabel("")
        self.status.setObjectName("audit-status")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = QPushButton("&Verify again")
        self.csv_button = QPushButton("Export &CSV…")
        self.json_button = QPushButton("Export &JSON…")
        for button in (self.verify_button, self.csv_button, self.json_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.verify_button.clicked.connect(self.load)
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.json_button.clicked.connect(lambda: self.export("json"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.verify_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(1040, 520)
        self.load()

    # -- reading -----------------------------------------------------------------------------------
    def load(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setText("Checking the chain…")
        trail = self.trail

        def read() -> tuple[list[AuditRecord], Verification]:
            return trail.records(), trail.verify()

        self.runner.run(read, on_success=self._show, on_failure=self._failed, owner=self, lane="db")

    def _show(self, result: tuple[list[AuditRecord], Verification]) -> None:
        self.records, self.verification = result
        self.verify_button.setEnabled(True)
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(reversed(self.records)):  # newest first
            for column, text in enumerate(row_texts(record)):
                item = QTableWidgetItem(text)
                item.setToolTip(text if column != 3 else f"{text}\nRecord {record.seq} · hash {record.hash}")
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(4)  # links are long: at most LINK_WIDTH, the rest elided
        self.table.setColumnWidth(4, min(self.table.columnWidth(4), LINK_WIDTH))
        verification = self.verification
        if verification.intact:
            self.verify_label.setText("✓ " + verification.summary())
            set_text_colour(self.verify_label, status_color(self.palette(), "ok"))
        else:
            self.verify_label.setText("✗ " + verification.summary())
            set_text_colour(self.verify_label, status_color(self.palette(), "block"))
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_label.setText(f"The audit trail could not be read: {exc}")
        set_text_colour(self.verify_label, status_color(self.palette(), "block"))

    # -- export ------------------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        stamp = dt.date.today().isoformat()
        label = "CSV (*.csv)" if fmt == "csv" else "JSON (*.json)"
        chosen = self.choose_file(self, f"Export the audit trail as {fmt.upper()}",
                                  str(Path.home() / f"chorus-audit-trail-{stamp}.{fmt}"), label)
        if not chosen:
            return
        path = Path(chosen)
        trail, runner = self.trail, self.runner
        self.status.setText(f"Exporting to {path}…")

        def write(text: str) -> None:
            runner.run(lambda: write_atomic(path, file_bytes(fmt, text)),
                       on_success=lambda _result: self._exported(path), on_failure=self._export_failed,
                       owner=self, lane="io")

        runner.run(lambda: trail.export(fmt), on_success=write, on_failure=self._export_failed, owner=self, lane="db")

    def _exported(self, path: Path) -> None:
        self.status.setText(f"Exported to {path}. Nothing was sent anywhere: hand the file over yourself.")
        self.exported.emit(str(path))

    def _export_failed(self, exc: BaseException) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.status.setText(f"The export could not be written: {reason}. Choose another folder and try again.")


def row_texts(record: AuditRecord) -> tuple[str, str, str, str, str]:
    """What the table shows of a record: time (local), kind, account, summary, link."""
    fields: dict[str, Any] = record.record
    when = dt.datetime.fromtimestamp(record.at).strftime("%Y-%m-%d %H:%M")
    account = ""
    if fields.get("network"):
        entry = networks.find(str(fields["network"]))
        name = entry.display_name if entry is not None else str(fields["network"])
        account = f"{fields.get('handle', '')} · {name}".strip(" ·")
    return (when, KIND_LABELS.get(record.kind, record.kind), account, summary(record),
            str(fields.get("post_url", "")))


def summary(record: AuditRecord) -> str:
    fields = record.record
    policy = " ".join(filter(None, (str(fields.get("policy_id", "")), str(fields.get("policy_version", "")))))
    parts: list[str] = []
    if record.kind == "publish":
        text = "Posted"
        if fields.get("part"):
            text += f", part {fields['part']} of {fields.get('parts')}"
        parts.append(text)
        digest = str(fields.get("text_sha256", ""))
        parts.append(f"text {digest[:12]}…" if digest else "text not known")
        if fields.get("images"):
            count = len(fields["images"])
            parts.append(f"{count} image{'s' if count != 1 else ''}")
        if fields.get("acknowledged"):
            parts.append("acknowledged: " + ", ".join(str(a.get("rule_id", "")) for a in fields["acknowledged"]))
    elif record.kind == "warning_acknowledged":
        parts.append(f"{fields.get('rule_id', '')}: “{fields.get('reason', '')}”")
    elif record.kind == "policy_acknowledged":
        parts.append(f"Acknowledged {fields.get('policy_name') or 'the policy'}")
    elif record.kind == "quiz_result":
        verdict = "passed" if fields.get("passed") else "not passed"
        about = f"“{fields['category']}”" if fields.get("category") else "the whole policy"
        parts.append(f"Check of {about}: {fields.get('right')} of {fields.get('total')} right, {verdict}")
    if policy:
        parts.append(f"policy {policy}")
    if fields.get("migrated"):
        parts.append("from the history before the audit trail")
    return " · ".join(parts)
