"""The Sandbox feed: what demo mode "published", newest first, each post drawn like the network its
account looks like (its colours and badge, the author's name and handle, mentions, hashtags and
links styled as that network styles them, the time)."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from desktop.core import networks
from desktop.core.demo import SandboxPost, post_parts
from desktop.ui.common.badges import avatar_pixmap
from desktop.ui.common.theme import network_color

AVATAR_SIZE = 36
LONG_LINK = 40  # longer links are shown shortened, as the networks show them


def when(published_at: float, now: float | None = None) -> str:
    """How long ago, as the networks say it: "now", "5m", "3h", "2d"."""
    seconds = max(0.0, (time.time() if now is None else now) - published_at)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def post_html(post: SandboxPost, palette: QPalette) -> str:
    """The post's text as rich text: mentions, hashtags and cashtags in the network's colour, links
    without their scheme, shortened when long and underlined in the palette's link colour, line breaks kept."""
    accent = network_color(palette, post.style).name()
    link = palette.color(QPalette.ColorRole.Link).name()
    pieces = []
    for kind, piece in post_parts(post.text):
        text = html.escape(piece).replace("\n", "<br>")
        if kind == "link":
            shown = piece.removeprefix("https://").removeprefix("http://")
            if len(shown) > LONG_LINK:
                shown = shown[:LONG_LINK - 1] + "…"
            pieces.append(f'<a href="{html.escape(piece, quote=True)}" style="color:{link};">{html.escape(shown)}</a>')
        elif kind in ("mention", "hashtag", "cashtag"):
            pieces.append(f'<span style="color:{accent};">{text}</span>')
        else:
            pieces.append(text)
    return "".join(pieces)


def network_name(style: str) -> str:
    network = networks.find(style)
    return network.display_name if network is not None else style


class PostCard(QFrame):
    """One post: the network's colour down its side, the avatar with the network's badge, name,
    handle and time, then the text."""

    def __init__(self, post: SandboxPost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.post = post
        self.setObjectName("sandbox-post")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        palette = self.palette()
        accent = network_color(palette, post.style)
        edge = palette.color(QPalette.ColorRole.Mid).name()
        self.setStyleSheet(f"QFrame#sandbox-post {{ background: {palette.color(QPalette.ColorRole.Base).name()}; "
                           f"border: 1px solid {edge}; border-left: 4px solid {accent.name()}; border-radius: 3px; }}")
        shown_network = network_name(post.style)
        self.setAccessibleName(f"Post by {post.name} ({post.handle}), looks like {shown_network}")

        self.avatar = QLabel(self)
        self.avatar.setPixmap(avatar_pixmap(post.style, post.name, AVATAR_SIZE, palette))
        self.avatar.setFixedSize(AVATAR_SIZE, AVATAR_SIZE)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.author = QLabel(self)
        self.author.setTextFormat(Qt.TextFormat.RichText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
        handle = html.escape(post.handle)
        name = html.escape(post.name)
        if post.handle == post.name or not post.handle.startswith("@"):  # networks of names, not handles
            header = f"<b>{name}</b> <span style='color:{muted};'>· {when(post.published_at)}</span>"
        else:
            header = f"<b>{name}</b> <span style='color:{muted};'>{handle} · {when(post.published_at)}</span>"
        self.author.setText(header)
        self.author.setWordWrap(True)
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setText(post_html(post, palette))
        self.body.setWordWrap(True)
        self.body.setOpenExternalLinks(False)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.network = QLabel(shown_network, self)
        self.network.setStyleSheet(f"color: {accent.name()}; font-size: small;")

        text_side = QVBoxLayout()
        text_side.setSpacing(3)
        text_side.addWidget(self.author)
        text_side.addWidget(self.body)
        text_side.addWidget(self.network)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 8, 8)
        row.setSpacing(8)
        row.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text_side, 1)


class SandboxFeedView(QWidget):
    """The feed's panel: a scrolling column of :class:`PostCard`, newest on top."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sandbox feed")
        self.header = QLabel("Posts published in this demo appear here. Nothing leaves this computer.", self)
        self.header.setWordWrap(True)
        self.empty = QLabel("Nothing published yet: open a sample draft and press Publish.", self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column = QWidget(self)
        self.column_layout = QVBoxLayout(self.column)
        self.column_layout.setContentsMargins(0, 0, 0, 0)
        self.column_layout.setSpacing(6)
        self.column_layout.addStretch(1)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.column)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroller, 1)
        self.cards: list[PostCard] = []
        self._drawn_on = ""  # the Base colour the cards were drawn for
        self.set_posts([])

    def set_posts(self, posts: Sequence[SandboxPost]) -> None:
        for card in self.cards:
            self.column_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for index, post in enumerate(posts):
            card = PostCard(post, self.column)
            card.body.linkActivated.connect(self.link_activated)
            self.column_layout.insertWidget(index, card)
            self.cards.append(card)
        self.empty.setVisible(not posts)
        self._drawn_on = self.palette().color(QPalette.ColorRole.Base).name()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.cards:
            base = self.palette().color(QPalette.ColorRole.Base).name()
            if base != self._drawn_on:  # the networks' colours for the new palette (light ↔ dark)
                self.set_posts(self.posts())

    def posts(self) -> list[SandboxPost]:
        return [card.post for card in self.cards]

    def show_post(self, post_id: int) -> bool:
        """Scroll to the post with *post_id* and give it the focus frame; False if it is not shown."""
        card = next((c for c in self.cards if c.post.id == post_id), None)
        if card is None:
            return False
        self.scroller.ensureWidgetVisible(card)
        card.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


__all__ = ["PostCard", "SandboxFeedView", "network_name", "post_html", "when"]
