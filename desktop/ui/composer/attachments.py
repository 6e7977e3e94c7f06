"""Images attached to the open draft: drop, paste or choose them; describe each; reorder; remove.

The pieces:
- :class:`PostEditor`, the composer's text editor: an image dropped or pasted on it (files from a
  file manager, or image data from a browser or a screenshot tool) is offered as an attachment
  instead of being inserted as text (:attr:`PostEditor.images_offered`);
- :class:`AttachmentsStrip`, under the editor: "Add image…" (a file dialog), one tile per image
  with its thumbnail, an alt-text field (Enter confirms), an "ALT" badge when described or a
  warning when not, and buttons to move it left or right and to remove it (Alt+Left, Alt+Right and
  Alt+Delete do the same from anywhere in the tile), plus one line saying what Chorus did (the
  metadata it removed, see :meth:`desktop.core.media.PreparedImage.note`) or why a file was not
  attached.

Where the work runs (never on the GUI thread): reading a file, checking it is an image, preparing
it (:func:`desktop.core.media.prepare`, for the note) and making its thumbnail on the ``io`` lane;
copying it into the profile and every change of the draft's images (:class:`DraftMedia`) on the
``db`` lane, in order, so positions in the database always match the tiles. A result for a draft
that is no longer open is still saved to that draft, but not shown.

Why the composer keeps the list: the live policy check needs the alt texts on every change (the
``alt_text`` rule), and publishing hands the same images to the publishing service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QImageReader, QImageWriter, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import media
from desktop.core.drafts.media import DraftMedia
from desktop.core.media import MAX_ATTACHMENTS, Attachment, MediaError
from desktop.core.networks import DISPLAY_NAMES
from desktop.core.networks.media import MediaLimits
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import set_text_colour, status_color

log = logging.getLogger(__name__)

THUMB = 56  # pixels, the longer side of a thumbnail
TILE_MIN_WIDTH, TILE_MAX_WIDTH = 200, 300
MAX_ALT_LENGTH = 1500  # Mastodon's limit for a description (MediaAttachment), the smallest of the networks
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp *.tif *.tiff);;All files (*)"
ALT_SAVE_DELAY_MS = 400  # typing in an alt-text field is saved and checked this long after the last key


@dataclass(frozen=True)
class ImageSource:
    """Something offered as an image: a file (drop, file dialog, a copied file) or image data (a paste)."""

    name: str
    path: Path | None = None
    image: QImage | None = None


def sources_in(mime: QMimeData) -> list[ImageSource]:
    """The images *mime* offers: local files (each one, image or not: a file that is not an image is
    refused with its name) or else image data. Empty when it is text for the editor."""
    if mime.hasUrls():
        files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if files:
            return [ImageSource(path.name, path=path) for path in files]
    if mime.hasImage():
        image = QImage(mime.imageData())
        if not image.isNull():
            return [ImageSource("Pasted image.png", image=image)]
    return []


def _offers_images(mime: QMimeData) -> bool:
    """Cheap (called on every drag move): whether :func:`sources_in` would find anything."""
    return mime.hasImage() or (mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()))


class PostEditor(QPlainTextEdit):
    """The post's text. Dropped or pasted images go to :attr:`images_offered`, never into the text."""

    images_offered = Signal(list)  # list[ImageSource]

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 - Qt override
        return _offers_images(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        found = sources_in(source)
        if found:
            self.images_offered.emit(found)
            return
        super().insertFromMimeData(source)


@dataclass(frozen=True)
class Prepared:
    """A source read and checked on a worker: the attachment (bytes in memory), what preparing it for
    the strictest chosen network did, and its thumbnail."""

    attachment: Attachment
    note: str
    thumbnail: QImage


def thumbnail(data: bytes, size: int = THUMB) -> QImage:
    """A small upright picture of *data* (EXIF orientation applied), decoded at a reduced size where
    the format allows it. Thread-safe (QImage): made on a worker."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and max(full.width(), full.height()) > size * 4:
        reader.setScaledSize(full.scaled(QSize(size * 2, size * 2), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return QImage()
    return image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def _png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    QImageWriter(buffer, QByteArray(b"PNG")).write(image)
    return bytes(buffer.data().data())


def read_source(source: ImageSource, networks: Sequence[str]) -> Prepared:
    """Read *source*, check it is an image Chorus can use and prepare it for the strictest of
    *networks* (for the note: what will be removed and resized). Blocking: call on a worker.
    MediaError with a sentence naming the file when it cannot be used."""
    if source.path is not None:
        if source.path.is_dir():
            raise MediaError(f"{source.name} is a folder, not an image.", "Attach the image files inside it.")
        attachment = Attachment.from_path(source.path)
    else:
        assert source.image is not None
        attachment = Attachment.from_bytes(_png_bytes(source.image), name=source.name)
    note = ""
    strictest = _strictest(networks)
    if strictest is not None:
        network, limits = strictest
        prepared = media.prepare(attachment, limits)
        note = prepared.note()
        if (prepared.resized or prepared.recompressed) and note.endswith("."):
            note = f"{note[:-1]} for {DISPLAY_NAMES.get(network, network)}."  # the strictest chosen network
    return Prepared(attachment, note, thumbnail(attachment.read()))


def _strictest(networks: Sequence[str]) -> tuple[str, MediaLimits] | None:
    from desktop.core import networks as registry

    found = [(network.id, network.capabilities.media) for network in map(registry.find, networks)
             if network is not None and network.capabilities.media is not None]
    if not found:  # no network chosen takes images: prepare for the strictest of those that do
        found = [(network.id, network.capabilities.media) for network in registry.REGISTRY
                 if network.capabilities.media is not None]
    return min(found, key=lambda item: item[1].max_bytes) if found else None


class _ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it is narrower than its text (the whole text stays in
    :meth:`text`, the tooltip and the accessible name)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class AttachmentTile(QFrame):
    """One attached image: thumbnail, name, alt-text field, ALT badge or warning, move and remove."""

    alt_edited = Signal(object, str)  # tile, alt text (while typing)
    alt_confirmed = Signal(object, str)  # tile, alt text (Enter, or the field lost focus)
    move_requested = Signal(object, int)  # tile, -1 (left) or +1 (right)
    remove_requested = Signal(object)

    def __init__(self, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self.setObjectName("attachment-tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(TILE_MIN_WIDTH)  # narrower windows scroll the strip sideways
        self.setMaximumWidth(TILE_MAX_WIDTH)
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setText("…")
        self.name = _ElidedLabel(self)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.badge = QLabel(self)
        self.badge.setObjectName("alt-badge")
        self.alt = QLineEdit(self)
        self.alt.setMaxLength(MAX_ALT_LENGTH)
        self.alt.setPlaceholderText("Describe the image (alt text)")
        self.alt.setText(attachment.alt)
        self.alt.setCursorPosition(0)
        self.left = self._button("◀", "Move left (Alt+Left)")
        self.right = self._button("▶", "Move right (Alt+Right)")
        self.remove = self._button("✕", "Remove from the post (Alt+Delete)")
        self.left.clicked.connect(lambda: self.move_requested.emit(self, -1))
        self.right.clicked.connect(lambda: self.move_requested.emit(self, 1))
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.alt.textEdited.connect(lambda text: self.alt_edited.emit(self, text))
        self.alt.editingFinished.connect(lambda: self.alt_confirmed.emit(self, self.alt.text()))
        self.badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # never cut; the name gives way
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.badge)
        top.addWidget(self.name, 1)
        column = QVBoxLayout()
        column.setSpacing(3)
        column.addLayout(top)
        column.addWidget(self.alt)
        buttons = QVBoxLayout()  # a narrow column at the right: the tile stays narrow enough for four
        buttons.setSpacing(0)
        for button in (self.left, self.right, self.remove):
            buttons.addWidget(button)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 2, 2)
        row.setSpacing(6)
        row.addWidget(self.thumb)
        row.addLayout(column, 1)
        row.addLayout(buttons)
        self.setFocusProxy(self.alt)
        self.set_position(0, 1)
        self.show_alt_state()

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setFixedSize(22, 20)
        return button

    @property
    def alt_text(self) -> str:
        return self.alt.text()

    def set_thumbnail(self, image: QImage) -> None:
        if image.isNull():
            self.thumb.setText("?")
            return
        self.thumb.setPixmap(QPixmap.fromImage(image))

    def set_position(self, index: int, count: int) -> None:
        """Names and enables the controls for image *index* (0-based) of *count*."""
        number = f"image {index + 1} of {count}"
        label = self.attachment.label
        self.name.setText(label)
        self.name.setToolTip(f"{label} ({self.attachment.width} × {self.attachment.height})")
        self.setAccessibleName(f"Attached {number}: {label}")
        self.alt.setAccessibleName(f"Alt text for {number}")
        self.left.setAccessibleName(f"Move {number} left")
        self.right.setAccessibleName(f"Move {number} right")
        self.remove.setAccessibleName(f"Remove {number}")
        self.thumb.setAccessibleName(f"Thumbnail of {label}")
        self.left.setEnabled(index > 0)
        self.right.setEnabled(index < count - 1)

    def show_alt_state(self) -> None:
        """The "ALT" badge when the image is described, a warning when it is not."""
        described = bool(self.alt.text().strip())
        palette = self.palette()
        if described:
            colour = status_color(palette, "ok")
            self.badge.setText("ALT")
            self.badge.setToolTip("This image has alt text.")
            self.badge.setStyleSheet(f"QLabel {{ border: 1px solid {colour.name()}; border-radius: 3px; "
                                     f"padding: 0 3px; font-weight: bold; font-size: 8pt; }}")
        else:
            colour = status_color(palette, "warn")
            self.badge.setText("⚠ No alt text")
            self.badge.setToolTip("Describe what the image shows for people who cannot see it: "
                                  "the policy asks for alt text on every image.")
            self.badge.setStyleSheet("QLabel { font-weight: bold; }")
        set_text_colour(self.badge, colour)
        self.badge.setAccessibleName("Alt text set" if described else "No alt text")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() == Qt.KeyboardModifier.AltModifier:
            if event.key() == Qt.Key.Key_Left:
                self.move_requested.emit(self, -1)
                return
            if event.key() == Qt.Key.Key_Right:
                self.move_requested.emit(self, 1)
                return
            if event.key() == Qt.Key.Key_Delete:
                self.remove_requested.emit(self)
                return
        super().keyPressEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "badge"):
            self.show_alt_state()


class AttachmentsStrip(QWidget):
    """The open draft's images, under the editor. Emits :attr:`changed` when the images or their alt
    texts change (the composer checks the post again) and shows what happened in :attr:`message`."""

    changed = Signal()
    loaded = Signal()  # the open draft's images are shown (after set_draft)
    attached = Signal(int)  # how many images a drop, paste or dialog added
    file_dialog_opened = Signal(object)  # the QFileDialog, open (tests drive it)

    def __init__(self, runner: TaskRunner, store: DraftMedia | None, networks: Callable[[], Sequence[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store = store
        self._networks = networks
        self._draft_id: str | None = None
        self._generation = 0
        self._pending = 0  # images being read or saved for the open draft
        self.loading = False
        self.tiles: list[AttachmentTile] = []
        self.file_dialog: QFileDialog | None = None
        self.last_folder = str(Path.home())
        self.add_button = QPushButton("Add image…", self)
        self.add_button.setObjectName("add-image")
        self.add_button.setToolTip(f"Attach up to {MAX_ATTACHMENTS} images (you can also drop or paste them "
                                   "on the text)")
        self.add_button.clicked.connect(self.open_file_dialog)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Attached images")
        # a hint that wraps instead of widening the window (it would set a 640-pixel window's minimum)
        self.count_label.setWordWrap(True)
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.count_label.setMinimumWidth(60)
        self.message = QLabel(self)
        self.message.setObjectName("attach-message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Images notice")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.row.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(self.row)
        self.tiles_area = QScrollArea(self)
        self.tiles_area.setWidget(holder)
        self.tiles_area.setWidgetResizable(True)
        self.tiles_area.setFrameShape(QFrame.Shape.NoFrame)
        self.tiles_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tiles_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tiles_area.hide()
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.add_button)
        header.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 2)
        layout.setSpacing(4)
        layout.addWidget(self.tiles_area)
        layout.addLayout(header)
        layout.addWidget(self.message)
        self._alt_timer = QTimer(self)
        self._alt_timer.setSingleShot(True)
        self._alt_timer.setInterval(ALT_SAVE_DELAY_MS)
        self._alt_timer.timeout.connect(self._save_alts)
        self._unsaved_alts: set[int] = set()  # ids of tiles whose alt text is not saved yet
        self.setEnabled(store is not None)
        self._update_count()

    # -- what the composer asks ------------------------------------------------------------------
    def images(self) -> list[Attachment]:
        """The open draft's images in order, each with the alt text as shown."""
        return [tile.attachment.with_alt(tile.alt_text) for tile in self.tiles]

    def alt_texts(self) -> tuple[str, ...]:
        return tuple(tile.alt_text for tile in self.tiles)

    @property
    def busy(self) -> bool:
        """Images are being loaded or attached: publishing waits."""
        return self.loading or self._pending > 0

    def set_draft(self, draft_id: str | None) -> None:
        """Show *draft_id*'s images (read on the db lane, thumbnails on the io lane)."""
        self._save_alts()
        self._generation += 1
        generation = self._generation
        self._draft_id = draft_id
        self._pending = 0
        had_images = bool(self.tiles)
        self._clear_tiles()
        self.show_message("")
        self.add_button.setEnabled(draft_id is not None)
        store = self._store
        if draft_id is None or store is None:
            self.loading = False
            self._update_count()
            if had_images:
                self.changed.emit()
            self.loaded.emit()
            return
        self.loading = True

        def read() -> list[tuple[Attachment, QImage]]:
            found = store.list(draft_id)
            shown = []
            for attachment in found:
                try:
                    image = thumbnail(attachment.read())
                except MediaError as exc:  # the copy is gone: still listed, so the person can remove it
                    log.warning("draft image missing: %s", exc)
                    image = QImage()
                shown.append((attachment, image))
            return shown

        def show(found: list[tuple[Attachment, QImage]]) -> None:
            if generation != self._generation:
                return
            self.loading = False
            for attachment, image in found:
                self._add_tile(attachment, image)
            self._renumber()
            if found or had_images:  # the alt texts to check changed
                self.changed.emit()
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.loading = False
            self.show_message(f"Chorus could not read this draft's images: {exc}", error=True)
            self.changed.emit()
            self.loaded.emit()

        self._runner.run(read, on_success=show, on_failure=failed, owner=self, lane="db")

    # -- attaching ---------------------------------------------------------------------------------
    def open_file_dialog(self) -> QFileDialog | None:
        """"Add image…": a file dialog for one or more images (opened window-modal, not blocking)."""
        if self._draft_id is None:
            return None
        dialog = QFileDialog(self.window(), "Add images to the post", self.last_folder, IMAGE_FILTER)
        dialog.setObjectName("add-image-dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self._files_chosen)
        self.file_dialog = dialog
        dialog.open()
        self.file_dialog_opened.emit(dialog)
        return dialog

    def _files_chosen(self, files: list[str]) -> None:
        if files:
            self.last_folder = str(Path(files[0]).parent)
        self.add_sources([ImageSource(Path(f).name, path=Path(f)) for f in files])

    def add_sources(self, sources: Sequence[ImageSource]) -> None:
        """Attach *sources* (a drop, a paste, the dialog) to the open draft, in order, up to 4 images
        in all; the rest are refused with their names. Nothing is attached to no draft."""
        draft_id, store = self._draft_id, self._store
        if draft_id is None or store is None or not sources:
            return
        room = MAX_ATTACHMENTS - len(self.tiles) - self._pending
        taken, refused = list(sources[:max(0, room)]), list(sources[max(0, room):])
        problems = []
        if refused:
            names = _names([source.name for source in refused])
            problems.append(f"A post carries at most {MAX_ATTACHMENTS} images: {names} "
                            f"{'was' if len(refused) == 1 else 'were'} not attached. Remove an image to make room.")
        if not taken:
            self.show_message(" ".join(problems), error=True)
            self.attached.emit(0)
            return
        generation = self._generation
        self._pending += len(taken)
        networks = tuple(self._networks())

        def read() -> list[Prepared | MediaError]:
            results: list[Prepared | MediaError] = []
            for source in taken:
                try:
                    results.append(read_source(source, networks))
                except MediaError as exc:
                    results.append(exc)
                except Exception as exc:  # noqa: BLE001 - anything else still names the file
                    log.exception("reading %s failed", source.name)
                    results.append(MediaError(f"Chorus could not read {source.name} ({type(exc).__name__}: {exc})."))
            return results

        def save(results: list[Prepared | MediaError]) -> None:
            """On the GUI thread: hand the readable ones to the db lane, in order."""
            ok = [r for r in results if isinstance(r, Prepared)]
            errors = [_sentence(r) for r in results if isinstance(r, MediaError)]

            def write() -> list[Prepared | MediaError]:
                written: list[Prepared | MediaError] = []
                for prepared in ok:
                    try:
                        kept = store.attach(draft_id, prepared.attachment)
                        written.append(Prepared(kept, prepared.note, prepared.thumbnail))
                    except MediaError as exc:
                        written.append(MediaError(f"{prepared.attachment.label} was not attached: {exc}",
                                                  exc.advice))
                return written

            def saved(written: list[Prepared | MediaError]) -> None:
                if generation != self._generation:
                    return  # saved to the draft it was dropped on, which is no longer open
                self._pending -= len(taken)
                added = [w for w in written if isinstance(w, Prepared)]
                for prepared in added:
                    self._add_tile(prepared.attachment, prepared.thumbnail)
                self._renumber()
                notes = [f"{p.attachment.label} attached." + (f" {p.note}" if p.note else "") for p in added]
                failures = problems + errors + [_sentence(w) for w in written if isinstance(w, MediaError)]
                self.show_message(" ".join(failures + notes), error=bool(failures))
                if added:
                    self.changed.emit()
                self.attached.emit(len(added))

            def not_saved(exc: BaseException) -> None:
                if generation != self._generation:
                    return
                self._pending -= len(taken)
                self.show_message(f"Chorus could not keep the images with the draft: {exc}", error=True)
                self.attached.emit(0)

            if not ok:
                if generation == self._generation:
                    self._pending -= len(taken)
                    self.show_message(" ".join(problems + errors), error=True)
                    self.attached.emit(0)
                return
            self._runner.run(write, on_success=saved, on_failure=not_saved, owner=self, lane="db")

        def unreadable(exc: BaseException) -> None:
            if generation == self._generation:
                self._pending -= len(taken)
                self.show_message(f"Chorus could not read the images: {exc}", error=True)
                self.attached.emit(0)

        self._update_count(reading=True)
        self._runner.run(read, on_success=save, on_failure=unreadable, owner=self, lane="io")

    # -- editing -----------------------------------------------------------------------------------
    def set_alt(self, index: int, alt: str) -> None:
        """Set image *index*'s alt text (as if typed and confirmed)."""
        tile = self.tiles[index]
        tile.alt.setText(alt)
        self._alt_confirmed(tile, alt)

    def remove(self, index: int) -> None:
        draft_id, store = self._draft_id, self._store
        if draft_id is None or store is None or not 0 <= index < len(self.tiles):
            return
        self._save_alts()
        tile = self.tiles.pop(index)
        focused = QApplication.focusWidget()
        had_focus = focused is not None and (focused is tile or tile.isAncestorOf(focused))
        label = tile.attachment.label
        tile.hide()
        tile.deleteLater()
        self._runner.run(lambda: store.remove(draft_id, index), owner=self, lane="db",
                         on_failure=lambda exc: self.show_message(f"Chorus could not remove {label}: {exc}",
                                                                  error=True))
        self._renumber()
        self.show_message(f"{label} removed from the post.")
        if had_focus:  # the keyboard stays in the strip: on the next image, or on "Add image…"
            target = self.tiles[min(index, len(self.tiles) - 1)].alt if self.tiles else self.add_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def move_image(self, index: int, target: int) -> None:
        """Move image *index* to *target* (0-based; the others keep their order)."""
        draft_id, store = self._draft_id, self._store
        if draft_id is None or store is None or not 0 <= index < len(self.tiles):
            return
        target = max(0, min(target, len(self.tiles) - 1))
        if target == index:
            return
        self._save_alts()
        tile = self.tiles.pop(index)
        self.tiles.insert(target, tile)
        self.row.removeWidget(tile)
        self.row.insertWidget(target, tile)
        self._runner.run(lambda: store.move(draft_id, index, target), owner=self, lane="db",
                         on_failure=lambda exc: self.show_message(f"Chorus could not reorder the images: {exc}",
                                                                  error=True))
        focused = QApplication.focusWidget()
        had_focus = focused is not None and (focused is tile or tile.isAncestorOf(focused))
        self._renumber()
        if had_focus and focused is not tile.alt:  # keep moving with the same key: the button that way, else the other
            ahead, behind = (tile.right, tile.left) if target > index else (tile.left, tile.right)
            (ahead if ahead.isEnabled() else behind).setFocus(Qt.FocusReason.OtherFocusReason)
        self.tiles_area.ensureWidgetVisible(tile)
        self.changed.emit()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """One line under the strip: what Chorus did, or why something was not attached ("" hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._message_error = error
        self._paint_message()

    # -- internals -----------------------------------------------------------------------------------
    def _paint_message(self) -> None:
        palette = self.palette()
        error = getattr(self, "_message_error", False)
        colour = status_color(palette, "block") if error else palette.color(QPalette.ColorRole.WindowText)
        set_text_colour(self.message, colour)

    def _add_tile(self, attachment: Attachment, image: QImage) -> None:
        tile = AttachmentTile(attachment, self)
        tile.set_thumbnail(image)
        tile.alt_edited.connect(self._alt_edited)
        tile.alt_confirmed.connect(self._alt_confirmed)
        tile.move_requested.connect(lambda t, step: self.move_image(self.tiles.index(t), self.tiles.index(t) + step)
                                    if t in self.tiles else None)
        tile.remove_requested.connect(lambda t: self.remove(self.tiles.index(t)) if t in self.tiles else None)
        self.row.insertWidget(len(self.tiles), tile)
        self.tiles.append(tile)

    def _clear_tiles(self) -> None:
        self._unsaved_alts.clear()
        for tile in self.tiles:
            self.row.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        self._renumber()

    def _renumber(self) -> None:
        for index, tile in enumerate(self.tiles):
            tile.set_position(index, len(self.tiles))
        self.tiles_area.setVisible(bool(self.tiles))
        if self.tiles:
            self.tiles_area.setFixedHeight(self.tiles[0].sizeHint().height() + self.tiles_area.horizontalScrollBar()
                                       .sizeHint().height() + 2)
        self._update_count()

    def _update_count(self, reading: bool = False) -> None:
        count = len(self.tiles)
        full = count + self._pending >= MAX_ATTACHMENTS
        self.add_button.setEnabled(self._draft_id is not None and not full)
        missing = sum(1 for tile in self.tiles if not tile.alt_text.strip())
        if reading or self._pending:
            text = "Reading the image…" if self._pending <= 1 else f"Reading {self._pending} images…"
        elif not count:
            text = "or drop or paste images on the text"
        else:
            text = f"{count} of {MAX_ATTACHMENTS} images"
            if missing:
                text += f" · {missing} without alt text"
        self.count_label.setText(text)
        set_text_colour(self.count_label, self.palette().color(QPalette.ColorRole.PlaceholderText))
        self.add_button.setToolTip(f"A post carries at most {MAX_ATTACHMENTS} images: remove one to add another."
                                   if full and self._draft_id else
                                   f"Attach up to {MAX_ATTACHMENTS} images (you can also drop or paste them on "
                                   "the text)")

    def _alt_edited(self, tile: AttachmentTile, _alt: str) -> None:
        tile.show_alt_state()
        self._unsaved_alts.add(id(tile))
        self._alt_timer.start()
        self._update_count()

    def _alt_confirmed(self, tile: AttachmentTile, _alt: str) -> None:
        tile.show_alt_state()
        self._unsaved_alts.add(id(tile))
        self._save_alts()

    def _save_alts(self) -> None:
        """Save the alt texts typed since the last save (db lane) and let the composer check again."""
        self._alt_timer.stop()
        if not self._unsaved_alts:
            return
        draft_id, store = self._draft_id, self._store
        changed = [(index, tile) for index, tile in enumerate(self.tiles) if id(tile) in self._unsaved_alts]
        self._unsaved_alts.clear()
        if draft_id is None or store is None:
            return
        saved = False
        for index, tile in changed:
            alt = tile.alt_text
            if alt == tile.attachment.alt:
                continue
            tile.attachment = tile.attachment.with_alt(alt)
            saved = True
            self._runner.run(partial(store.set_alt, draft_id, index, alt), owner=self, lane="db",
                             on_failure=lambda exc: self.show_message(f"Chorus could not save the alt text: {exc}",
                                                                      error=True))
        self._update_count()
        if saved:
            self.changed.emit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "tiles"):
            self._paint_message()
            self._update_count()


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(exc: MediaError) -> str:
    advice = getattr(exc, "advice", "")
    message = str(exc.args[0]) if exc.args else str(exc)
    return f"{message} {advice}".strip()
