"""The Tips panel: the tips for the draft's findings first, then for its networks, then the rest.

A list in three labelled parts ("For this post", "For your networks", "More tips") above the
selected tip, rendered from its Markdown in a QTextBrowser (links open in the desktop's browser
through *open_url*). The order comes from :func:`desktop.core.tips.rank`; the panel only shows it,
and keeps the selected tip selected when the order changes while the author types. Tips left out
because their file is broken are named at the bottom. Colours come from the palette only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QFont, QPalette, Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.tips import FindingKey, Tip, TipProblem, groups, rank

TipRole = Qt.ItemDataRole.UserRole + 1
GROUP_TITLES = {"finding": "For this post", "network": "For your networks", "other": "More tips"}
LOADING_TEXT = "Loading tips…"


class TipsPanel(QWidget):
    """Shows *tips* ranked for the current findings and networks; :meth:`show_tip` selects one."""

    tip_shown = Signal(str)  # the id of the tip now shown

    def __init__(self, parent: QWidget | None = None, open_url: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Tips panel")
        self.open_url = open_url
        self._tips: list[Tip] = []
        self._findings: tuple[FindingKey, ...] = ()
        self._networks: tuple[str, ...] = ()
        self._order: list[str] = []  # tip ids as listed, with group markers
        self.ranked: list[Tip] = []

        self.list = QListWidget(self)
        self.list.setAccessibleName("Tips")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setSpacing(1)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)  # wrapped titles re-flow when the panel narrows
        self.view = QTextBrowser(self)
        self.view.setAccessibleName("Tip")
        self.view.setOpenLinks(False)  # links go through open_url (the window's browser bridge)
        self.view.anchorClicked.connect(self._open_link)
        self.view.setPlaceholderText(LOADING_TEXT)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setAccessibleName("Tips that could not be read")
        self.problems.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.problems.hide()

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.view)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.problems)
        self.list.currentItemChanged.connect(lambda current, _previous: self._show_current(current))

    # -- what is shown -----------------------------------------------------------------------------
    def set_tips(self, tips: Sequence[Tip], problems: Sequence[TipProblem] = ()) -> None:
        self._tips = list(tips)
        if problems:
            head = "1 tip could not be read:" if len(problems) == 1 else f"{len(problems)} tips could not be read:"
            self.problems.setText("\n".join([head, *(f"• {p}" for p in problems[:5])]
                                            + ([f"… and {len(problems) - 5} more (see the log)"] if len(problems) > 5 else [])))
        self.problems.setVisible(bool(problems))
        if not self._tips:
            self.view.setPlaceholderText("No tips available.")
        self._refresh()

    def set_context(self, findings: Sequence[FindingKey], networks: Sequence[str]) -> None:
        """The draft's findings and networks changed: re-rank (nothing happens when the order is the same)."""
        findings, networks = tuple(findings), tuple(networks)
        if findings == self._findings and networks == self._networks:
            return
        self._findings, self._networks = findings, networks
        self._refresh()

    def current_tip(self) -> Tip | None:
        item = self.list.currentItem()
        tip = item.data(TipRole) if item is not None else None
        return tip if isinstance(tip, Tip) else None

    def tip_ids(self) -> list[str]:
        """The ids of the tips as listed, in order (for tests and the tour)."""
        return [tip.id for tip in self.ranked]

    def group(self, tip_id: str) -> str:
        """'finding', 'network' or 'other': the part of the list *tip_id* is in ('' for no such tip)."""
        return groups(self._tips, self._findings, self._networks).get(tip_id, "")

    def show_tip(self, tip_id: str) -> bool:
        """Select the tip *tip_id* (False: there is none)."""
        for row in range(self.list.count()):
            tip = self.list.item(row).data(TipRole)
            if isinstance(tip, Tip) and tip.id == tip_id:
                self.list.setCurrentRow(row)
                self.list.scrollToItem(self.list.item(row))
                return True
        return False

    # -- internals ---------------------------------------------------------------------------------
    def _refresh(self) -> None:
        ranked = rank(self._tips, self._findings, self._networks)
        grouped = groups(self._tips, self._findings, self._networks)
        order = [f"{grouped[tip.id]}:{tip.id}" for tip in ranked]
        if order == self._order:
            return
        # new tips for the post: show the first of them; otherwise the author's choice stays selected
        for_post = [entry for entry in order if entry.startswith("finding:")]
        new_for_post = for_post != [entry for entry in self._order if entry.startswith("finding:")]
        self.ranked = ranked
        self._order = order
        previous = self.current_tip()
        keep = previous.id if previous is not None and not (new_for_post and for_post) else None
        self.list.blockSignals(True)
        try:
            self.list.clear()
            shown_group = None
            first_tip_row = -1
            for tip, entry in zip(ranked, order, strict=True):
                group = entry.split(":", 1)[0]
                if group != shown_group:
                    self.list.addItem(self._header(GROUP_TITLES[group]))
                    shown_group = group
                item = QListWidgetItem(tip.title)
                item.setData(TipRole, tip)
                item.setToolTip(tip.summary())
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{tip.title} ({GROUP_TITLES[group]})")
                self.list.addItem(item)
                if first_tip_row < 0:
                    first_tip_row = self.list.count() - 1
        finally:
            self.list.blockSignals(False)
        if keep is None or not self.show_tip(keep):
            if first_tip_row >= 0:
                self.list.setCurrentRow(first_tip_row)
            self.list.scrollToTop()  # the first group's label in view too
        self._show_current(self.list.currentItem())

    def _header(self, title: str) -> QListWidgetItem:
        item = QListWidgetItem(title.upper())
        font = QFont(self.list.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # not selectable: a label between the groups
        item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}:")
        return item

    def _show_current(self, item: QListWidgetItem | None) -> None:
        tip = item.data(TipRole) if item is not None else None
        if not isinstance(tip, Tip):
            self.view.clear()
            return
        self.view.setMarkdown(tip.markdown())
        self.tip_shown.emit(tip.id)

    def _open_link(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith(("https://", "mailto:")):
            return  # only what the tip format allows; a relative link has nowhere to go
        if self.open_url is not None:
            self.open_url(text)

    def changeEvent(self, event) -> None:  # group labels take their colour from the palette
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "list"):
            for row in range(self.list.count()):
                item = self.list.item(row)
                if not isinstance(item.data(TipRole), Tip):
                    item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
