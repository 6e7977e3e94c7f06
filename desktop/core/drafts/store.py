"""The drafts database: SQLite in WAL mode, versioned, backed up before migrating, never overwritten.

Opening rules:
- a database newer than this code is refused (:class:`DatabaseTooNewError`), never touched;
- before a migration the file is copied to ``drafts.db.bak-v<old>``;
- only real damage counts as corruption: SQLite saying ``SQLITE_CORRUPT`` or ``SQLITE_NOTADB``
  (confirmed by ``PRAGMA quick_check`` on a second connection), or ``quick_check`` failing. Such a
  file is moved aside to ``drafts.db.corrupt-<time>`` (with its -wal/-shm), every row that can
  still be read from every table is copied into a fresh database, and :attr:`DraftStore.notices`
  says what happened. If the fresh database cannot be made (disk full, a file-size limit), the
  original is put back and the error raised: drafts are never left hidden behind an empty file;
- everything else is trouble, not damage, and nothing is moved: a database held by another
  process (after the busy timeout), a read-only file or folder, a full disk, an I/O error, a file
  that cannot be opened. Each raises its own :class:`StorageError` subclass whose message names
  the file and says what to do. Whether the database can be written is checked at opening, not
  at the first autosave;
- files moved aside earlier are listed by :meth:`DraftStore.moved_aside`; while one holds drafts
  the current database lacks, every start says so (:attr:`DraftStore.notices`), and
  :func:`desktop.core.drafts.recovery.restore_moved_aside` brings one back.

Every method is safe to call from any thread (one connection behind a lock); the UI calls them
from its single database worker so the GUI thread never waits on the disk. The same file also
holds accounts, publish history and the outbox (:mod:`desktop.core.accounts.store`), which use
this store's connection and lock through :meth:`DraftStore.transaction` and :meth:`DraftStore.reading`.

How opening tells damage from trouble is in :mod:`desktop.core.drafts.opening`; moving files aside,
salvaging their rows and listing them in :mod:`desktop.core.drafts.salvage`.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from desktop.core.audit import chain as audit_chain
from desktop.core.audit import events as audit_events
from desktop.core.drafts.acknowledgements import ACKNOWLEDGED, Acknowledgement

# Draft, opening and the files moved aside have their own modules; the names other code imported
# from here stay importable (desktop.bootstrap reads BUSY_TIMEOUT_S).
from desktop.core.drafts.model import TITLE_LENGTH, Draft, fold  # noqa: F401
from desktop.core.drafts.opening import (
    BUSY_TIMEOUT_S,
    Damaged,
    check_integrity,
    check_writable,
    close_quietly,
    connect,
    is_damage,
    migrate,
    prepare_folder,
    trouble,
)
from desktop.core.drafts.salvage import (  # noqa: F401
    CORRUPT_INFIX,
    REPLACED_INFIX,
    TABLE_WORDS,
    MovedAside,
    move_aside,
    moved_aside,
    moved_aside_candidates,
    remove_database,
    rename_database,
    salvage,
)
from desktop.core.errors import DatabaseTooNewError, StorageError

log = logging.getLogger(__name__)

@dataclass
class DraftStore:
    path: Path
    _db: sqlite3.Connection
    clock: Callable[[], float] = time.time
    notices: list[str] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time, *,
             busy_timeout: float = BUSY_TIMEOUT_S) -> DraftStore:
        """Open (creating or migrating) the database at *path*; see the module docstring.

        *busy_timeout* is how long to wait for another process holding the file before raising
        :class:`DatabaseLockedError`. Raises a :class:`StorageError` subclass for every problem
        that is not damage, having moved nothing.
        """
        path = Path(path)
        prepare_folder(path)
        db: sqlite3.Connection | None = None
        try:
            db = connect(path, busy_timeout)
            check_integrity(db)
            migrate(db, path)
            check_writable(db)
        except DatabaseTooNewError:
            raise
        except (sqlite3.Error, OSError, Damaged) as exc:
            close_quietly(db)
            if not is_damage(exc, path, busy_timeout):
                error = trouble(exc, path)
                log.error("drafts database %s not opened, nothing moved: %s (%s)", path, error, exc)
                raise error from exc
            return cls._recover(path, clock, busy_timeout, exc)
        store = cls(path, db, clock)
        store.notices.extend(store._moved_aside_notices())
        return store

    @classmethod
    def _recover(cls, path: Path, clock: Callable[[], float], busy_timeout: float, damage: BaseException) -> DraftStore:
        """Move the damaged file aside, make a fresh database and copy every readable row into it.

        If the fresh database cannot be made or filled, it is deleted and the original put back,
        so the drafts are never left in a hidden file behind an empty database.
        """
        try:
            kept = move_aside(path, CORRUPT_INFIX)
        except OSError as exc:
            raise trouble(exc, path) from exc
        fresh: sqlite3.Connection | None = None
        try:
            fresh = connect(path, busy_timeout)
            migrate(fresh, path)
            counts = salvage(kept, fresh)
            check_writable(fresh)
        except (sqlite3.Error, OSError) as exc:
            close_quietly(fresh)
            error = trouble(exc, path)
            try:
                remove_database(path)
                rename_database(kept, path)
            except OSError as undo:
                log.critical("drafts database %s: could not put back %s (%s)", path, kept, undo)
                raise type(error)(
                    f"{error} Your drafts are safe in {kept}: once the problem is solved, rename it to "
                    f"{path.name} (with its -wal file, if any)."
                ) from exc
            log.error("drafts database %s damaged (%s) but no new one could be made (%s); original put back",
                      path, damage, exc)
            raise type(error)(
                f"Your drafts database {path} looks damaged, and a new one could not be made to recover it: "
                f"{error} The original file was left in place."
            ) from exc
        store = cls(path, fresh, clock)
        drafts = counts.get("drafts", 0)
        others = ", ".join(f"{n} {TABLE_WORDS.get(t, t)}" for t, n in counts.items() if t != "drafts" and n)
        store.notices.append(
            f"Your drafts database could not be read ({damage}). It was moved aside to {kept.name} and a new "
            f"one was created; {drafts} draft(s) could be recovered from it" + (f", and {others}" if others else "")
            + f". The damaged file is kept beside it ({kept.parent})."
        )
        log.error("drafts database %s damaged (%s); moved to %s, recovered %s", path, damage, kept, counts)
        store.notices.extend(store._moved_aside_notices(skip=kept))
        return store

    # -- files moved aside ------------------------------------------------------------------------
    def moved_aside(self) -> list[MovedAside]:
        """The database files moved aside beside this one (damaged, or replaced by a restore), newest first."""
        if not moved_aside_candidates(self.path):
            return []  # the usual case: no query at all
        with self._lock:
            current = dict(self._db.execute("SELECT id, updated_at FROM drafts"))
        return moved_aside(self.path, current)

    def _moved_aside_notices(self, skip: Path | None = None) -> list[str]:
        notices = []
        for item in self.moved_aside():
            if item.path == skip or not item.missing:
                continue
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.moved_at))
            notices.append(
                f"{item.path.name} (moved aside on {when}) holds {item.missing} draft(s) that are not in your "
                f"current drafts. To bring them back, quit Chorus and run: chorus restore-drafts \"{item.path}\" "
                f"(your current drafts are kept)."
            )
        return notices

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- queries -------------------------------------------------------------------------------
    def create(self, body: str = "", targets: Iterable[str] = ()) -> Draft:
        now = self.clock()
        draft = Draft(os.urandom(16).hex(), body, now, now, tuple(targets))
        with self._write() as db:
            db.execute(
                "INSERT INTO drafts (id, body, created_at, updated_at, targets) VALUES (?, ?, ?, ?, ?)",
                (draft.id, draft.body, now, now, json.dumps(list(draft.targets))),
            )
        return draft

    def get(self, draft_id: str) -> Draft | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, body, created_at, updated_at, targets FROM drafts WHERE id = ? AND deleted_at IS NULL",
                (draft_id,),
            ).fetchone()
        return _draft(row) if row else None

    def save_body(self, draft_id: str, body: str) -> Draft:
        """Store the draft's text; returns the draft as stored. Unknown or deleted ids raise StorageError."""
        now = self.clock()
        with self._write() as db:
            cursor = db.execute(
                "UPDATE drafts SET body = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                (body, now, draft_id),
            )
            if cursor.rowcount != 1:
                raise StorageError(f"draft {draft_id} no longer exists")
        draft = self.get(draft_id)
        assert draft is not None
        return draft

    def set_targets(self, draft_id: str, targets: Iterable[str]) -> None:
        with self._write() as db:
            db.execute("UPDATE drafts SET targets = ? WHERE id = ?", (json.dumps(list(targets)), draft_id))

    def list(self, search: str = "", limit: int = 1000) -> list[Draft]:
        """Drafts newest first; *search* matches anywhere in the text, ignoring case and accents."""
        needle = fold(search.strip())
        with self._lock:
            if needle:
                rows = self._db.execute(
                    "SELECT id, body, created_at, updated_at, targets FROM drafts "
                    "WHERE deleted_at IS NULL AND instr(chorus_fold(body), ?) > 0 "
                    "ORDER BY updated_at DESC, rowid DESC LIMIT ?",
                    (needle, limit),
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT id, body, created_at, updated_at, targets FROM drafts "
                    "WHERE deleted_at IS NULL ORDER BY updated_at DESC, rowid DESC LIMIT ?",
                    (limit,),
                ).fetchall()
        return [_draft(row) for row in rows]

    def duplicate(self, draft_id: str, body: str | None = None, targets: Iterable[str] | None = None) -> Draft:
        """A new draft with *draft_id*'s text, networks and images (with their alt text, in order).

        *body* and *targets* replace the stored ones (the window passes what the editor shows, which the
        autosave may not have written yet). The images' rows are copied in the same transaction as the
        new draft, pointing at the same files in the profile's media folder (files are named by their
        content, so nothing is copied on disk and the bin's sweep keeps a file while any row uses it).
        """
        original = self.get(draft_id)
        if original is None:
            raise StorageError(f"draft {draft_id} no longer exists")
        now = self.clock()
        draft = Draft(os.urandom(16).hex(), original.body if body is None else body, now, now,
                      tuple(original.targets if targets is None else targets))
        with self._write() as db:
            db.execute(
                "INSERT INTO drafts (id, body, created_at, updated_at, targets) VALUES (?, ?, ?, ?, ?)",
                (draft.id, draft.body, now, now, json.dumps(list(draft.targets))),
            )
            db.execute(
                "INSERT INTO draft_media (draft_id, position, sha256, mime, width, height, alt, name, added_at) "
                "SELECT ?, position, sha256, mime, width, height, alt, name, ? FROM draft_media WHERE draft_id = ?",
                (draft.id, now, draft_id),
            )
        return draft

    def delete(self, draft_id: str) -> None:
        """Move a draft to the bin; :meth:`undelete` brings it back."""
        with self._write() as db:
            db.execute("UPDATE drafts SET deleted_at = ? WHERE id = ?", (self.clock(), draft_id))

    def undelete(self, draft_id: str) -> Draft | None:
        with self._write() as db:
            db.execute("UPDATE drafts SET deleted_at = NULL WHERE id = ?", (draft_id,))
        return self.get(draft_id)

    def purge_deleted(self, older_than_s: float) -> int:
        """Remove drafts deleted more than *older_than_s* seconds ago; returns how many."""
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM drafts WHERE deleted_at IS NOT NULL AND deleted_at < ?", (self.clock() - older_than_s,)
            )
        return cursor.rowcount

    # -- acknowledgements of policy findings ------------------------------------------------------
    def save_acknowledgement(self, ack: Acknowledgement) -> Acknowledgement:
        """Store (or replace) an acknowledgement or dismissal; returns it as stored (with its time).

        Raises ValueError for an invalid record (a reason that is too short, an unknown kind) and
        StorageError when the draft does not exist.
        """
        ack.validate()
        stored = Acknowledgement(ack.draft_id, ack.rule_id, ack.matched_text, ack.occurrence, ack.policy_version,
                                 ack.kind, ack.reason, self.clock())
        with self._write() as db:
            same = db.execute(
                "SELECT 1 FROM acknowledgements WHERE draft_id = ? AND rule_id = ? AND matched_text = ? AND "
                "occurrence = ? AND policy_version = ? AND kind = ? AND reason = ?",
                (stored.draft_id, stored.rule_id, stored.matched_text, stored.occurrence, stored.policy_version,
                 stored.kind, stored.reason)).fetchone()
            try:
                db.execute(
                    "INSERT OR REPLACE INTO acknowledgements (draft_id, rule_id, matched_text, occurrence, "
                    "policy_version, kind, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stored.draft_id, stored.rule_id, stored.matched_text, stored.occurrence, stored.policy_version,
                     stored.kind, stored.reason, stored.created_at),
                )
            except sqlite3.IntegrityError as exc:
                raise StorageError(f"draft {ack.draft_id} does not exist") from exc
            if stored.kind == ACKNOWLEDGED and same is None:  # the audit trail: a warning acknowledged, with its
                # reason, in the same transaction (the same acknowledgement saved again adds nothing)
                kind, record = audit_events.warning_acknowledged(
                    rule_id=stored.rule_id, reason=stored.reason, policy_version=stored.policy_version,
                    draft_id=stored.draft_id, occurrence=stored.occurrence)
                audit_chain.append(db, kind, record, stored.created_at)
        return stored

    def acknowledgements(self, draft_id: str, policy_version: str) -> builtins.list[Acknowledgement]:
        """The draft's acknowledgements made under *policy_version* (others no longer apply)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT draft_id, rule_id, matched_text, occurrence, policy_version, kind, reason, created_at "
                "FROM acknowledgements WHERE draft_id = ? AND policy_version = ? "
                "ORDER BY rule_id, matched_text, occurrence",
                (draft_id, policy_version),
            ).fetchall()
        return [Acknowledgement(*row) for row in rows]

    def delete_acknowledgement(self, ack: Acknowledgement) -> None:
        """Withdraw an acknowledgement (matched on its key, draft and policy version)."""
        with self._write() as db:
            db.execute(
                "DELETE FROM acknowledgements WHERE draft_id = ? AND rule_id = ? AND matched_text = ? "
                "AND occurrence = ? AND policy_version = ?",
                (ack.draft_id, ack.rule_id, ack.matched_text, ack.occurrence, ack.policy_version),
            )

    def drop_acknowledgements_of_other_policies(self, policy_version: str) -> int:
        """Delete acknowledgements made under any other policy version; returns how many.

        They never apply again (the version is part of their key); deleting them keeps an old
        acknowledgement from coming back if an older policy is ever reinstated.
        """
        with self._write() as db:
            cursor = db.execute("DELETE FROM acknowledgements WHERE policy_version != ?", (policy_version,))
        return cursor.rowcount

    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- the shared connection, for the other stores of this database file ------------------------
    def transaction(self) -> _Transaction:
        """``with store.transaction() as db:``: BEGIN IMMEDIATE … COMMIT (ROLLBACK on error), under the lock.

        Other stores keeping their tables in this file (desktop.core.accounts.store) write
        through this, so there is one connection, one lock and one migration history.
        """
        return _Transaction(self)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """``with store.reading() as db:``: the connection, under the lock, for queries."""
        with self._lock:
            yield self._db

    # -- internals -----------------------------------------------------------------------------
    def _write(self) -> _Transaction:
        return _Transaction(self)


class _Transaction:
    def __init__(self, store: DraftStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        self.store._db.execute("BEGIN IMMEDIATE")
        return self.store._db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            db = self.store._db
            if exc_type is None:
                try:
                    db.execute("COMMIT")
                except sqlite3.Error:
                    if db.in_transaction:  # a failed COMMIT (disk full) leaves it open: end it
                        db.execute("ROLLBACK")
                    raise
            elif db.in_transaction:  # not after an error SQLite rolled back itself
                db.execute("ROLLBACK")
        finally:
            self.store._lock.release()


def _draft(row: tuple[Any, ...]) -> Draft:
    try:
        targets = tuple(str(t) for t in json.loads(row[4]))
    except (ValueError, TypeError):
        targets = ()
    return Draft(row[0], row[1], row[2], row[3], targets)
