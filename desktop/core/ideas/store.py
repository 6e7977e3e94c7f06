"""The Ideas' memory, in the profile's drafts database (migration 9, desktop.core.drafts.migrations).

``idea_feeds``   one row per feed: its title, validators (``ETag``, ``Last-Modified``), when its items
                 last came in (``fetched_at``) and its last failure (``error``, ``error_at``; "" when fine)
``idea_items``   each feed's last good items (so the panel works offline; a failed refresh keeps them)
``idea_marks``   the ideas read and dismissed, by idea key (feeds and local notes alike)
``draft_ideas``  which ideas a draft was written from ("Write about this"), with a copy of their
                 suggested copy and summary: :func:`written_from` gives them to the authenticity check

Writes go through the drafts store's one connection and lock (:meth:`DraftStore.transaction`); the UI
calls this on the ``db`` lane (reads) and the ``io`` lane (a refresh, which writes when it is done).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.ideas.feeds import FeedItem, ParsedFeed
from desktop.core.ideas.model import FEED, Idea

if TYPE_CHECKING:
    from desktop.core.drafts.store import DraftStore


@dataclass(frozen=True)
class FeedState:
    source: str
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: float | None = None
    error: str = ""
    error_at: float | None = None


@dataclass(frozen=True)
class DraftIdea:
    """An idea a draft was written from, as it was when "Write about this" was chosen."""

    idea_key: str
    source_title: str
    title: str
    link: str
    summary: str
    suggested: str

    @property
    def reference_text(self) -> str:
        """What the draft should not copy: the suggested copy, else the item's own summary."""
        return self.suggested or self.summary


@dataclass(frozen=True)
class SourceText:
    """One text a draft must not copy nearly verbatim, and where it came from (for the tip)."""

    source: str
    text: str


class IdeaStore:
    def __init__(self, store: DraftStore, clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self.clock = clock or time.time

    # -- feeds ---------------------------------------------------------------------------------------
    def feed_state(self, source: str) -> FeedState:
        with self.store.reading() as db:
            row = db.execute("SELECT title, etag, last_modified, fetched_at, error, error_at FROM idea_feeds "
                             "WHERE source = ?", (source,)).fetchone()
        return FeedState(source, *row) if row else FeedState(source)

    def save_feed(self, source: str, feed: ParsedFeed, etag: str | None, last_modified: str | None) -> None:
        """Replace the feed's kept items with *feed*'s (a good download), clearing its failure."""
        now = self.clock()
        with self.store.transaction() as db:
            self._upsert(db, source)
            db.execute("UPDATE idea_feeds SET title = ?, etag = ?, last_modified = ?, fetched_at = ?, error = '', "
                       "error_at = NULL WHERE source = ?", (feed.title, etag, last_modified, now, source))
            db.execute("DELETE FROM idea_items WHERE source = ?", (source,))
            db.executemany(
                "INSERT OR IGNORE INTO idea_items (source, item_id, title, link, published, summary, suggested, "
                "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(source, item.item_id, item.title, item.link, item.published, item.summary, item.suggested, position)
                 for position, item in enumerate(feed.items)])

    def not_modified(self, source: str, etag: str | None, last_modified: str | None) -> None:
        """A 304: the kept items are current (nothing is parsed or rewritten)."""
        now = self.clock()
        with self.store.transaction() as db:
            self._upsert(db, source)
            db.execute("UPDATE idea_feeds SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                       "fetched_at = ?, error = '', error_at = NULL WHERE source = ?",
                       (etag, last_modified, now, source))

    def feed_failed(self, source: str, message: str) -> None:
        """Remember why the last refresh failed; the kept items stay as they were."""
        with self.store.transaction() as db:
            self._upsert(db, source)
            db.execute("UPDATE idea_feeds SET error = ?, error_at = ? WHERE source = ?", (message, self.clock(), source))

    @staticmethod
    def _upsert(db: sqlite3.Connection, source: str) -> None:
        db.execute("INSERT OR IGNORE INTO idea_feeds (source) VALUES (?)", (source,))

    def cached_ideas(self, sources: Iterable[str]) -> list[Idea]:
        """The kept items of *sources*, with their read and dismissed marks."""
        wanted = list(dict.fromkeys(sources))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT i.source, f.title, i.item_id, i.title, i.link, i.published, i.summary, i.suggested, "
                "m.read_at IS NOT NULL, m.dismissed_at IS NOT NULL FROM idea_items i "
                "JOIN idea_feeds f ON f.source = i.source "
                "LEFT JOIN idea_marks m ON m.idea_key = i.source || '#' || i.item_id "
                f"WHERE i.source IN ({marks}) ORDER BY i.source, i.position", wanted).fetchall()
        return [Idea(source, FEED, title or source, item_id, item_title, link, published, summary, suggested,
                     bool(read), bool(dismissed))
                for source, title, item_id, item_title, link, published, summary, suggested, read, dismissed in rows]

    def cached_items(self, source: str) -> list[FeedItem]:
        with self.store.reading() as db:
            rows = db.execute("SELECT item_id, title, link, published, summary, suggested FROM idea_items "
                              "WHERE source = ? ORDER BY position", (source,)).fetchall()
        return [FeedItem(*row) for row in rows]

    # -- read and dismissed --------------------------------------------------------------------------
    def mark_read(self, keys: Sequence[str]) -> None:
        now = self.clock()
        with self.store.transaction() as db:
            db.executemany("INSERT INTO idea_marks (idea_key, read_at) VALUES (?, ?) ON CONFLICT(idea_key) DO "
                           "UPDATE SET read_at = COALESCE(read_at, excluded.read_at)", [(key, now) for key in keys])

    def dismiss(self, key: str) -> None:
        now = self.clock()
        with self.store.transaction() as db:
            db.execute("INSERT INTO idea_marks (idea_key, read_at, dismissed_at) VALUES (?, ?, ?) ON CONFLICT(idea_key) "
                       "DO UPDATE SET dismissed_at = excluded.dismissed_at, read_at = COALESCE(read_at, excluded.read_at)",
                       (key, now, now))

    def marks(self, keys: Iterable[str]) -> dict[str, tuple[bool, bool]]:
        """(read, dismissed) of each of *keys* that has a mark."""
        wanted = list(keys)
        found: dict[str, tuple[bool, bool]] = {}
        with self.store.reading() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = db.execute(f"SELECT idea_key, read_at IS NOT NULL, dismissed_at IS NOT NULL FROM idea_marks "
                                  f"WHERE idea_key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                found.update({key: (bool(read), bool(dismissed)) for key, read, dismissed in rows})
        return found

    # -- which ideas a draft was written from ------------------------------------------------------------
    def record_draft(self, draft_id: str, idea: Idea) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO draft_ideas (draft_id, idea_key, source_title, title, link, summary, "
                       "suggested, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (draft_id, idea.key, idea.source_title, idea.title, idea.link, idea.summary, idea.suggested,
                        self.clock()))

    def draft_ideas(self, draft_id: str) -> list[DraftIdea]:
        with self.store.reading() as db:
            rows = db.execute("SELECT idea_key, source_title, title, link, summary, suggested FROM draft_ideas "
                              "WHERE draft_id = ? ORDER BY created_at", (draft_id,)).fetchall()
        return [DraftIdea(*row) for row in rows]


def written_from(store: DraftStore, draft_id: str) -> list[SourceText]:
    """The texts of the ideas draft *draft_id* was written from ("Write about this"): each idea's
    suggested copy, else its summary, with the source's title. Empty for a draft not written from an
    idea. For the authenticity check (a draft copying one of these nearly verbatim gets its tip);
    any thread may call it."""
    return [SourceText(idea.source_title, idea.reference_text)
            for idea in IdeaStore(store).draft_ideas(draft_id) if idea.reference_text.strip()]
