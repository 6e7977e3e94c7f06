"""One network's preview card: the author, the post's text styled as the network styles it, its
link card, images with their ALT badge, the count against the network's limit and the place where
the network would refuse the text.

The card is rebuilt from a :class:`desktop.core.preview.NetworkPreview` (rich text in a few
labels: no layout churn while typing) and takes every colour from the palette and the network's
brand colours in the registry, so it follows light and dark alike.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop.core import networks
from desktop.core.preview import NetworkPreview, Segment
from desktop.ui.common.badges import avatar_pixmap
from desktop.ui.common.theme import network_color, status_color

AVATAR_SIZE = 36
SEE_MORE = "see-more"


def _hex(colour) -> str:
    return colour.name()


def segments_html(segments: tuple[Segment, ...], palette: QPalette, network: str, *, expanded: bool) -> str:
    """The post's text as HTML: entities in the network's colour, the refused part struck through on
    the "over" colour, the network's fold as "…see more" (unless *expanded*)."""
    brand = _hex(network_color(palette, network))
    over = _hex(status_color(palette, "over"))
    entry = networks.find(network)
    plain_links = entry is not None and entry.preview.plain_links  # links drawn in the normal weight
    out: list[str] = []
    for segment in segments:
        if segment.folded and not expanded:
            out.append(f'… <a href="{SEE_MORE}" style="color:{_hex(palette.color(QPalette.ColorRole.PlaceholderText))};'
                       f'text-decoration:none">see more</a>')
            break
        body = escape(segment.text).replace("\n", "<br>")
        if segment.kind != "text":
            weight = "normal" if segment.kind == "link" and plain_links else "600"
            body = f'<span style="color:{brand};font-weight:{weight}">{body}</span>'
        if segment.over:
            body = (f'<span style="background-color:{over};color:{_hex(palette.color(QPalette.ColorRole.Base))};'
                    f'text-decoration:line-through">{body}</span>')
        out.append(body)
    return "".join(out)


class PreviewCard(QFrame):
    """A card styled like *network*'s post (see the module docstring)."""

    expanded_changed = Signal(bool)

    def __init__(self, network: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network = network
        self.preview: NetworkPreview | None = None
        self.expanded = False
        self._avatar_image: QImage | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"preview-{network}")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.avatar = QLabel(self)
        self.avatar.setFixedSize(AVATAR_SIZE, AVATAR_SIZE)
        self.name = QLabel(self)
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.name.setWordWrap(True)
        self.network_label = QLabel(self)
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setAccessibleName("Preview text")
        self.body.linkActivated.connect(self._link_activated)
        self.link_card = QLabel(self)
        self.link_card.setTextFormat(Qt.TextFormat.RichText)
        self.link_card.setWordWrap(True)
        self.link_card.setFrameShape(QFrame.Shape.StyledPanel)
        self.link_card.setMargin(6)
        self.images = QLabel(self)
        self.images.setTextFormat(Qt.TextFormat.RichText)
        self.images.setWordWrap(True)
        self.count = QLabel(self)
        self.count.setTextFormat(Qt.TextFormat.RichText)
        self.count.setWordWrap(True)
        self.count.setAccessibleName("Length against the limit")

        # wrapped rich text must not widen the card past the panel (a long link or word would)
        # (the network's name is one short word: it keeps its width, the author's name gives way)
        self.network_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        for label in (self.name, self.body, self.link_card, self.images, self.count):
            policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(True)
            label.setSizePolicy(policy)
            label.setMinimumWidth(40)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.name, 1)
        header.addWidget(self.network_label, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.body)
        layout.addWidget(self.link_card)
        layout.addWidget(self.images)
        layout.addWidget(self.count)

    # -- public -------------------------------------------------------------------------------------
    def show_preview(self, preview: NetworkPreview, avatar: QImage | None = None) -> None:
        self.preview = preview
        self._avatar_image = avatar
        self._render()

    def body_html(self) -> str:
        return self.body.text()

    # -- internals ----------------------------------------------------------------------------------
    def _link_activated(self, href: str) -> None:
        if href == SEE_MORE:
            self.expanded = True
            self._render()
            self.expanded_changed.emit(True)

    def _render(self) -> None:
        preview = self.preview
        if preview is None:
            return
        palette = self.palette()
        brand = network_color(palette, self.network)
        muted = _hex(palette.color(QPalette.ColorRole.PlaceholderText))
        author = preview.author
        self.avatar.setPixmap(avatar_pixmap(self.network, author.initials, AVATAR_SIZE, palette, self._avatar_image))
        handle = f'<br><span style="color:{muted}">{escape(author.handle)}</span>' if author.handle else ""
        self.name.setText(f"<b>{escape(author.name)}</b>{handle}")
        self.network_label.setText(f'<span style="color:{_hex(brand)};font-weight:600">'
                                   f"{escape(preview.display_name)}</span>")
        # a post over its limit opens up, so the refused part is in sight
        expanded = self.expanded or preview.cut is not None
        self.body.setText(segments_html(preview.segments, palette, self.network, expanded=expanded)
                          or f'<span style="color:{muted}">Nothing written yet.</span>')
        card = preview.card
        self.link_card.setVisible(card is not None)
        if card is not None:
            self.link_card.setText(f'<span style="color:{muted}">{escape(card.host)}</span><br>'
                                   f"<b>{escape(card.title)}</b>"
                                   + (f"<br>{escape(card.description)}" if card.description else ""))
        self.images.setVisible(bool(preview.images or preview.notes))
        self.images.setText(self._images_html(palette))
        self.count.setText(self._count_html(palette))

    def _images_html(self, palette: QPalette) -> str:
        preview = self.preview
        assert preview is not None
        base = _hex(palette.color(QPalette.ColorRole.Base))
        parts: list[str] = []
        for n, image in enumerate(preview.images, 1):
            if image.has_alt:
                badge = f'<span style="background-color:{_hex(palette.color(QPalette.ColorRole.Text))};color:{base}">' \
                        f"&nbsp;ALT&nbsp;</span>"
            else:
                badge = f'<span style="color:{_hex(status_color(palette, "warn"))}">no alt text</span>'
            name = escape(image.name or f"Image {n}")
            size = f" {image.width}×{image.height}" if image.width and image.height else ""
            parts.append(f"{name}{size} {badge}")
        parts += [f'<span style="color:{_hex(status_color(palette, "warn"))}">{escape(note)}</span>'
                  for note in preview.notes]
        return "<br>".join(parts)

    def _count_html(self, palette: QPalette) -> str:
        preview = self.preview
        assert preview is not None
        count = preview.count
        colour = status_color(palette, "over" if count.over else "ok")
        line = (f'<span style="color:{_hex(colour)}">{count.used:,} / {count.limit:,}</span> '
                f'<span style="color:{_hex(palette.color(QPalette.ColorRole.PlaceholderText))}">{escape(count.unit)}')
        if count.bytes_used is not None and count.bytes_limit is not None:
            line += f" · {count.bytes_used:,} / {count.bytes_limit:,} bytes"
        line += "</span>"
        if preview.cut is not None:
            line += f'<br><span style="color:{_hex(colour)}">{escape(preview.cut.message)}</span>'
        return line

    def changeEvent(self, event) -> None:  # the palette changed: the colours come from it
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._render()


__all__ = ["PreviewCard", "segments_html"]
