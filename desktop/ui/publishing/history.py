"""A draft's publish history: when, where, the post's link, the policy version, acknowledgements.

Read from the publish history (``AccountStore.history``) on the ``db`` lane; links open through the
window's browser bridge. Opened non-blocking.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES as NETWORK_NAMES
from desktop.ui.common.badges import network_badge
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color
from desktop.ui.publishing.status import short_url

if TYPE_CHECKING:
    from desktop.core.drafts import Draft
    from desktop.core.publishing.store import Publication
    from desktop.core.services import Services
    from desktop.ui.common.browser import BrowserBridge


class PublishHistoryDialog(QDialog):
    """Every publish of one draft: when, where, the post's link, the policy version, acknowledgements."""

    loaded = Signal()
    COLUMNS = ("When", "Where", "Status", "Post", "Policy", "Acknowledged")

    def __init__(self, services: Services, runner: TaskRunner, browser: BrowserBridge, draft: Draft,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Publish history — {draft.title}")
        self.setObjectName("publish-history")
        self.browser = browser
        self.draft_id = draft.id
        self.runner = runner
        self.services = services
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Publish history")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel("This draft has not been published yet.", self)
        self.empty.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(860, 320)
        self.publications: list[Publication] = []
        self.reload()

    def reload(self) -> None:
        store, draft_id = self.services.publications, self.draft_id
        self.runner.run(lambda: store.history(draft_id), on_success=self._show, owner=self, lane="db",
                        on_failure=lambda exc: self.empty.setText(f"The history could not be read: {exc}"))

    def _show(self, publications: list[Publication]) -> None:
        self.publications = list(reversed(publications))  # newest first
        self.table.setRowCount(len(self.publications))
        palette = self.palette()
        for row, pub in enumerate(self.publications):
            when = datetime.fromtimestamp(pub.sent_at or pub.updated_at or pub.created_at)
            status = {"sent": "Posted", "failed": "Failed", "pending": "Not confirmed"}.get(pub.status, pub.status)
            where = f"{pub.handle} ({NETWORK_NAMES.get(pub.network, pub.network)})"
            cells = [when.strftime("%Y-%m-%d %H:%M"), where, status, "", pub.policy_version or "—",
                     self._acknowledged(pub)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setForeground(status_color(palette, {"sent": "ok", "failed": "block"}.get(pub.status, "warn")))
                    if pub.error and pub.status != "sent":
                        item.setToolTip(pub.error)
                if column == 5 and pub.acknowledged:
                    item.setToolTip("\n".join(f"{a.get('rule_id', '')}: “{a.get('matched_text', '')}” — "
                                              f"{a.get('reason', '') or a.get('kind', '')}"
                                              for a in pub.acknowledged if isinstance(a, dict)))
                self.table.setItem(row, column, item)
            icon_item = self.table.item(row, 1)
            if icon_item is not None:  # set just above
                icon_item.setIcon(QIcon(network_badge(pub.network, 16, palette)))
            if pub.post_url:
                link = QLabel(f"<a href='{html.escape(pub.post_url, quote=True)}'>"
                              f"{html.escape(short_url(pub.post_url, 40))}</a>", self.table)
                link.setContentsMargins(4, 0, 4, 0)
                link.setToolTip(pub.post_url)
                link.linkActivated.connect(self.browser.open_url)
                self.table.setCellWidget(row, 3, link)
        self.empty.setVisible(not self.publications)
        self.table.setVisible(bool(self.publications))
        self.loaded.emit()

    @staticmethod
    def _acknowledged(pub: Publication) -> str:
        n = len(pub.acknowledged)
        return "—" if not n else f"{n} finding{'s' if n != 1 else ''}"
