"""Images attached to drafts: rows in the drafts database (``draft_media``), bytes copied into the profile.

    media = DraftMedia(store)                        # the media folder sits beside drafts.db
    attachment = media.attach(draft.id, Attachment.from_path(path))   # copied now; returns it with .path set
    media.set_alt(draft.id, 0, "Bar chart: sign-ups doubled")
    media.list(draft.id)                             # [Attachment(path=<profile>/media/<sha256>, alt=...)]
    media.remove(draft.id, 0); media.move(draft.id, 2, 0)

Why copies: a draft must keep its screenshot when the original is moved, renamed or deleted, and
Chorus must never publish a file that changed on disk after it was attached. Files are named by their
SHA-256 (the same image attached twice is stored once), written atomically with owner-only
permissions before the row that points at them is committed; a file no row uses any more is removed
by :meth:`DraftMedia.sweep` (the bin's purge, start-up). Blocking file and database work: the UI calls
these on its "db" lane. Alt text is part of the draft, kept with the image it describes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from desktop.core.atomic import write_atomic
from desktop.core.drafts.store import DraftStore
from desktop.core.media import MAX_ATTACHMENTS, Attachment, MediaError

log = logging.getLogger(__name__)

FOLDER = "media"
_PARKED = 1000  # positions while re-ordering (above any real one: a draft has at most 4 images)


class DraftMedia:
    def __init__(self, store: DraftStore, folder: Path | None = None) -> None:
        self.store = store
        self.folder = folder or store.path.parent / FOLDER

    def list(self, draft_id: str) -> list[Attachment]:
        """The draft's images in order, each pointing at its copy in the profile."""
        with self.store.reading() as db:
            rows = db.execute("SELECT sha256, mime, width, height, alt, name FROM draft_media WHERE draft_id = ? "
                              "ORDER BY position", (draft_id,)).fetchall()
        return [Attachment(mime, width, height, alt=alt, path=self.folder / sha, name=name, sha256=sha)
                for sha, mime, width, height, alt, name in rows]

    def attach(self, draft_id: str, attachment: Attachment) -> Attachment:
        """Copy *attachment*'s bytes into the profile and add it after the draft's other images."""
        data = attachment.read()
        copy = Attachment(attachment.mime, attachment.width, attachment.height, alt=attachment.alt, data=data,
                          name=attachment.name)
        target = self.folder / copy.sha256
        if not target.exists():
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                write_atomic(target, data)
            except OSError as exc:
                raise MediaError(f"Chorus could not keep a copy of {attachment.label} in {self.folder} "
                                 f"({exc.strerror or exc}).", "Free some disk space, then attach it again.") from None
        with self.store.transaction() as db:
            count = db.execute("SELECT COUNT(*) FROM draft_media WHERE draft_id = ?", (draft_id,)).fetchone()[0]
            if count >= MAX_ATTACHMENTS:
                raise MediaError(f"A post carries at most {MAX_ATTACHMENTS} images.",
                                 "Remove one before attaching another.")
            db.execute("INSERT INTO draft_media (draft_id, position, sha256, mime, width, height, alt, name, added_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (draft_id, count, copy.sha256, copy.mime, copy.width, copy.height, copy.alt, copy.name,
                        self.store.clock()))
        return Attachment(copy.mime, copy.width, copy.height, alt=copy.alt, path=target, name=copy.name,
                          sha256=copy.sha256)

    def set_alt(self, draft_id: str, position: int, alt: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE draft_media SET alt = ? WHERE draft_id = ? AND position = ?", (alt, draft_id, position))

    def remove(self, draft_id: str, position: int) -> None:
        """Take the image at *position* off the draft; the ones after it move up. Its file stays until
        :meth:`sweep` (an undo can still put it back)."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM draft_media WHERE draft_id = ? AND position = ?", (draft_id, position))
            self._renumber(db, draft_id)

    def move(self, draft_id: str, source: int, target: int) -> None:
        """Move the image at *source* to *target* (the others keep their order)."""
        with self.store.transaction() as db:
            rows = db.execute("SELECT position FROM draft_media WHERE draft_id = ? ORDER BY position",
                              (draft_id,)).fetchall()
            order = [r[0] for r in rows]
            if source not in order:
                return
            order.remove(source)
            order.insert(max(0, min(target, len(order))), source)
            # two steps: positions are a primary key, so first out of the way, then into place
            for new, old in enumerate(order):
                db.execute("UPDATE draft_media SET position = ? WHERE draft_id = ? AND position = ?",
                           (_PARKED + new, draft_id, old))
            db.execute("UPDATE draft_media SET position = position - ? WHERE draft_id = ?", (_PARKED, draft_id))

    def sweep(self) -> int:
        """Remove copied files no draft uses any more (drafts purged from the bin, images removed).
        Returns how many were removed."""
        if not self.folder.is_dir():
            return 0
        with self.store.reading() as db:
            used = {row[0] for row in db.execute("SELECT DISTINCT sha256 FROM draft_media")}
        removed = 0
        for path in self.folder.iterdir():
            if path.is_file() and path.name not in used and len(path.name) == 64:
                try:
                    os.remove(path)
                    removed += 1
                except OSError as exc:
                    log.warning("could not remove the unused image copy %s: %s", path.name, exc)
        return removed

    @staticmethod
    def _renumber(db: sqlite3.Connection, draft_id: str) -> None:
        rows = db.execute("SELECT position FROM draft_media WHERE draft_id = ? ORDER BY position",
                          (draft_id,)).fetchall()
        for new, (old,) in enumerate(rows):
            if new != old:
                db.execute("UPDATE draft_media SET position = ? WHERE draft_id = ? AND position = ?",
                           (new, draft_id, old))
