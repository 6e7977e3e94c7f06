"""Files moved aside beside the drafts database: moving them, salvaging their rows, listing them.

A damaged database is renamed (with its -wal and -shm) to ``drafts.db.corrupt-<time>`` and every
row that can still be read is copied into the fresh one (:func:`salvage`); a restore keeps the
database it replaces as ``drafts.db.before-restore-<time>``. :func:`moved_aside` lists both kinds
with how many drafts each holds that the current database lacks. Bringing one back is
:mod:`desktop.core.drafts.recovery`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the name this log has always had (before salvage left store.py): log filters keep working
log = logging.getLogger("desktop.core.drafts.store")

# How the names of files moved aside begin, after the database's own name ("drafts.db").
CORRUPT_INFIX = ".corrupt-"
REPLACED_INFIX = ".before-restore-"
_STAMP = "%Y%m%d-%H%M%S"


def _sidecars(path: Path) -> list[tuple[Path, str]]:
    return [(path.with_name(path.name + suffix), suffix) for suffix in ("-wal", "-shm")]


def move_aside(path: Path, infix: str) -> Path:
    """Rename *path* and its -wal/-shm to ``<name><infix><time>``; returns the new name.

    If a rename fails, the ones already done are undone before the error is raised.
    """
    stamp = time.strftime(_STAMP)
    target = path.with_name(f"{path.name}{infix}{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{infix}{stamp}-{n}")
    rename_database(path, target)
    return target


def rename_database(source: Path, target: Path) -> None:
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


def remove_database(path: Path) -> None:
    for side, _suffix in _sidecars(path):
        side.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


# Parents before children (foreign keys), then the rest of the schema in its own order.
_SALVAGE_ORDER = ("drafts", "acknowledgements", "accounts", "app_registrations", "publish_history", "outbox")
TABLE_WORDS = {
    "acknowledgements": "acknowledgement(s)",
    "accounts": "linked account(s)",
    "app_registrations": "app registration(s)",
    "publish_history": "publish record(s)",
    "outbox": "outbox entr(y/ies)",
    "training_records": "policy acknowledgement and quiz record(s)",
    "draft_media": "attached image(s)",
    "audit_log": "audit trail record(s)",
    "idea_feeds": "idea feed(s)",
    "idea_items": "idea(s) kept from feeds",
    "idea_marks": "idea(s) marked read or dismissed",
    "draft_ideas": "draft(s) written from an idea",
}
_MAX_SKIPS = 1000  # damaged stretches skipped in one table before giving up on the rest of it


def _rechain(fresh: sqlite3.Connection, *, had_trail: bool) -> None:
    """The audit trail after a merge: the head at the last record (the records copied in continue the
    same chain, or verify shows where the two copies differ), and, when the old file predates the trail
    and this one has none yet, its history chained now as migration 9 would have (or its posts would
    look as if their records had been removed)."""
    from desktop.core.audit.chain import reset_head
    from desktop.core.audit.history import migrate_history

    if had_trail:
        reset_head(fresh)
    elif fresh.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone() is None:
        migrate_history(fresh)


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)


def salvage(source: Path, fresh: sqlite3.Connection) -> dict[str, int]:
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
                if table == "audit_head":
                    continue  # set from the merged records below, not taken from either copy
                columns = [c for c in new_tables[table] if c in old_tables.get(table, ())]
                if columns:
                    counts[table] = _copy_table(old, fresh, table, columns)
            if "audit_log" in new_tables:
                _rechain(fresh, had_trail="audit_log" in old_tables)
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


def _readable_rows(old: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
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
    for candidate, kind, stamp in moved_aside_candidates(database):
        versions = _readable_drafts(candidate)
        missing = 0
        if versions is not None:
            missing = sum(1 for key, updated in versions.items()
                          if current is None or key not in current or (updated or 0) > (current[key] or 0))
        found.append(MovedAside(candidate, kind, _moved_at(candidate, stamp),
                                None if versions is None else len(versions), missing))
    return sorted(found, key=lambda item: (item.moved_at, item.path.name), reverse=True)


def moved_aside_candidates(database: Path) -> list[tuple[Path, str, str]]:
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
