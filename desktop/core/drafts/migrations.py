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


def _v4_accounts_and_publishing(db: sqlite3.Connection) -> None:
    # Linked accounts, apps registered on servers, what was published where, and what waits for
    # the network. Non-secret data only: tokens, passwords and client secrets live in the OS
    # keyring (desktop.adapters.keyring_store), never in a column here.
    db.execute(
        """
        CREATE TABLE accounts (
            id             TEXT PRIMARY KEY,
            network        TEXT NOT NULL CHECK (network <> ''),
            handle         TEXT NOT NULL,
            server         TEXT NOT NULL DEFAULT '',
            remote_id      TEXT NOT NULL DEFAULT '',
            display_name   TEXT NOT NULL DEFAULT '',
            avatar_url     TEXT NOT NULL DEFAULT '',
            expires_at     REAL,
            limits         TEXT NOT NULL DEFAULT '{}',
            last_error     TEXT NOT NULL DEFAULT '',
            last_error_at  REAL,
            needs_relink   INTEGER NOT NULL DEFAULT 0 CHECK (needs_relink IN (0, 1)),
            created_at     REAL NOT NULL,
            updated_at     REAL NOT NULL
        )
        """
    )
    # One row per remote account: linking it again updates the row instead of adding a twin.
    db.execute(
        "CREATE UNIQUE INDEX accounts_by_identity ON accounts(network, server, remote_id) WHERE remote_id <> ''"
    )
    db.execute(
        """
        CREATE TABLE app_registrations (
            network        TEXT NOT NULL,
            server         TEXT NOT NULL,
            client_id      TEXT NOT NULL,
            redirect_uris  TEXT NOT NULL DEFAULT '[]',
            scopes         TEXT NOT NULL DEFAULT '',
            created_at     REAL NOT NULL,
            PRIMARY KEY (network, server)
        )
        """
    )
    # Kept when the draft is purged or the account unlinked: it is the record of what was posted.
    db.execute(
        """
        CREATE TABLE publish_history (
            id               INTEGER PRIMARY KEY,
            idempotency_key  TEXT NOT NULL UNIQUE,
            draft_id         TEXT NOT NULL,
            account_id       TEXT NOT NULL,
            network          TEXT NOT NULL,
            handle           TEXT NOT NULL DEFAULT '',
            status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
            post_url         TEXT NOT NULL DEFAULT '',
            remote_id        TEXT NOT NULL DEFAULT '',
            rkey             TEXT NOT NULL DEFAULT '',
            policy_version   TEXT NOT NULL DEFAULT '',
            acknowledged     TEXT NOT NULL DEFAULT '[]',
            error            TEXT NOT NULL DEFAULT '',
            attempts         INTEGER NOT NULL DEFAULT 0,
            created_at       REAL NOT NULL,
            updated_at       REAL NOT NULL,
            sent_at          REAL
        )
        """
    )
    db.execute("CREATE INDEX publish_history_by_draft ON publish_history(draft_id, created_at)")
    db.execute(
        """
        CREATE TABLE outbox (
            id               INTEGER PRIMARY KEY,
            draft_id         TEXT NOT NULL UNIQUE REFERENCES drafts(id) ON DELETE CASCADE,
            account_ids      TEXT NOT NULL,
            text             TEXT NOT NULL,
            queued_at        REAL NOT NULL,
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  REAL NOT NULL,
            last_error       TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX outbox_by_next_attempt ON outbox(next_attempt_at)")


def _v5_policy_usage(db: sqlite3.Connection) -> None:
    # Staged policy rules (mode = "advise" or "shadow") counted on this computer, so the policy's
    # owner can ask for `chorus policy report` before enforcing a rule. Never any post text, nor a
    # draft id: *post_key* is a hash of where the post is (draft id, or the file a CLI check read)
    # together with the policy, version and rule, so each post counts once per rule and the rows
    # cannot be joined to the drafts. One row per staged rule and post checked under it; *firings*
    # is the most findings the rule made in one check of that post (0: checked, did not fire), so
    # re-checking while the author types does not inflate it. Kept when drafts are purged.
    db.execute(
        """
        CREATE TABLE policy_rule_usage (
            policy_id       TEXT NOT NULL,
            policy_version  TEXT NOT NULL,
            rule_id         TEXT NOT NULL,
            mode            TEXT NOT NULL CHECK (mode IN ('advise', 'shadow')),
            post_key        TEXT NOT NULL,
            firings         INTEGER NOT NULL DEFAULT 0 CHECK (firings >= 0),
            first_at        REAL NOT NULL,
            last_at         REAL NOT NULL,
            PRIMARY KEY (policy_id, policy_version, rule_id, post_key)
        )
        """
    )
    # "This is wrong…": false positives the author reported to the policy's contact. The matched
    # words only when the author chose to include them in the report (NULL otherwise).
    db.execute(
        """
        CREATE TABLE policy_false_positives (
            id              INTEGER PRIMARY KEY,
            policy_id       TEXT NOT NULL,
            policy_version  TEXT NOT NULL,
            rule_id         TEXT NOT NULL,
            matched_text    TEXT,
            reported_at     REAL NOT NULL
        )
        """
    )


def _v6_training_records(db: sqlite3.Connection) -> None:
    # Training (desktop.core.training): every acknowledgement of the company policy and every check
    # of understanding taken, with the exact wording the person saw and answered, so the audit trail
    # can export them as they were. One row per event, never updated: a new policy version gets new
    # rows. *kind*: 'acknowledgement' (wording: the summary and the statement acknowledged) or 'quiz'
    # (wording: each question, the answer given and the right one; passed: 0 or 1; category: the
    # category quizzed, '' for the whole policy). *details*: the same as JSON, for machines.
    db.execute(
        """
        CREATE TABLE training_records (
            id              INTEGER PRIMARY KEY,
            kind            TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'quiz')),
            policy_id       TEXT NOT NULL,
            policy_version  TEXT NOT NULL,
            policy_name     TEXT NOT NULL DEFAULT '',
            category        TEXT NOT NULL DEFAULT '',
            passed          INTEGER CHECK (passed IN (0, 1)),
            wording         TEXT NOT NULL,
            details         TEXT NOT NULL DEFAULT '{}',
            recorded_at     REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX training_records_by_policy ON training_records(policy_id, policy_version, kind)")
    # The categories whose check of understanding was offered when the person first met one of their
    # findings (offered once per policy id and category; not part of the audit record).
    db.execute(
        """
        CREATE TABLE training_categories_offered (
            policy_id   TEXT NOT NULL,
            category    TEXT NOT NULL,
            offered_at  REAL NOT NULL,
            PRIMARY KEY (policy_id, category)
        )
        """
    )


def _v7_draft_media(db: sqlite3.Connection) -> None:
    # Images attached to a draft, in order, with their alt text. The bytes are a copy in the
    # profile's media folder (desktop.core.drafts.media), named by their SHA-256, so a draft keeps
    # its images when the original file is moved or deleted; *name* is the file name as attached.
    db.execute(
        """
        CREATE TABLE draft_media (
            draft_id    TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL CHECK (position >= 0),
            sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
            mime        TEXT NOT NULL,
            width       INTEGER NOT NULL CHECK (width > 0),
            height      INTEGER NOT NULL CHECK (height > 0),
            alt         TEXT NOT NULL DEFAULT '',
            name        TEXT NOT NULL DEFAULT '',
            added_at    REAL NOT NULL,
            PRIMARY KEY (draft_id, position)
        )
        """
    )


def _v8_scheduled_posts(db: sqlite3.Connection) -> None:
    # Publish later: a scheduled post is an outbox entry with the time it is to go out. *scheduled_at*
    # is that moment in UTC (Unix seconds; NULL for a publish that only waits for the network),
    # *time_zone* the IANA zone it was chosen in (shown back in that zone), *held* why the policy in
    # force when it fell due refused it ('' when it is not held: a held post waits for the author).
    db.execute("ALTER TABLE outbox ADD COLUMN scheduled_at REAL")
    db.execute("ALTER TABLE outbox ADD COLUMN time_zone TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE outbox ADD COLUMN held TEXT NOT NULL DEFAULT ''")


# written out here, not taken from desktop.core.audit: a shipped migration must not change with the code
_V9_AUDIT_TABLES = (
    """
    CREATE TABLE audit_log (
        seq        INTEGER PRIMARY KEY,
        at         REAL NOT NULL,
        kind       TEXT NOT NULL,
        record     TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    )
    """,
    "CREATE INDEX audit_log_by_time ON audit_log(at)",
    """
    CREATE TABLE audit_head (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        seq   INTEGER NOT NULL,
        hash  TEXT NOT NULL
    )
    """,
)


def _v9_audit_trail(db: sqlite3.Connection) -> None:
    # The audit trail (desktop.core.audit): an append-only, hash-chained log of every publish, every
    # warning acknowledged with its reason, every policy acknowledgement and quiz result; audit_head
    # keeps the last record's seq and hash so removing the newest records is detected too. The history
    # kept so far (sent publishes, acknowledged warnings, training records) is chained once, in time
    # order, each record marked "migrated".
    from desktop.core.audit.history import migrate_history

    for statement in _V9_AUDIT_TABLES:
        db.execute(statement)
    migrate_history(db)


def _v10_ideas(db: sqlite3.Connection) -> None:
    # Ideas (desktop.core.ideas): the feeds' last good items, kept so the Ideas panel works offline, with
    # each feed's validators (ETag, Last-Modified) and its last failure; which ideas were read or
    # dismissed (by idea key: "<source>#<item id>", feeds and local notes alike); and which ideas a
    # draft was written from, with a copy of their suggested copy and summary (the authenticity check
    # compares the draft with them even after the feed dropped the item).
    db.execute(
        """
        CREATE TABLE idea_feeds (
            source          TEXT PRIMARY KEY,
            title           TEXT NOT NULL DEFAULT '',
            etag            TEXT,
            last_modified   TEXT,
            fetched_at      REAL,
            error           TEXT NOT NULL DEFAULT '',
            error_at        REAL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE idea_items (
            source          TEXT NOT NULL REFERENCES idea_feeds(source) ON DELETE CASCADE,
            item_id         TEXT NOT NULL,
            title           TEXT NOT NULL DEFAULT '',
            link            TEXT NOT NULL DEFAULT '',
            published       REAL,
            summary         TEXT NOT NULL DEFAULT '',
            suggested       TEXT NOT NULL DEFAULT '',
            position        INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (source, item_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE idea_marks (
            idea_key        TEXT PRIMARY KEY,
            read_at         REAL,
            dismissed_at    REAL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE draft_ideas (
            draft_id        TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            idea_key        TEXT NOT NULL,
            source_title    TEXT NOT NULL DEFAULT '',
            title           TEXT NOT NULL DEFAULT '',
            link            TEXT NOT NULL DEFAULT '',
            summary         TEXT NOT NULL DEFAULT '',
            suggested       TEXT NOT NULL DEFAULT '',
            created_at      REAL NOT NULL,
            PRIMARY KEY (draft_id, idea_key)
        )
        """
    )


MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (1, _v1_drafts),
    (2, _v2_targets),
    (3, _v3_acknowledgements),
    (4, _v4_accounts_and_publishing),
    (5, _v5_policy_usage),
    (6, _v6_training_records),
    (7, _v7_draft_media),
    (8, _v8_scheduled_posts),
    (9, _v9_audit_trail),
    (10, _v10_ideas),
)
LATEST_VERSION = MIGRATIONS[-1][0]
