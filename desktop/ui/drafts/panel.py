"""The drafts list: search by text, newest first, create, duplicate, delete with undo.

The panel only shows and selects; the main window owns the database calls (through the
TaskRunner) and tells the panel what changed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QLineEdit,
    QListView,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.drafts import Draft
from desktop.ui.common.two_lines import TwoLineDelegate

DraftRole = Qt.ItemDataRole.UserRole + 1


def describe_age(then: float, now: float | None = None) -> str:
    seconds = max(0, int((now if now is not None else time.time()) - then))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return time.strftime("%d %b %Y", time.localtime(then))


class DraftListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._drafts: list[Draft] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._drafts)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._drafts):
            return None
        draft = self._drafts[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return draft.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return draft.body[:500] or "Empty draft"
        if role == DraftRole:
            return draft
        return None

    # -- changes from the window -----------------------------------------------------------------
    def set_drafts(self, drafts: list[Draft]) -> None:
        self.beginResetModel()
        self._drafts = list(drafts)
        self.endResetModel()

    def drafts(self) -> list[Draft]:
        return list(self._drafts)

    def row_of(self, draft_id: str) -> int:
        for row, draft in enumerate(self._drafts):
            if draft.id == draft_id:
                return row
        return -1

    def upsert(self, draft: Draft) -> int:
        """Insert or replace *draft*, keeping newest-first order; returns its row."""
        old = self.row_of(draft.id)
        if old >= 0:
            self.beginRemoveRows(QModelIndex(), old, old)
            del self._drafts[old]
            self.endRemoveRows()
        row = 0
        while row < len(self._drafts) and self._drafts[row].updated_at > draft.updated_at:
            row += 1
        self.beginInsertRows(QModelIndex(), row, row)
        self._drafts.insert(row, draft)
        self.endInsertRows()
        return row

    def update_in_place(self, draft: Draft) -> None:
        row = self.row_of(draft.id)
        if row >= 0:
            self._drafts[row] = draft
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def remove(self, draft_id: str) -> int:
        row = self.row_of(draft_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._drafts[row]
            self.endRemoveRows()
        return row


class DraftDelegate(TwoLineDelegate):
    """Two lines per draft: its title, then when it was edited and how long it is (palette colours)."""

    ROLE = DraftRole

    def paint_row(self, painter: QPainter, option: QStyleOptionViewItem, draft: Draft, first: QRect, second: QRect,
                  main, secondary, selected: bool) -> None:
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(main)
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(title_font).elidedText(draft.title, Qt.TextElideMode.ElideRight, first.width()))
        painter.setFont(option.font)
        painter.setPen(secondary)
        chars = len(draft.body)
        detail = f"{describe_age(draft.updated_at)} · {chars:,} character{'s' if chars != 1 else ''}"
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(option.font).elidedText(detail, Qt.TextElideMode.ElideRight, second.width()))


class DraftsPanel(QWidget):
    """Search field above the list. Emits :attr:`draft_selected` and :attr:`search_changed`."""

    draft_selected = Signal(object)  # Draft
    search_changed = Signal(str)  # debounced

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search drafts")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search drafts")
        self.model = DraftListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(DraftDelegate(self.view))
        self.view.setAccessibleName("Drafts")
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # titles are elided
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self._selecting = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        draft = current.data(DraftRole) if current.isValid() else None
        if draft is not None:
            self.draft_selected.emit(draft)

    def select(self, draft_id: str) -> None:
        """Show *draft_id* as the current draft without emitting :attr:`draft_selected`."""
        self._selecting = True
        try:
            row = self.model.row_of(draft_id)
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(row))
                self.view.scrollTo(self.model.index(row))
            else:
                self.view.clearSelection()
                self.view.setCurrentIndex(QModelIndex())
        finally:
            self._selecting = False
