"""The drafts database: SQLite in WAL mode, versioned, backed up before migrating, never overwritten.

Opening rules:
- a database newer than this code is refused (:class:`DatabaseTooNewError`), never touched;
- before a migration the file is copied to ``drafts.db.bak-v<old>``;
- a file SQLite cannot read, or that fails ``PRAGMA quick_check``, is moved aside to
  ``drafts.db.corrupt-<time>`` (with its -wal/-shm), whatever drafts can still be read from it
  are copied into a fresh database, and :attr:`DraftStore.notices` says what happened.

Every method is safe to call from any thread (one connection behind a lock); the UI calls them
from its single database worker so the GUI thread never waits on the disk. The same file also
holds accounts, publish history and the outbox (:mod:`desktop.core.accounts.store`), which use
this store's connection and lock through :meth:`DraftStore.transaction` and :meth:`DraftStore.reading`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.drafts.migrations import LATEST_VERSION, MIGRATIONS
from desktop.core.errors import DatabaseTooNewError, StorageError

log = logging.getLogger(__name__)

TITLE_LENGTH = 80


@dataclass(frozen=True)
class Draft:
    id: str
    body: str
    created_at: float
    updated_at: float
    targets: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        for line in self.body.splitlines():
            line = line.strip()
            if line:
                return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"
        return "Untitled draft"


def fold(text: str) -> str:
    """The form drafts are searched in: accents stripped, case folded (so 'cafe' finds 'Café')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass
class DraftStore:
    path: Path
    _db: sqlite3.Connection
    clock: Callable[[], float] = time.time
    notices: list[str] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time) -> "DraftStore":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        notices: list[str] = []
        try:
            db = _connect(path)
            _check_integrity(db)
        except DatabaseTooNewError:
            raise
        except sqlite3.DatabaseError as exc:
            try:
                db.close()
            except (NameError, UnboundLocalError, sqlite3.Error):
                pass
            kept = _move_aside(path)
            db = _connect(path)
            _migrate(db, path)
            salvaged = _salvage(kept, db)
            notices.append(
                f"Your drafts database could not be read ({exc}). It was moved aside to "
                f"{kept.name} and a new one was created; {salvaged} draft(s) could be recovered from it."
            )
            log.error("drafts database %s unreadable (%s); moved to %s, %d recovered", path, exc, kept, salvaged)
            return cls(path, db, clock, notices)
        _migrate(db, path)
        return cls(path, db, clock, notices)

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

    def duplicate(self, draft_id: str) -> Draft:
        original = self.get(draft_id)
        if original is None:
            raise StorageError(f"draft {draft_id} no longer exists")
        return self.create(original.body, original.targets)

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
        try:
            with self._write() as db:
                db.execute(
                    "INSERT OR REPLACE INTO acknowledgements (draft_id, rule_id, matched_text, occurrence, "
                    "policy_version, kind, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stored.draft_id, stored.rule_id, stored.matched_text, stored.occurrence, stored.policy_version,
                     stored.kind, stored.reason, stored.created_at),
                )
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"draft {ack.draft_id} does not exist") from exc
        return stored

    def acknowledgements(self, draft_id: str, policy_version: str) -> list[Acknowledgement]:
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
    def transaction(self) -> "_Transaction":
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
    def _write(self) -> "_Transaction":
        return _Transaction(self)


class _Transaction:
    def __init__(self, store: DraftStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        self.store._db.execute("BEGIN IMMEDIATE")
        return self.store._db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.store._db.execute("COMMIT")
            else:
                self.store._db.execute("ROLLBACK")
        finally:
            self.store._lock.release()


def _draft(row: tuple) -> Draft:
    try:
        targets = tuple(str(t) for t in json.loads(row[4]))
    except (ValueError, TypeError):
        targets = ()
    return Draft(row[0], row[1], row[2], row[3], targets)


def _connect(path: Path) -> sqlite3.Connection:
    existed = path.exists()
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    if not existed:
        try:
            path.chmod(0o600)
        except OSError:
            pass
    db.create_function("chorus_fold", 1, fold, deterministic=True)
    version = int(db.execute("PRAGMA user_version").fetchone()[0])  # first read: fails on a non-database
    if version > LATEST_VERSION:
        db.close()
        raise DatabaseTooNewError(
            f"{path} was written by a newer version of Chorus (database version {version}; this version "
            f"understands up to {LATEST_VERSION}). Update Chorus to open it. Nothing was changed."
        )
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed draft survives power loss too, not only a killed process.
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _check_integrity(db: sqlite3.Connection) -> None:
    rows = db.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise sqlite3.DatabaseError("integrity check failed: " + "; ".join(str(r[0]) for r in rows[:3]))


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version == LATEST_VERSION:
        return
    if version > 0:
        backup = path.with_name(f"{path.name}.bak-v{version}")
        target = sqlite3.connect(backup)
        try:
            db.backup(target)
        finally:
            target.close()
        log.info("backed up %s to %s before migrating from version %d", path, backup, version)
    for number, migration in MIGRATIONS:
        if number <= version:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            migration(db)
            db.execute(f"PRAGMA user_version = {int(number)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.info("migrated %s to version %d", path, number)


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    if path.exists():
        path.rename(target)
    return target


def _salvage(corrupt: Path, fresh: sqlite3.Connection) -> int:
    """Copy whatever drafts can still be read from *corrupt* into *fresh*; returns how many."""
    if not corrupt.exists():
        return 0
    recovered = 0
    try:
        old = sqlite3.connect(f"file:{corrupt}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        rows = old.execute("SELECT id, body, created_at, updated_at FROM drafts WHERE deleted_at IS NULL")
        while True:
            try:
                row = rows.fetchone()
            except sqlite3.Error:
                break
            if row is None:
                break
            try:
                fresh.execute(
                    "INSERT OR IGNORE INTO drafts (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)", row
                )
                recovered += 1
            except sqlite3.Error:
                continue
    except sqlite3.Error:
        pass
    finally:
        old.close()
    return recovered
