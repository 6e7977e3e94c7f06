"""PreviewFeature: the Preview panel's wiring in the main window.

- Refreshes the cards on a typing pause (the editor's ``textChanged`` restarts the panel's timer).
- One card per account chosen in the publish bar, with the account's name, handle and avatar (the
  image the Accounts panel downloaded, when it has it; the initial otherwise); with no account
  chosen, one card per network the composer counts for.
- :meth:`set_images` takes the draft's images with their alt text (the attachments strip calls it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from desktop.core.preview import Author, PreviewImage
from desktop.ui.preview.panel import PreviewPanel, PreviewTarget

if TYPE_CHECKING:
    from desktop.ui.accounts.panel import AccountsPanel
    from desktop.ui.composer.composer import Composer
    from desktop.ui.publishing.bar import PublishBar


class PreviewWindow(Protocol):
    """What the feature needs from the main window (which builds it: no import back up to the shell)."""

    composer: Composer
    publish_bar: PublishBar | None
    accounts_panel: AccountsPanel | None

    def counter_networks(self) -> tuple[str, ...]: ...

    def count_options(self) -> dict[str, dict[str, int]]: ...


class PreviewFeature(QObject):
    def __init__(self, window: PreviewWindow, parent: QWidget) -> None:
        """*window* and *parent*: the main window (as what the feature reads, and as the panel's parent)."""
        super().__init__(parent)
        self.window = window
        composer = window.composer
        self.panel = PreviewPanel(composer.text, window.count_options, parent)
        composer.editor.textChanged.connect(self.panel.text_changed)
        # the draft's images and their alt text, as the attachments strip has them
        composer.images_changed.connect(
            lambda: self.set_images([PreviewImage.from_attachment(image) for image in composer.images()]))
        bar = window.publish_bar
        if bar is not None:
            bar.state_changed.connect(lambda _can, _why: self.update_targets())
            bar.picker.targets_changed.connect(lambda _ids: self.update_targets())
        self.update_targets()

    def set_images(self, images: Sequence[PreviewImage]) -> None:
        self.panel.set_images(images)

    def update_targets(self) -> None:
        """Cards for the chosen accounts, else for the composer's networks."""
        bar = self.window.publish_bar
        targets: list[PreviewTarget] = []
        if bar is not None:
            records = {r.account.id: r.account for r in bar.records}
            for account_id in bar.chosen():
                account = records.get(account_id)
                if account is None:
                    continue
                author = Author(account.display_name, account.handle, account.avatar_url)
                targets.append(PreviewTarget(account.network, author, account.id, self._avatar(account.avatar_url)))
        if not targets:
            targets = [PreviewTarget(network) for network in self.window.counter_networks()]
        self.panel.set_targets(targets)

    def _avatar(self, url: str) -> QImage | None:
        panel = self.window.accounts_panel
        return panel.avatar_image(url) if panel is not None and url else None
