"""A list row of two lines (a main line, then a detail line), drawn with the palette's colours.

Subclasses say what the row shows in :meth:`TwoLineDelegate.paint_row`; the frame here draws the
selection background, picks the main and secondary text colours (so dark mode works) and lays
out the two line rectangles.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


class TwoLineDelegate(QStyledItemDelegate):
    PADDING = 6
    ROLE: int  # the model role holding the row's object

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + self.PADDING * 3)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        item = index.data(self.ROLE)
        if item is None:
            return super().paint(painter, option, index)
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        main = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        secondary = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText)
        metrics = QFontMetrics(option.font)
        rect = option.rect.adjusted(self.PADDING * 2, self.PADDING, -self.PADDING * 2, -self.PADDING)
        first = QRect(rect.left(), rect.top(), rect.width(), metrics.height())
        second = first.translated(0, metrics.height() + self.PADDING // 2)
        painter.save()
        try:
            self.paint_row(painter, option, item, first, second, main, secondary, selected)
        finally:
            painter.restore()

    def paint_row(self, painter: QPainter, option: QStyleOptionViewItem, item: Any, first: QRect, second: QRect,
                  main: QColor, secondary: QColor, selected: bool) -> None:
        raise NotImplementedError
