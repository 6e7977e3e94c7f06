"""The reference pane beside the editor: what the idea's source suggested, to read, not to paste.

Shown when the open draft was written from an idea ("Write about this"): the source's suggested
copy if the feed had one, else the item's own summary, read-only, under the heading "Suggested by
<source>" and the line "For reference only: write your post in your own words." Closable; it comes back
when a draft written
from an idea is opened again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.ideas import DraftIdea

PANE_WIDTH = 260  # the reference column's width when it opens


def heading_for(idea: DraftIdea) -> str:
    source = idea.source_title or "the source"
    # short, bold, on one line in the narrow column; what it is for is said on the line below
    return f"Suggested by {source}" if idea.suggested else f"From {source}"


FOR_REFERENCE = "For reference only: write your post in your own words."


class ReferencePane(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idea-reference")
        self.setAccessibleName("Suggested copy, for reference")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(180)
        self.draft_id: str | None = None
        # puts the pane beside the editor the first time it shows (the main window's splitter)
        self.host: Callable[[QWidget], None] | None = None
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close the reference")
        self.close_button.setAccessibleName("Close the reference")
        self.close_button.clicked.connect(self.hide)
        self.for_reference = QLabel(FOR_REFERENCE, self)
        self.for_reference.setWordWrap(True)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Suggested copy")
        self.note = QLabel("Identical posts from many colleagues read as fake and networks show them to fewer "
                           "people: say what you did, saw or think.", self)
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.for_reference)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.note)
        self.hide()

    def show_for(self, draft_id: str, ideas: Sequence[DraftIdea]) -> None:
        """Show the reference of *draft_id*'s ideas (hidden when it has none)."""
        self.draft_id = draft_id
        shown = [idea for idea in ideas if idea.reference_text.strip()]
        if not shown:
            self.hide()
            return
        first = shown[0]
        self.heading.setText(heading_for(first))
        self.title.setText(first.title)
        self.text.setPlainText("\n\n".join(idea.reference_text for idea in shown))
        if not self.isVisible():
            if self.host is not None and not isinstance(self.parentWidget(), QSplitter):
                self.host(self)
            self.show()
            QTimer.singleShot(0, self._take_a_side_width)  # once the splitter has laid the pane out

    def _take_a_side_width(self) -> None:
        """Beside the editor in the window's splitter: a narrow column taken from the editor, not half of it."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter):
            return
        sizes = splitter.sizes()
        mine = splitter.indexOf(self)
        if mine < 1 or len(sizes) <= mine:
            return
        editor = mine - 1
        total = sizes[editor] + sizes[mine]
        width = max(self.minimumWidth(), min(PANE_WIDTH, total // 3))
        sizes[editor], sizes[mine] = total - width, width
        splitter.setSizes(sizes)
