"""The Preview panel: one :class:`PreviewCard` per chosen network, updated on a typing pause.

:class:`PreviewPanel` builds the render models (:func:`desktop.core.preview.build_preview`) for
the composer's text, the chosen accounts (or, with none linked, the composer's networks) and the
draft's images, after :data:`DEBOUNCE_MS` without typing: a keystroke only restarts a timer, and a
build costs about a millisecond per network (tests/benchmarks/preview.py), so typing never waits
for it. Hidden (its tab not shown), the panel does no work until it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.core.preview import Author, NetworkPreview, PreviewImage, build_preview
from desktop.ui.preview.card import PreviewCard

DEBOUNCE_MS = 150
# No network takes a post anywhere near this long (the largest limits are a few thousand characters):
# past it, a preview would only show how far over every limit the post is, and building and laying out
# the cards for a pasted megabyte would freeze the window for seconds. The counters still say how long.
MAX_PREVIEW_CHARACTERS = 10_000
EMPTY_TEXT = "Choose an account or network to see the post as it will look there."


class PreviewTarget:
    """One card's subject: a network and, when an account is chosen, who posts there."""

    __slots__ = ("author", "avatar", "key", "network")

    def __init__(self, network: str, author: Author | None = None, key: str = "",
                 avatar: QImage | None = None) -> None:
        self.network, self.author, self.key, self.avatar = network, author or Author(), key or network, avatar


class PreviewPanel(QWidget):
    """Cards for :meth:`set_targets`, showing the text :attr:`text_source` gives."""

    updated = Signal()  # the cards show the current text

    def __init__(self, text_source: Callable[[], str],
                 limits: Callable[[], dict[str, dict[str, int]]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PreviewPanel")
        self._text_source = text_source
        self._limits = limits or dict
        self._targets: list[PreviewTarget] = []
        self._images: tuple[PreviewImage, ...] = ()
        self.cards: dict[str, PreviewCard] = {}
        self.previews: dict[str, NetworkPreview] = {}
        self._dirty = True
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)

        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setWordWrap(True)
        self._column = QWidget(self)
        self._column.setObjectName("PreviewCards")
        self._cards_layout = QVBoxLayout(self._column)
        self._cards_layout.setContentsMargins(6, 6, 6, 6)
        self._cards_layout.setSpacing(10)
        self._cards_layout.addWidget(self.empty)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._column)
        scroll.setAccessibleName("Previews")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.scroll_area = scroll

    # -- inputs ----------------------------------------------------------------------------------------
    def text_changed(self) -> None:
        """The text changed: refresh after a typing pause (a timer restart, nothing more)."""
        self._dirty = True
        if self.isVisible():
            self.timer.start(DEBOUNCE_MS)

    def set_targets(self, targets: Sequence[PreviewTarget]) -> None:
        keys = [t.key for t in targets]
        if keys != [t.key for t in self._targets]:
            for card in self.cards.values():
                self._cards_layout.removeWidget(card)
                card.deleteLater()
            self.cards = {}
            for index, target in enumerate(targets):
                card = PreviewCard(target.network, self._column)
                self.cards[target.key] = card
                self._cards_layout.insertWidget(index, card)
        self._targets = list(targets)
        self.empty.setVisible(not targets)
        self._schedule_now()

    def set_images(self, images: Sequence[PreviewImage]) -> None:
        """The draft's images (with their alt text), in order."""
        self._images = tuple(images)
        self._schedule_now()

    # -- output ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Build the models for the current text and show them."""
        self.timer.stop()
        self._dirty = False
        text = self._text_source()
        too_long = len(text) > MAX_PREVIEW_CHARACTERS
        for card in self.cards.values():
            card.setVisible(not too_long)
        if too_long:
            self.previews = {}
            self.empty.setText(f"This post is {len(text):,} characters long, far over every network's limit: "
                               f"previews are shown for posts up to {MAX_PREVIEW_CHARACTERS:,} characters.")
            self.empty.setVisible(True)
            self.updated.emit()
            return
        self.empty.setText(EMPTY_TEXT)
        self.empty.setVisible(not self._targets)
        limits = self._limits()
        for target in self._targets:
            preview = build_preview(text, target.network, author=target.author, images=self._images,
                                    limits=limits.get(target.network))
            self.previews[target.key] = preview
            self.cards[target.key].show_preview(preview, target.avatar)
        self._fit_width()
        self.updated.emit()

    def _fit_width(self) -> None:
        """Keep the panel at least as wide as its narrowest card can be laid out (avatar, a word of the
        name, the network's name): with no horizontal scroll bar, a dock dragged or tabbed narrower would
        cut the cards' right edge off, text and all."""
        scroll = self.scroll_area
        needed = (self._column.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
                  + 2 * scroll.frameWidth())
        if scroll.minimumWidth() != needed:
            scroll.setMinimumWidth(needed)

    def _schedule_now(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.timer.start(0)  # at once, on the next turn of the event loop (several changes: one build)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.timer.start(0)
