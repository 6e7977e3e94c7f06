"""Help → Audit trail… in the main window (issue 15): one action that opens :class:`AuditDialog` over the
profile's drafts database (the window's store). Installed by the main window with a few lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from desktop.core.audit import AuditTrail
from desktop.ui.common.menus import add_to_help_menu
from desktop.ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.core.drafts import DraftStore


class AuditFeature(QObject):
    def __init__(self, window: QMainWindow, store: DraftStore, runner: TaskRunner) -> None:
        super().__init__(window)
        self.window, self.runner = window, runner
        self.trail = AuditTrail(lambda: store.reading())  # read when the dialog opens, on the db lane
        self.dialog: Any = None
        self.action = QAction("&Audit trail…", window)
        self.action.setObjectName("show-audit-trail")
        self.action.setStatusTip("What you published under which policy, whether the record is intact, and export")
        self.action.triggered.connect(lambda: self.show())
        add_to_help_menu(window, self.action)

    def show(self) -> Any:
        from desktop.ui.audit.dialog import AuditDialog  # built on first use: start-up pays nothing

        dialog = AuditDialog(self.trail, self.runner, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog
