"""Ordered schema migrations of the drafts database, tracked with ``PRAGMA user_version``.

Never edit a migration that has shipped: add a new one at the end. ``tests/data`` keeps a
database written by every past schema version, and a test upgrades each of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _v1_drafts(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE drafts (
            id          TEXT PRIMARY KEY,
            body        TEXT NOT NULL DEFAULT '',
            created_at  REAL NOT NULL,
            updated_at  REAL NOT NULL,
            deleted_at  REAL
        )
        """
    )
    db.execute("CREATE INDEX drafts_by_update ON drafts(updated_at DESC)")


def _v2_targets(db: sqlite3.Connection) -> None:
    # The networks (later: accounts) a draft is meant for, as a JSON list.
    db.execute("ALTER TABLE drafts ADD COLUMN targets TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (1, _v1_drafts),
    (2, _v2_targets),
)
LATEST_VERSION = MIGRATIONS[-1][0]
