"""A layout that places its widgets left to right and wraps them onto further lines when the room runs out.

The composer's counters and the findings panel's buttons used to sit in one row each, so the row's
width was the window's minimum width: a small window either could not be made or cut the counters
into wrong numbers ("Bluesky 200" for "Bluesky 200/300"). In a :class:`FlowLayout` every widget keeps
its whole size hint and the row grows a line instead; its minimum width is its widest item's.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Items at their size hints, left to right, wrapping; *spacing* between items and lines.

    With *trailing* set, the last item is aligned to the right edge of its line (the policy summary
    beside the counters, as before), and goes to a line of its own when it does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int | None = None,
                 trailing: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = spacing if line_spacing is None else line_spacing
        self._trailing = trailing
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout -----------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        visible = self._visible()
        margins = self.contentsMargins()
        width = sum(item.sizeHint().width() for item in visible) + self._spacing * max(len(visible) - 1, 0)
        height = max((item.sizeHint().height() for item in visible), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """The widest item (every item keeps its whole width: nothing is cut)."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.sizeHint())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # -- placing -----------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def lines(self, width: int) -> list[list[QLayoutItem]]:
        """The items on each line for a layout *width* pixels wide (the contents margins included)."""
        margins = self.contentsMargins()
        room = max(width - margins.left() - margins.right(), 1)
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            w = item.sizeHint().width()
            if lines[-1] and used + self._spacing + w > room:
                lines.append([])
                used = 0
            used += (self._spacing if lines[-1] else 0) + w
            lines[-1].append(item)
        return [line for line in lines if line]

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        left, top = rect.x() + margins.left(), rect.y() + margins.top()
        right = rect.right() - margins.right()
        y = top
        lines = self.lines(rect.width())
        for number, line in enumerate(lines):
            height = max(item.sizeHint().height() for item in line)
            x = left
            for index, item in enumerate(line):
                hint = item.sizeHint()
                last = self._trailing and number == len(lines) - 1 and index == len(line) - 1 and index > 0
                at_x = right - hint.width() + 1 if last else x
                if move:
                    item.setGeometry(QRect(QPoint(at_x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self._spacing
            y += height + self._line_spacing
        if lines:
            y -= self._line_spacing
        return y - rect.y() + margins.bottom()
