"""The tip of the day: a small card over the bottom right of the window at start, never modal.

It takes no focus and covers no dialog: the author can keep typing, read the tip, open it in the Tips
panel (*Read in Tips panel*), see the next one, or close it. *Show tips at start* is the setting
``tips.show_at_start`` (the feature saves it). The card follows the window's size and palette.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop.core.tips import Tip

CARD_WIDTH = 360
MARGIN = 16


class TipOfTheDay(QFrame):
    read_requested = Signal(str)  # tip id: show it in the Tips panel
    next_requested = Signal(str)  # the id of the tip shown now
    show_at_start_changed = Signal(bool)

    def __init__(self, host: QWidget, show_at_start: bool, locked: bool = False, anchor: QWidget | None = None) -> None:
        """*host* is the widget the card floats over (the main window's central widget), in the bottom right
        corner of *anchor* (a widget inside it, the editor: so the counters and the policy summary under
        it stay in view; default: *host*); *locked*: IT set ``tips.show_at_start``, so the checkbox shows
        it and cannot change it."""
        super().__init__(host)
        self.anchor = anchor or host
        self.setObjectName("tip-of-the-day")
        self.setAccessibleName("Tip of the day")
        # a card in the palette's tooltip colours, with a visible edge in light and dark palettes alike
        self.setStyleSheet("QFrame#tip-of-the-day { background: palette(tool-tip-base); "
                           "border: 1px solid palette(mid); border-radius: 6px; }")
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.tip: Tip | None = None
        self.heading = QLabel("Tip of the day", self)
        font = QFont(self.heading.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        self.heading.setFont(font)
        self.heading.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Close the tip of the day")
        self.close_button.setToolTip("Close")
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.checkbox = QCheckBox("Show tips at start", self)
        self.checkbox.setChecked(show_at_start)
        self.checkbox.setEnabled(not locked)
        if locked:
            self.checkbox.setToolTip("Set by your organisation")
        self.read_button = QPushButton("Read in Tips panel", self)
        self.next_button = QPushButton("Next tip", self)
        for label in (self.title, self.text):
            label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.read_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.checkbox)
        self.close_button.clicked.connect(self.hide)
        self.read_button.clicked.connect(self._read)
        self.next_button.clicked.connect(lambda: self.next_requested.emit(self.tip.id if self.tip else ""))
        self.checkbox.toggled.connect(self.show_at_start_changed)
        host.installEventFilter(self)
        self.anchor.installEventFilter(self)
        self.hide()

    def show_tip(self, tip: Tip) -> None:
        self.tip = tip
        self.title.setText(tip.title)
        summary = tip.summary()
        self.text.setText(summary if len(summary) <= 280 else summary[:277].rsplit(" ", 1)[0] + "…")
        self.setAccessibleDescription(f"{tip.title}. {summary}")
        self._place()
        self.show()
        self.raise_()

    def _read(self) -> None:
        if self.tip is not None:
            self.read_requested.emit(self.tip.id)
        self.hide()

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        area = self.anchor.rect()
        corner = self.anchor.mapTo(host, area.bottomRight()) if self.anchor is not host else area.bottomRight()
        layout = self.layout()
        assert layout is not None
        # never narrower than its own buttons need (narrower, they were drawn over the text)
        width = max(min(CARD_WIDTH, max(area.width() - 2 * MARGIN, 220)), layout.totalMinimumSize().width())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        self.setFixedSize(width, height)
        self.move(max(corner.x() - width - MARGIN, 0), max(corner.y() - self.height() - MARGIN, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.parentWidget() or watched is self.anchor) and self.isVisible() \
                and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self._place()
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)
