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


def _v3_acknowledgements(db: sqlite3.Connection) -> None:
    # What the author said about policy findings (a warn acknowledged with a reason, an info
    # dismissed), outside the post's text. Keyed so that a changed matched text or a new policy
    # version no longer matches; removed with their draft when the bin is purged.
    db.execute(
        """
        CREATE TABLE acknowledgements (
            draft_id        TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            rule_id         TEXT NOT NULL,
            matched_text    TEXT NOT NULL,
            occurrence      INTEGER NOT NULL CHECK (occurrence >= 0),
            policy_version  TEXT NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ('acknowledged', 'dismissed')),
            reason          TEXT NOT NULL DEFAULT '',
            created_at      REAL NOT NULL,
            PRIMARY KEY (draft_id, rule_id, matched_text, occurrence, policy_version)
        )
        """
    )


MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (1, _v1_drafts),
    (2, _v2_targets),
    (3, _v3_acknowledgements),
)
LATEST_VERSION = MIGRATIONS[-1][0]
