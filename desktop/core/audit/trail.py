"""One profile's audit trail: read, verify and export it, from the app or from the command line.

The app reads through the drafts store's connection and lock (:meth:`DraftStore.reading`, on the UI's
``db`` lane). The command line opens the file read-only (:meth:`AuditTrail.open_read_only`): it never
migrates, locks or writes a profile that Chorus may have open at the same moment, and a profile without
a drafts database (never started) simply has an empty trail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.audit import chain, export
from desktop.core.errors import StorageError

if TYPE_CHECKING:
    from desktop.core.drafts.store import DraftStore


class AuditTrail:
    def __init__(self, reading: Callable[[], AbstractContextManager[sqlite3.Connection]], *,
                 schema: Callable[[], int] | None = None) -> None:
        self._reading = reading
        self._schema = schema

    @classmethod
    def of(cls, store: DraftStore) -> AuditTrail:
        return cls(store.reading)

    @classmethod
    def open_read_only(cls, path: Path) -> AuditTrail:
        """The trail in the drafts database at *path*, read-only; an empty one when there is no file yet.
        Raises :class:`StorageError` (naming the file) when it exists but cannot be read."""
        path = Path(path)

        @contextmanager
        def reading() -> Iterator[sqlite3.Connection]:
            if not path.exists():  # a profile never started: no trail yet
                empty = sqlite3.connect(":memory:")
                try:
                    yield empty
                finally:
                    empty.close()
                return
            try:
                db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
            except sqlite3.Error as exc:
                raise StorageError(f"Cannot open {path} to read the audit trail: {exc}.") from exc
            try:
                db.execute("BEGIN")  # one snapshot for everything read (the app may be writing meanwhile)
                yield db
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"Cannot read the audit trail in {path}: {exc}. If Chorus is updating "
                                   "it, try again in a moment.") from exc
            finally:
                db.close()

        return cls(reading)

    def schema_version(self) -> int:
        with self._reading() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def has_trail(self) -> bool:
        with self._reading() as db:
            return chain.has_trail(db)

    def records(self, since: float | None = None, limit: int | None = None) -> list[chain.AuditRecord]:
        with self._reading() as db:
            return chain.records(db, since, limit)

    def verify(self) -> chain.Verification:
        with self._reading() as db:
            return chain.verify(db)

    def export(self, fmt: str, since: float | None = None) -> str:
        """The trail (records at or after *since*) as ``csv`` or ``json``; JSON carries the verification."""
        return self.export_verified(fmt, since)[0]

    def export_verified(self, fmt: str, since: float | None = None) -> tuple[str, chain.Verification]:
        """:meth:`export`, and the whole trail's verification read with it (one reading: a CSV, which cannot
        carry it, is handed over with what verify said of the same records)."""
        if fmt not in ("csv", "json"):
            raise ValueError(f"unknown export format {fmt!r} (csv or json)")
        with self._reading() as db:
            found = chain.records(db, since)
            verification = chain.verify(db)
        if fmt == "csv":
            return export.to_csv(found), verification
        return export.to_json(found, verification, since), verification
