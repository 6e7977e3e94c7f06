"""What one tour step looks like: a highlight frame around its target and a callout with its text.

Both are plain child widgets, not windows or dialogs, so nothing is modal: the highlight lets every
mouse event through to what it frames, and the callout only takes the keyboard when the person goes to
it (a click, Tab, or Shift+F1). In the callout, Enter and → go on, ← goes back, Esc ends the tour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

FRAME_WIDTH = 3  # pixels of the highlight's outline
FRAME_MARGIN = 4  # the outline is this far outside the target, so it does not cover its edge
CALLOUT_WIDTH = 360
GAP = 2  # between the target and the callout's pointer
POINTER = 12  # how far the pointer stands out of the card (the callout keeps this room on every side)


class Highlight(QWidget):
    """A rounded outline in the palette's highlight colour around the target; mouse events pass through."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tour-highlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def frame(self, rect: QRect) -> None:
        """Outline *rect* (in the parent's coordinates), kept inside the parent."""
        outer = rect.adjusted(-FRAME_MARGIN, -FRAME_MARGIN, FRAME_MARGIN, FRAME_MARGIN)
        parent = self.parentWidget()
        if parent is not None:
            outer = outer.intersected(parent.rect())
        self.setGeometry(outer)
        self.raise_()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), FRAME_WIDTH)
        painter.setPen(pen)
        half = FRAME_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 6, 6)


class Callout(QFrame):
    """The step's title and text, "Step n of m", and Skip tour / Back / Next (Done on the last step)."""

    next_requested = Signal()
    back_requested = Signal()
    skip_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tour-callout")
        self.setAccessibleName("Guided tour")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Enter and the arrows also work with the frame focused
        self.setAutoFillBackground(False)
        self.setFixedWidth(CALLOUT_WIDTH)
        self.pointer_side: str | None = None  # "left", "right", "top", "bottom": the side facing the target
        self.pointer_at = 0  # where along that side the pointer is (pixels from the side's start)
        self.counter = QLabel(self)
        self.counter.setAccessibleName("Tour step")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Keyboard hint")
        self.skip_button = QPushButton("Skip tour", self)
        self.back_button = QPushButton("Back", self)
        self.next_button = QPushButton("Next", self)
        for button in (self.skip_button, self.back_button, self.next_button):
            button.setAutoDefault(True)  # Enter presses the focused button (outside a dialog it would not)
            button.installEventFilter(self)  # a button would move the focus with the arrows: they page here
        self.next_button.setDefault(True)
        self.skip_button.clicked.connect(self.skip_requested)
        self.back_button.clicked.connect(self.back_requested)
        self.next_button.clicked.connect(self.next_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16 + POINTER, 12 + POINTER, 16 + POINTER, 12 + POINTER)
        layout.setSpacing(6)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.setTabOrder(self.next_button, self.back_button)
        self.setTabOrder(self.back_button, self.skip_button)
        self._recolour()

    def show_step(self, title: str, text: str, number: int, count: int, first: bool, last: bool) -> None:
        self.counter.setText(f"Step {number} of {count}")
        self.title.setText(title)
        self.text.setText(text)
        self.back_button.setEnabled(not first)
        self.next_button.setText("Done" if last else "Next")
        self.setAccessibleDescription(f"{title}. {text}")
        self.update_hint()
        self.adjustSize()

    def point(self, side: str | None, at: int = 0) -> None:
        """Point at the target from *side* of the card, *at* pixels along it (None: no pointer)."""
        self.pointer_side, self.pointer_at = side, at
        self.update()

    def card(self) -> QRectF:
        return QRectF(self.rect()).adjusted(POINTER, POINTER, -POINTER, -POINTER)

    def has_keyboard(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is self or self.isAncestorOf(focus))

    def update_hint(self) -> None:
        """Say how to reach the tour from the keyboard while it does not have it, and what keys do once it has."""
        self.hint.setText("Enter or →: next · ←: back · Esc: close the tour" if self.has_keyboard()
                          else "Shift+F1 brings the keyboard to the tour")

    def take_keyboard(self) -> None:
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.update_hint()

    # -- looks ---------------------------------------------------------------------------------------
    def _recolour(self) -> None:
        counter = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for label in (self.counter, self.hint):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, counter)
            label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._recolour()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        card = self.card()
        shape = QPainterPath()
        shape.addRoundedRect(card, 8, 8)
        pointer = self._pointer(card)
        if pointer is not None:
            shape = shape.united(pointer)
        # a soft shadow of a few translucent outlines, then the card in the base colour, outlined in the highlight
        for step in range(3, 0, -1):
            painter.setPen(QPen(QColor(0, 0, 0, 22 * (4 - step)), 2 * step))
            painter.drawPath(shape.translated(0, 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
        painter.drawPath(shape)

    def _pointer(self, card: QRectF) -> QPainterPath | None:
        side, at, half = self.pointer_side, float(self.pointer_at), POINTER * 0.9
        if side is None:
            return None
        if side in ("left", "right"):
            at = min(max(at, card.top() + 12 + half), card.bottom() - 12 - half)
            edge = card.left() if side == "left" else card.right()
            tip = QPointF(edge - POINTER if side == "left" else edge + POINTER, at)
            base = (QPointF(edge, at - half), QPointF(edge, at + half))
        else:
            at = min(max(at, card.left() + 12 + half), card.right() - 12 - half)
            edge = card.top() if side == "top" else card.bottom()
            tip = QPointF(at, edge - POINTER if side == "top" else edge + POINTER)
            base = (QPointF(at - half, edge), QPointF(at + half, edge))
        path = QPainterPath(base[0])
        path.lineTo(tip)
        path.lineTo(base[1])
        path.closeSubpath()
        return path

    # -- keys ----------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Escape):
            self.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.skip_requested.emit()
        elif key == Qt.Key.Key_Right:
            self.next_requested.emit()
        elif key == Qt.Key.Key_Left:
            if self.back_button.isEnabled():
                self.back_requested.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(QApplication.focusWidget(), QPushButton):
            self.next_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
