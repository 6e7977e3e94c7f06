"""The Ideas panel: ideas newest first (title, source and date, the summary's start), unread in bold.

Refresh and Add (a menu: Add feed…, Add folder…; an entry IT manages is disabled and says so) above
the list, Write about this and Dismiss under it, and the same with Open link in the list's context
menu (few buttons: the panel shares its tabs and must stay narrow). A line per source that failed
says why and how old the items shown are. Everything shown is plain text: a feed's markup is never
rendered. Colours come from the palette.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.ideas import Idea, IdeasView

IdeaRole = Qt.ItemDataRole.UserRole + 1
EMPTY_TEXT = ("No ideas yet. Add your organisation's news or release feed, or a folder of your own notes or "
              "changelogs (Add → Add feed…, Add folder…).")
_PAD = 6


class _IdeaDelegate(QStyledItemDelegate):
    """Three lines per idea: the title (bold when unread), "source · date", the summary's start (elided)."""

    def _fonts(self, option: QStyleOptionViewItem, idea: Idea) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(not idea.read)
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.9, 7.0))
        return title, small

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        idea = index.data(IdeaRole)
        if not isinstance(idea, Idea):
            return super().sizeHint(option, index)
        title, small = self._fonts(option, idea)
        lines = QFontMetrics(title).height() + QFontMetrics(small).height() * (2 if idea.summary else 1)
        return QSize(200, lines + 2 * _PAD + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        idea = index.data(IdeaRole)
        if not isinstance(idea, Idea):
            super().paint(painter, option, index)
            return
        painter.save()
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        quiet_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        title_font, small = self._fonts(option, idea)
        area = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        y = area.top()
        for font, role, text in ((title_font, text_role, idea.title),
                                 (small, quiet_role, meta_line(idea)),
                                 (small, text_role, idea.summary.replace("\n", " "))):
            if not text:
                continue
            metrics = QFontMetrics(font)
            painter.setFont(font)
            painter.setPen(palette.color(role))
            line = QRect(area.left(), y, area.width(), metrics.height())
            painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, area.width()))
            y += metrics.height()
        painter.restore()


def meta_line(idea: Idea) -> str:
    parts = [idea.source_title or idea.source]
    if idea.date_text():
        parts.append(idea.date_text())
    if idea.suggested:
        parts.append("has suggested copy")
    return " · ".join(parts)


class IdeasPanel(QWidget):
    refresh_requested = Signal()
    add_feed_requested = Signal()
    add_folder_requested = Signal()
    write_requested = Signal(object)  # the Idea
    dismiss_requested = Signal(object)
    open_requested = Signal(object)
    seen = Signal(object)  # the Idea now selected (marked read)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Ideas panel")
        self.ideas: list[Idea] = []
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Ask the feeds for new items and read the folders again")
        # one "Add" button with a menu: the panel stays narrow enough to share its tabs at 640 pixels
        self.add_button = QToolButton(self)
        self.add_button.setText("Add")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_button.setAccessibleName("Add a feed or a folder")
        menu = QMenu(self.add_button)
        self.add_feed_action = menu.addAction("Add feed…")
        self.add_folder_action = menu.addAction("Add folder…")
        self.add_button.setMenu(menu)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.refresh_button)
        top.addWidget(self.add_button)
        top.addStretch(1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Ideas sources status")
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status.hide()
        self.list = QListWidget(self)
        self.list.setAccessibleName("Ideas")
        self.list.setItemDelegate(_IdeaDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Idea summary")
        self.detail.setMaximumHeight(120)
        self.write_button = QToolButton(self)
        self.write_button.setText("Write about this")
        self.write_button.setToolTip("A new draft with the link and a question for your own angle")
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setToolTip("Hide this idea (it stays hidden)")
        self.open_action = QAction("Open link", self)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.write_button)
        bottom.addStretch(1)
        bottom.addWidget(self.dismiss_button)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.detail)
        layout.addLayout(bottom)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.add_feed_action.triggered.connect(self.add_feed_requested)
        self.add_folder_action.triggered.connect(self.add_folder_requested)
        self.write_button.clicked.connect(lambda: self._emit_current(self.write_requested))
        self.dismiss_button.clicked.connect(lambda: self._emit_current(self.dismiss_requested))
        self.open_action.triggered.connect(lambda: self._emit_current(self.open_requested))
        self.list.itemActivated.connect(lambda _item: self._emit_current(self.write_requested))
        self.list.currentItemChanged.connect(lambda _current, _previous: self._current_changed())
        self.set_view(IdeasView())

    # -- what is shown ---------------------------------------------------------------------------
    def set_view(self, view: IdeasView) -> None:
        """Show *view*'s ideas and source problems, keeping the selected idea selected."""
        current = self.current_idea()
        self.ideas = list(view.ideas)
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for idea in self.ideas:
                item = QListWidgetItem(idea.title)
                item.setData(IdeaRole, idea)
                # escaped: Qt renders a tooltip that looks like HTML as HTML, and a feed's title is anyone's text
                item.setToolTip(f"<p>{html.escape(idea.title)}<br>{html.escape(meta_line(idea))}</p>")
                self.list.addItem(item)
            if current is not None:
                for row, idea in enumerate(self.ideas):
                    if idea.key == current.key:
                        self.list.setCurrentRow(row)
        finally:
            self.list.blockSignals(False)
        problems = view.problems()
        self.status.setText("\n".join(problems))
        self.status.setVisible(bool(problems))
        self.list.setVisible(bool(self.ideas))
        self.empty.setVisible(not self.ideas)
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText("Refreshing…" if busy else "Refresh")

    def set_locked(self, feeds_locked: bool, folders_locked: bool) -> None:
        managed = " (managed by your organisation: IT sets this list)"
        self.add_feed_action.setEnabled(not feeds_locked)
        self.add_feed_action.setText("Add feed…" + (managed if feeds_locked else ""))
        self.add_folder_action.setEnabled(not folders_locked)
        self.add_folder_action.setText("Add folder…" + (managed if folders_locked else ""))
        self.add_button.setToolTip("Add a feed address (RSS, Atom, JSON Feed) or file, or a folder of your notes")

    def current_idea(self) -> Idea | None:
        item = self.list.currentItem()
        idea = item.data(IdeaRole) if item is not None else None
        return idea if isinstance(idea, Idea) else None

    def select(self, key: str) -> bool:
        for row, idea in enumerate(self.ideas):
            if idea.key == key:
                self.list.setCurrentRow(row)
                return True
        return False

    def titles(self) -> list[str]:
        return [idea.title for idea in self.ideas]

    # -- internals -----------------------------------------------------------------------------
    def _emit_current(self, signal: SignalInstance) -> None:
        idea = self.current_idea()
        if idea is not None:
            signal.emit(idea)

    def _current_changed(self) -> None:
        idea = self.current_idea()
        self._update_buttons()
        if idea is None:
            self.detail.clear()
            return
        self.detail.setText(idea.summary or idea.title)
        if not idea.read:
            self.seen.emit(idea)

    def _context_menu(self, position: QPoint) -> None:
        if self.current_idea() is None:
            return
        menu = QMenu(self)
        write = menu.addAction("Write about this")
        write.triggered.connect(self.write_button.click)
        menu.addAction(self.open_action)
        dismiss = menu.addAction("Dismiss")
        dismiss.triggered.connect(self.dismiss_button.click)
        menu.popup(self.list.viewport().mapToGlobal(position))

    def mark_read_shown(self, key: str) -> None:
        """Show *key* as read (unbold) without waiting for the next reload."""
        from dataclasses import replace

        for row, idea in enumerate(self.ideas):
            if idea.key == key and not idea.read:
                self.ideas[row] = replace(idea, read=True)
                self.list.item(row).setData(IdeaRole, self.ideas[row])

    def _update_buttons(self) -> None:
        idea = self.current_idea()
        self.write_button.setEnabled(idea is not None)
        self.dismiss_button.setEnabled(idea is not None)
        self.open_action.setEnabled(idea is not None and idea.link.startswith(("https://", "http://")))
        self.detail.setVisible(idea is not None)

