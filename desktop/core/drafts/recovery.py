"""Bringing back a drafts database that was moved aside (see :mod:`desktop.core.drafts.salvage`).

Why a restore merges instead of only swapping files: between the day a file was moved aside and
the day it is restored, the user has written new drafts in the fresh database. So the restore
keeps the current database as ``drafts.db.before-restore-<time>`` (never deleted), puts the chosen
file back in its place, opens it (salvaging it if it is really damaged) and then copies in every
row of the replaced database that the restored one does not have. Nothing is lost either way.

It must run while no Chorus uses the database: it takes SQLite's exclusive lock once to make sure.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.drafts.opening import BUSY_TIMEOUT_S, close_quietly, sqlite_code, trouble
from desktop.core.drafts.salvage import REPLACED_INFIX, MovedAside, move_aside, moved_aside, rename_database, salvage
from desktop.core.drafts.store import DraftStore
from desktop.core.errors import DatabaseLockedError, StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreResult:
    restored: Path  # the database, now holding the chosen file's data
    replaced: Path | None  # where the database it replaced was kept (None: there was none)
    drafts: int  # drafts in the database after the restore (bin excluded)
    merged: dict[str, int]  # rows copied in from the replaced database, per table
    notices: list[str]  # what opening the restored file said (it may have been salvaged)


def list_moved_aside(database: Path) -> list[MovedAside]:
    """The files moved aside beside *database*, counting drafts the current database lacks."""
    database = Path(database)
    current = None
    if database.exists():
        try:
            old = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
            try:
                current = {key: updated for key, updated in old.execute("SELECT id, updated_at FROM drafts")}
            finally:
                old.close()
        except sqlite3.Error:
            current = None
    return moved_aside(database, current)


def restore_moved_aside(database: Path, chosen: Path, clock: Callable[[], float] = time.time, *,
                        busy_timeout: float = BUSY_TIMEOUT_S) -> RestoreResult:
    """Put *chosen* (a file moved aside beside *database*) back as the database; see the module docstring.

    Raises :class:`StorageError` (nothing changed) when *chosen* is not such a file, when Chorus
    or another program has the database open, or when the files cannot be renamed.
    """
    database = Path(database).absolute()
    chosen = Path(chosen).absolute()
    if chosen.parent.resolve() != database.parent.resolve() or not chosen.name.startswith(database.name + "."):
        raise StorageError(
            f"{chosen} is not a drafts database moved aside beside {database}. Choose one of the files "
            f"'chorus restore-drafts' lists."
        )
    if not chosen.is_file():
        raise StorageError(f"{chosen} does not exist (it may have been restored already). Nothing was changed.")
    _ensure_unused(database, busy_timeout)
    replaced = None
    if database.exists():
        try:
            replaced = move_aside(database, REPLACED_INFIX)
        except OSError as exc:
            raise trouble(exc, database) from exc
    try:
        rename_database(chosen, database)
    except OSError as exc:
        if replaced is not None:
            rename_database(replaced, database)
        raise trouble(exc, database) from exc
    try:
        store = DraftStore.open(database, clock, busy_timeout=busy_timeout)
    except StorageError:
        rename_database(database, chosen)
        if replaced is not None:
            rename_database(replaced, database)
        raise
    try:
        merged = {}
        if replaced is not None:
            with store._lock:
                merged = salvage(replaced, store._db)
        drafts = len(store.list(limit=1_000_000))
        notices = list(store.notices)
    finally:
        store.close()
    log.warning("restored drafts database %s from %s (replaced one kept as %s; merged %s)",
                database, chosen.name, replaced, merged)
    return RestoreResult(database, replaced, drafts, merged, notices)


def _ensure_unused(database: Path, busy_timeout: float) -> None:
    """Raise DatabaseLockedError if any other connection (a running Chorus) has *database* open."""
    if not database.exists():
        return
    db = None
    try:
        db = sqlite3.connect(database, isolation_level=None, timeout=busy_timeout)
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        code = sqlite_code(exc)
        if code is not None and code & 0xFF in (5, 6):
            raise DatabaseLockedError(
                f"Chorus (or another program) has your drafts open ({database}). Quit Chorus, then restore again. "
                f"Nothing was changed."
            ) from exc
        # A damaged current database is no obstacle: it is kept aside like any other.
    finally:
        close_quietly(db)
