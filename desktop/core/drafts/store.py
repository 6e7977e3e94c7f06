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
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.drafts.migrations import LATEST_VERSION, MIGRATIONS
from desktop.core.errors import (
    DatabaseCannotOpenError,
    DatabaseIOError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseTooNewError,
    DiskFullError,
    ProfileFolderError,
    StorageError,
)

log = logging.getLogger(__name__)

TITLE_LENGTH = 80
# How long opening waits for another process to let go of the database before saying so.
BUSY_TIMEOUT_S = 5.0
# How the names of files moved aside begin, after the database's own name ("drafts.db").
CORRUPT_INFIX = ".corrupt-"
REPLACED_INFIX = ".before-restore-"
_STAMP = "%Y%m%d-%H%M%S"


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
    def open(cls, path: Path, clock: Callable[[], float] = time.time, *,
             busy_timeout: float = BUSY_TIMEOUT_S) -> "DraftStore":
        """Open (creating or migrating) the database at *path*; see the module docstring.

        *busy_timeout* is how long to wait for another process holding the file before raising
        :class:`DatabaseLockedError`. Raises a :class:`StorageError` subclass for every problem
        that is not damage, having moved nothing.
        """
        path = Path(path)
        _prepare_folder(path)
        db: sqlite3.Connection | None = None
        try:
            db = _connect(path, busy_timeout)
            _check_integrity(db)
            _migrate(db, path)
            _check_writable(db)
        except DatabaseTooNewError:
            raise
        except (sqlite3.Error, OSError, _Damaged) as exc:
            _close_quietly(db)
            if not _is_damage(exc, path, busy_timeout):
                error = _trouble(exc, path)
                log.error("drafts database %s not opened, nothing moved: %s (%s)", path, error, exc)
                raise error from exc
            return cls._recover(path, clock, busy_timeout, exc)
        store = cls(path, db, clock)
        store.notices.extend(store._moved_aside_notices())
        return store

    @classmethod
    def _recover(cls, path: Path, clock: Callable[[], float], busy_timeout: float, damage: BaseException) -> "DraftStore":
        """Move the damaged file aside, make a fresh database and copy every readable row into it.

        If the fresh database cannot be made or filled, it is deleted and the original put back,
        so the drafts are never left in a hidden file behind an empty database.
        """
        try:
            kept = _move_aside(path, CORRUPT_INFIX)
        except OSError as exc:
            raise _trouble(exc, path) from exc
        fresh: sqlite3.Connection | None = None
        try:
            fresh = _connect(path, busy_timeout)
            _migrate(fresh, path)
            counts = _salvage(kept, fresh)
            _check_writable(fresh)
        except (sqlite3.Error, OSError) as exc:
            _close_quietly(fresh)
            error = _trouble(exc, path)
            try:
                _remove_database(path)
                _rename_database(kept, path)
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
        others = ", ".join(f"{n} {_TABLE_WORDS.get(t, t)}" for t, n in counts.items() if t != "drafts" and n)
        store.notices.append(
            f"Your drafts database could not be read ({damage}). It was moved aside to {kept.name} and a new "
            f"one was created; {drafts} draft(s) could be recovered from it" + (f", and {others}" if others else "")
            + f". The damaged file is kept beside it ({kept.parent})."
        )
        log.error("drafts database %s damaged (%s); moved to %s, recovered %s", path, damage, kept, counts)
        store.notices.extend(store._moved_aside_notices(skip=kept))
        return store

    # -- files moved aside ------------------------------------------------------------------------
    def moved_aside(self) -> "list[MovedAside]":
        """The database files moved aside beside this one (damaged, or replaced by a restore), newest first."""
        if not _moved_aside_candidates(self.path):
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


def _draft(row: tuple) -> Draft:
    try:
        targets = tuple(str(t) for t in json.loads(row[4]))
    except (ValueError, TypeError):
        targets = ()
    return Draft(row[0], row[1], row[2], row[3], targets)


def _connect(path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    existed = path.exists()
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=busy_timeout)
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
    mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        # SQLite keeps the old mode when it cannot make the -wal file (a read-only folder).
        db.close()
        raise DatabaseReadOnlyError(_readonly_message(path, folder=True))
    # FULL: a committed draft survives power loss too, not only a killed process.
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


class _Damaged(Exception):
    """``PRAGMA quick_check`` found damage."""


def _check_integrity(db: sqlite3.Connection) -> None:
    rows = db.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise _Damaged("integrity check failed: " + "; ".join(str(r[0]) for r in rows[:3]))


def _check_writable(db: sqlite3.Connection) -> None:
    """Write the header once, so a read-only file is found now and not at the first autosave."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute(f"PRAGMA user_version = {version}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _prepare_folder(path: Path) -> None:
    """Create the database's folder and prove it can be written (also as root on a read-only mount)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise ProfileFolderError(
            f"Chorus cannot keep its files in {folder}: {blocker} is a file, not a folder. Move that file "
            f"away or choose another folder (--profile), then start Chorus again."
        ) from exc
    except OSError as exc:
        raise _trouble(exc, path) from exc
    if path.is_dir():
        raise DatabaseCannotOpenError(
            f"Chorus cannot open its drafts database {path}: a folder has that name. Move the folder away "
            f"and start Chorus again."
        )
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".chorus-write-test-"):
            pass
    except OSError as exc:
        raise _trouble(exc, path) from exc


_CORRUPT, _NOTADB = 11, 26
_BUSY, _LOCKED, _READONLY, _IOERR, _FULL, _CANTOPEN, _PERM = 5, 6, 8, 10, 13, 14, 3
_READONLY_DIRECTORY = _READONLY | (6 << 8)


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return int(code) if isinstance(code, int) else None


def _is_damage(exc: BaseException, path: Path, busy_timeout: float) -> bool:
    """Whether *exc* means the file is damaged (to be moved aside), not merely unusable right now.

    SQLite's CORRUPT/NOTADB is confirmed by a ``quick_check`` on a second, read-only connection:
    if that one reads the whole file fine, the first error was not the file's fault.
    """
    if isinstance(exc, _Damaged):
        return True
    code = _code(exc)
    if code is None or code & 0xFF not in (_CORRUPT, _NOTADB):
        return False
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout)
    except sqlite3.Error:
        return True
    try:
        return probe.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlite3.Error as again:
        again_code = _code(again)
        return again_code is not None and again_code & 0xFF in (_CORRUPT, _NOTADB)
    finally:
        probe.close()


def _readonly_message(path: Path, *, folder: bool) -> str:
    if folder:
        return (f"Chorus cannot write in the folder {path.parent}, where your drafts are kept: it is read-only. "
                f"Give your user permission to write there (or move the profile), then start Chorus again. "
                f"Nothing was changed.")
    return (f"Chorus cannot save your drafts: {path} is read-only. Make the file writable for your user, "
            f"then start Chorus again. Nothing was changed.")


def _space_message(path: Path) -> str:
    limit = _file_size_limit()
    if limit is not None:
        return (f"Chorus cannot write {path}: this session's file-size limit ({limit:,} bytes, 'ulimit -f') is "
                f"reached. Raise the limit, then start Chorus again. Nothing was changed.")
    return (f"Chorus cannot write {path}: the disk is full. Free some space on it, then start Chorus again. "
            f"Nothing was changed.")


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _short_of_space(path: Path) -> bool:
    """Whether a failed write is explained by a full disk or a file-size limit (SQLite only says "I/O error")."""
    if _file_size_limit() is not None:
        return True
    try:
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


def _trouble(exc: BaseException, path: Path) -> StorageError:
    """The specific, user-facing error for a problem that is not damage to the file."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        number = exc.errno
        if number in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
            return DiskFullError(_space_message(path))
        if number in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = exc.filename and Path(exc.filename)
            return DatabaseReadOnlyError(_readonly_message(path, folder=where != path))
        if number in (errno.ENOTDIR, errno.EEXIST):
            return ProfileFolderError(
                f"Chorus cannot keep its files in {path.parent}: part of that path is a file, not a folder. "
                f"Move the file away or choose another folder (--profile), then start Chorus again."
            )
        return DatabaseIOError(
            f"Chorus could not read or write {path} ({exc.strerror or exc}). Check the disk (or the network "
            f"drive) it is on, then start Chorus again. Nothing was changed."
        )
    code = _code(exc)
    primary = code & 0xFF if code is not None else None
    if primary in (_BUSY, _LOCKED):
        return DatabaseLockedError(
            f"Chorus is open in another window, or another program holds your drafts ({path}). Close it and "
            f"start Chorus again. Nothing was changed."
        )
    if primary == _READONLY:
        return DatabaseReadOnlyError(_readonly_message(path, folder=code == _READONLY_DIRECTORY))
    if primary == _FULL or (primary == _IOERR and _short_of_space(path)):
        return DiskFullError(_space_message(path))
    if primary == _IOERR:
        return DatabaseIOError(
            f"Chorus could not read or write {path} (the disk reported an error: {exc}). Check the disk (or the "
            f"network drive) it is on, then start Chorus again. Nothing was changed."
        )
    if primary in (_CANTOPEN, _PERM):
        return DatabaseCannotOpenError(
            f"Chorus cannot open its drafts database {path} ({exc}). Check that the folder {path.parent} exists "
            f"and that your user may read and write it, then start Chorus again. Nothing was changed."
        )
    return StorageError(f"Chorus cannot open its drafts database {path} ({exc}). Nothing was changed.")


def _close_quietly(db: sqlite3.Connection | None) -> None:
    if db is not None:
        try:
            db.close()
        except sqlite3.Error:
            pass


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
            if db.in_transaction:  # SQLite already rolled back after an I/O or disk-full error
                db.execute("ROLLBACK")
            raise
        log.info("migrated %s to version %d", path, number)


def _sidecars(path: Path) -> list[tuple[Path, str]]:
    return [(path.with_name(path.name + suffix), suffix) for suffix in ("-wal", "-shm")]


def _move_aside(path: Path, infix: str) -> Path:
    """Rename *path* and its -wal/-shm to ``<name><infix><time>``; returns the new name.

    If a rename fails, the ones already done are undone before the error is raised.
    """
    stamp = time.strftime(_STAMP)
    target = path.with_name(f"{path.name}{infix}{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{infix}{stamp}-{n}")
    _rename_database(path, target)
    return target


def _rename_database(source: Path, target: Path) -> None:
    """Rename a database with its -wal and -shm (the -wal holds committed data), all or nothing."""
    done: list[tuple[Path, Path]] = []
    try:
        for (side, suffix) in _sidecars(source):
            if side.exists():
                destination = target.with_name(target.name + suffix)
                side.rename(destination)
                done.append((side, destination))
        if source.exists():
            source.rename(target)
    except OSError:
        for original, moved in reversed(done):
            try:
                moved.rename(original)
            except OSError:
                pass
        raise


def _remove_database(path: Path) -> None:
    for side, _suffix in _sidecars(path):
        side.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


# Parents before children (foreign keys), then the rest of the schema in its own order.
_SALVAGE_ORDER = ("drafts", "acknowledgements", "accounts", "app_registrations", "publish_history", "outbox")
_TABLE_WORDS = {
    "acknowledgements": "acknowledgement(s)",
    "accounts": "linked account(s)",
    "app_registrations": "app registration(s)",
    "publish_history": "publish record(s)",
    "outbox": "outbox entr(y/ies)",
}
_MAX_SKIPS = 1000  # damaged stretches skipped in one table before giving up on the rest of it


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)


def _salvage(source: Path, fresh: sqlite3.Connection) -> dict[str, int]:
    """Copy every row that can still be read from *source*, table by table, into *fresh*.

    Returns how many rows of each table were added. Works on whatever tables and columns both
    files have (an older schema gives what maps onto this one), reads row by row in rowid order
    and jumps over stretches it cannot read, and never replaces a row *fresh* already has.
    Raises only when *fresh* cannot be written (the caller then puts the original back).
    """
    counts: dict[str, int] = {}
    if not source.exists():
        return counts
    try:
        old = _open_read_only(source)
        old_tables = _columns_by_table(old)
    except sqlite3.Error as exc:
        log.warning("salvage: %s cannot be read at all (%s)", source, exc)
        return counts
    try:
        new_tables = _columns_by_table(fresh)
        order = [t for t in _SALVAGE_ORDER if t in new_tables] + sorted(t for t in new_tables if t not in _SALVAGE_ORDER)
        fresh.execute("BEGIN IMMEDIATE")
        try:
            for table in order:
                columns = [c for c in new_tables[table] if c in old_tables.get(table, ())]
                if columns:
                    counts[table] = _copy_table(old, fresh, table, columns)
            fresh.execute("COMMIT")
        except BaseException:
            if fresh.in_transaction:
                fresh.execute("ROLLBACK")
            raise
    finally:
        old.close()
    return counts


def _columns_by_table(db: sqlite3.Connection) -> dict[str, list[str]]:
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    tables = {}
    for name in names:
        try:
            tables[name] = [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')]
        except sqlite3.Error:
            continue
    return tables


def _copy_table(old: sqlite3.Connection, fresh: sqlite3.Connection, table: str, columns: list[str]) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    copied = 0
    for row in _readable_rows(old, table, columns):
        try:
            copied += fresh.execute(insert, row).rowcount
        except sqlite3.IntegrityError:
            continue  # breaks a constraint here (its draft was lost, say): leave it out
    return copied


_MIN_ROWID, _MAX_ROWID = -(2 ** 63), 2 ** 63 - 1


def _readable_rows(old: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple]:
    """Every row of *table* that can be read, in rowid order, jumping over unreadable pages.

    One row per query (``rowid >= ? LIMIT 1``): a cursor that steps on to a damaged page would
    take the row before it down too. After a damaged page, the next readable rowid is found by
    doubling a jump until a seek works and then a binary search back to the first start that
    works, so a bad page costs only the rows on it (a few dozen seeks), not everything after it.
    """
    names = ", ".join(f'"{c}"' for c in columns)
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1'

    def readable_from(start: int) -> bool:
        try:
            old.execute(select, (start,)).fetchone()
            return True
        except sqlite3.Error:
            return False

    start = _MIN_ROWID
    damaged = 0
    while True:
        try:
            row = old.execute(select, (start,)).fetchone()
        except sqlite3.Error as exc:
            damaged += 1
            if damaged > _MAX_SKIPS:
                log.warning("salvage: gave up on table %s after %d damaged stretches", table, _MAX_SKIPS)
                return
            bad, jump = start, 1
            while True:  # forwards, further each time, to a start that reads
                if bad >= _MAX_ROWID:
                    log.warning("salvage: nothing readable in table %s from rowid %d on (%s)", table, start, exc)
                    return
                good = min(bad + jump, _MAX_ROWID)
                if readable_from(good):
                    break
                bad, jump = good, jump * 2
            while good - bad > 1:  # back to the first start that reads
                middle = bad + (good - bad) // 2
                if readable_from(middle):
                    good = middle
                else:
                    bad = middle
            log.warning("salvage: table %s unreadable from rowid %d to %d (%s)", table, start, good - 1, exc)
            start = good
            continue
        if row is None:
            return
        yield row[1:]
        if row[0] >= _MAX_ROWID:
            return
        start = row[0] + 1


# -- files moved aside ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MovedAside:
    """A database file moved aside beside the drafts database."""

    path: Path
    kind: str  # "damaged" (could not be read) or "replaced" (the database a restore replaced)
    moved_at: float
    drafts: int | None  # drafts (bin included) that can still be read from it; None: none at all
    missing: int  # of those, how many the current database lacks (or holds in an older version)


def moved_aside(database: Path, current: dict[str, float] | None = None) -> list[MovedAside]:
    """The files moved aside beside *database*, newest first.

    *current* maps the current database's draft ids to their ``updated_at`` (to count what each
    file holds that the current one lacks); None counts every readable draft as missing.
    """
    database = Path(database)
    found = []
    for candidate, kind, stamp in _moved_aside_candidates(database):
        versions = _readable_drafts(candidate)
        missing = 0
        if versions is not None:
            missing = sum(1 for key, updated in versions.items()
                          if current is None or key not in current or (updated or 0) > (current[key] or 0))
        found.append(MovedAside(candidate, kind, _moved_at(candidate, stamp),
                                None if versions is None else len(versions), missing))
    return sorted(found, key=lambda item: (item.moved_at, item.path.name), reverse=True)


def _moved_aside_candidates(database: Path) -> list[tuple[Path, str, str]]:
    """(file, kind, time stamp) of each file moved aside beside *database* (their -wal/-shm left out)."""
    try:
        entries = list(database.parent.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        for infix, kind in ((CORRUPT_INFIX, "damaged"), (REPLACED_INFIX, "replaced")):
            prefix = database.name + infix
            if entry.name.startswith(prefix) and not entry.name.endswith(("-wal", "-shm", "-journal")) \
                    and entry.is_file():
                found.append((entry, kind, entry.name[len(prefix):]))
    return found


def _moved_at(path: Path, stamp: str) -> float:
    try:
        return time.mktime(time.strptime(stamp[: len("20260101-000000")], _STAMP))
    except ValueError:
        return path.stat().st_mtime


def _readable_drafts(path: Path) -> dict[str, float] | None:
    """Draft id → updated_at for every draft row that can be read from *path*; None if none can."""
    try:
        old = _open_read_only(path)
    except sqlite3.Error:
        return None
    try:
        if "drafts" not in _columns_by_table(old):
            return None
        return _draft_versions(old)
    except sqlite3.Error:
        return None
    finally:
        old.close()


def _draft_versions(db: sqlite3.Connection) -> dict[str, float]:
    """Draft id → updated_at of every readable draft (the bin included)."""
    return {key: updated for key, updated in _readable_rows(db, "drafts", ["id", "updated_at"])}
