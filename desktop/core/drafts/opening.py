"""Opening the drafts database: connecting, migrating, and telling damage from trouble.

Only real damage counts as corruption: SQLite saying ``SQLITE_CORRUPT`` or ``SQLITE_NOTADB``
(confirmed by ``PRAGMA quick_check`` on a second connection), or ``quick_check`` failing
(:func:`is_damage`); :class:`~desktop.core.drafts.store.DraftStore` then moves the file aside and
salvages it (:mod:`desktop.core.drafts.salvage`). Everything else is trouble, not damage, and
:func:`trouble` turns it into the specific :class:`StorageError` subclass whose message names the
file and says what to do: another process holding it, a read-only file or folder, a full disk
(or a file-size limit), an I/O error, a file that cannot be opened.
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import tempfile
from pathlib import Path

from desktop.core.drafts.migrations import LATEST_VERSION, MIGRATIONS
from desktop.core.drafts.model import fold
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

# the name this log has always had (before opening left store.py): log filters keep working
log = logging.getLogger("desktop.core.drafts.store")

# How long opening waits for another process to let go of the database before saying so.
BUSY_TIMEOUT_S = 5.0


def connect(path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
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


class Damaged(Exception):
    """``PRAGMA quick_check`` found damage."""


def check_integrity(db: sqlite3.Connection) -> None:
    rows = db.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise Damaged("integrity check failed: " + "; ".join(str(r[0]) for r in rows[:3]))


def check_writable(db: sqlite3.Connection) -> None:
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


def prepare_folder(path: Path) -> None:
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
        raise trouble(exc, path) from exc
    if path.is_dir():
        raise DatabaseCannotOpenError(
            f"Chorus cannot open its drafts database {path}: a folder has that name. Move the folder away "
            f"and start Chorus again."
        )
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".chorus-write-test-"):
            pass
    except OSError as exc:
        raise trouble(exc, path) from exc


_CORRUPT, _NOTADB = 11, 26
_BUSY, _LOCKED, _READONLY, _IOERR, _FULL, _CANTOPEN, _PERM = 5, 6, 8, 10, 13, 14, 3
_READONLY_DIRECTORY = _READONLY | (6 << 8)


def sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return int(code) if isinstance(code, int) else None


def is_damage(exc: BaseException, path: Path, busy_timeout: float) -> bool:
    """Whether *exc* means the file is damaged (to be moved aside), not merely unusable right now.

    SQLite's CORRUPT/NOTADB is confirmed by a ``quick_check`` on a second, read-only connection:
    if that one reads the whole file fine, the first error was not the file's fault.
    """
    if isinstance(exc, Damaged):
        return True
    code = sqlite_code(exc)
    if code is None or code & 0xFF not in (_CORRUPT, _NOTADB):
        return False
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout)
    except sqlite3.Error:
        return True
    try:
        return probe.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlite3.Error as again:
        again_code = sqlite_code(again)
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


def trouble(exc: BaseException, path: Path) -> StorageError:
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
    code = sqlite_code(exc)
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


def close_quietly(db: sqlite3.Connection | None) -> None:
    if db is not None:
        try:
            db.close()
        except sqlite3.Error:
            pass


def migrate(db: sqlite3.Connection, path: Path) -> None:
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
