"""Accounts, app registrations, publish history and the outbox, in the drafts database file.

Why not a second database: a publish record names a draft, the outbox holds drafts, and one
file means one backup, one migration history (:mod:`desktop.core.drafts.migrations`, version 4)
and one connection. Why not more methods on DraftStore: drafts and accounts change for different
reasons, and DraftStore is long enough. So :class:`AccountStore` is a view over a
:class:`~desktop.core.drafts.store.DraftStore`: it uses that store's connection, lock and clock
(``transaction()`` / ``reading()``), and, like it, is called from the UI's single "db" lane.

Nothing secret is stored here: no column holds a token, a password or a client secret (they are
in the OS keyring, see :mod:`desktop.core.accounts.secrets`), and :meth:`AccountStore.save_account`
refuses ``limits`` whose keys look like credentials.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.drafts.store import DraftStore
from desktop.core.errors import StorageError
from desktop.core.ports import Account, AppRegistration

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)

_SECRET_LIKE = re.compile(r"(?i)token|secret|password|passwd|jwt|credential|cookie|bearer|authorization")


@dataclass(frozen=True)
class AccountRecord:
    """A linked account as stored: its metadata plus what the app learnt about its health."""

    account: Account
    created_at: float
    updated_at: float
    last_error: str = ""  # the server's reason the last time the credential failed (never a secret)
    last_error_at: float | None = None
    needs_relink: bool = False  # the credential was refused: revoked, expired or deleted from the keyring

    @property
    def id(self) -> str:
        return self.account.id


@dataclass(frozen=True)
class Publication:
    """One draft published (or being published) to one account: a row of the publish history."""

    id: int
    idempotency_key: str
    draft_id: str
    account_id: str
    network: str
    handle: str
    status: str  # pending | sent | failed
    post_url: str
    remote_id: str
    rkey: str  # Bluesky's client-chosen record key (TID), fixed before the first attempt
    policy_version: str
    acknowledged: tuple[Any, ...]  # the acknowledged findings, as JSON values
    error: str
    attempts: int
    created_at: float
    updated_at: float
    sent_at: float | None


@dataclass(frozen=True)
class OutboxEntry:
    """A publish waiting for the network: re-checked against the policy of the day before it is sent."""

    id: int
    draft_id: str
    account_ids: tuple[str, ...]
    text: str
    queued_at: float
    attempts: int
    next_attempt_at: float
    last_error: str


_ACCOUNT_COLUMNS = ("id, network, handle, server, remote_id, display_name, avatar_url, expires_at, limits, "
                    "last_error, last_error_at, needs_relink, created_at, updated_at")
_PUBLICATION_COLUMNS = ("id, idempotency_key, draft_id, account_id, network, handle, status, post_url, remote_id, "
                        "rkey, policy_version, acknowledged, error, attempts, created_at, updated_at, sent_at")
_OUTBOX_COLUMNS = "id, draft_id, account_ids, text, queued_at, attempts, next_attempt_at, last_error"


def normalize_server(url: str) -> str:
    """``HTTPS://Mastodon.Example/`` → ``https://mastodon.example``; a bare host gets ``https://``."""
    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    scheme, rest = url.split("://", 1)
    host, sep, path = rest.partition("/")
    path = path.rstrip("/")
    return f"{scheme.lower()}://{host.lower()}" + (f"/{path}" if path else "")


class AccountStore:
    """Account metadata, app registrations, publish history and outbox. See the module docstring."""

    def __init__(self, database: DraftStore) -> None:
        self.database = database

    @property
    def clock(self):
        return self.database.clock

    # -- accounts --------------------------------------------------------------------------------
    def save_account(self, account: Account, *, reset_health: bool = True) -> AccountRecord:
        """Insert or update *account* (by id). *reset_health* clears the last error (a fresh link)."""
        _check_account(account)
        now = self.clock()
        limits = json.dumps(account.limits, sort_keys=True)
        try:
            with self.database.transaction() as db:
                db.execute(
                    "INSERT INTO accounts (id, network, handle, server, remote_id, display_name, avatar_url, "
                    "expires_at, limits, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET network = excluded.network, handle = excluded.handle, "
                    "server = excluded.server, remote_id = excluded.remote_id, display_name = excluded.display_name, "
                    "avatar_url = excluded.avatar_url, expires_at = excluded.expires_at, limits = excluded.limits, "
                    "updated_at = excluded.updated_at",
                    (account.id, account.network, account.handle, account.server, account.remote_id,
                     account.display_name, account.avatar_url, account.expires_at, limits, now, now),
                )
                if reset_health:
                    db.execute("UPDATE accounts SET last_error = '', last_error_at = NULL, needs_relink = 0 "
                               "WHERE id = ?", (account.id,))
        except sqlite3.IntegrityError as exc:
            raise StorageError(
                f"{account.handle} on {account.server or account.network} is already linked as another account"
            ) from exc
        record = self.get_account(account.id)
        assert record is not None
        return record

    def get_account(self, account_id: str) -> AccountRecord | None:
        with self.database.reading() as db:
            row = db.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return _account(row) if row else None

    def find_account(self, network: str, server: str, remote_id: str) -> AccountRecord | None:
        """The account already linked for this remote identity (used to re-link instead of duplicating)."""
        if not remote_id:
            return None
        with self.database.reading() as db:
            row = db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE network = ? AND server = ? AND remote_id = ?",
                (network, server, remote_id),
            ).fetchone()
        return _account(row) if row else None

    def accounts(self, network: str | None = None) -> list[AccountRecord]:
        with self.database.reading() as db:
            if network:
                rows = db.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE network = ? "
                                  "ORDER BY network, handle COLLATE NOCASE, created_at", (network,)).fetchall()
            else:
                rows = db.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts "
                                  "ORDER BY network, handle COLLATE NOCASE, created_at").fetchall()
        return [_account(row) for row in rows]

    def delete_account(self, account_id: str) -> bool:
        with self.database.transaction() as db:
            cursor = db.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
        return cursor.rowcount == 1

    def record_account_error(self, account_id: str, reason: str, *, needs_relink: bool) -> None:
        """Remember why the credential failed (a reason for people, never a secret)."""
        with self.database.transaction() as db:
            db.execute("UPDATE accounts SET last_error = ?, last_error_at = ?, needs_relink = ? WHERE id = ?",
                       (reason, self.clock(), int(needs_relink), account_id))

    def clear_account_error(self, account_id: str) -> None:
        with self.database.transaction() as db:
            db.execute("UPDATE accounts SET last_error = '', last_error_at = NULL, needs_relink = 0 WHERE id = ?",
                       (account_id,))

    # -- app registrations (per network and server) ---------------------------------------------
    def save_app_registration(self, registration: AppRegistration) -> AppRegistration:
        stored = dataclasses.replace(registration, created_at=registration.created_at or self.clock())
        with self.database.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO app_registrations (network, server, client_id, redirect_uris, scopes, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (stored.network, stored.server, stored.client_id, json.dumps(list(stored.redirect_uris)),
                 stored.scopes, stored.created_at),
            )
        return stored

    def app_registration(self, network: str, server: str) -> AppRegistration | None:
        with self.database.reading() as db:
            row = db.execute(
                "SELECT network, server, client_id, redirect_uris, scopes, created_at FROM app_registrations "
                "WHERE network = ? AND server = ?", (network, server),
            ).fetchone()
        if row is None:
            return None
        return AppRegistration(row[0], row[1], row[2], tuple(_json(row[3], [])), row[4], row[5])

    def delete_app_registration(self, network: str, server: str) -> None:
        with self.database.transaction() as db:
            db.execute("DELETE FROM app_registrations WHERE network = ? AND server = ?", (network, server))

    # -- publish history -------------------------------------------------------------------------
    def begin_publication(
        self,
        draft_id: str,
        account: Account,
        idempotency_key: str,
        *,
        policy_version: str = "",
        acknowledged: Iterable[Any] = (),
        rkey: str = "",
    ) -> Publication:
        """Record an attempt *before* sending: a new pending row, or the existing row for this key.

        An existing row keeps its rkey (the same record key must be reused after an ambiguous
        failure) and its status: the caller decides what a ``sent`` or ``pending`` row means.
        The attempt counter goes up either way.
        """
        now = self.clock()
        acks = json.dumps([_jsonable(a) for a in acknowledged], sort_keys=True, ensure_ascii=False)
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO publish_history (idempotency_key, draft_id, account_id, network, handle, status, rkey, "
                "policy_version, acknowledged, attempts, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(idempotency_key) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at, "
                "policy_version = excluded.policy_version, acknowledged = excluded.acknowledged, "
                "status = CASE WHEN status = 'failed' THEN 'pending' ELSE status END",
                (idempotency_key, draft_id, account.id, account.network, account.handle, rkey, policy_version, acks,
                 now, now),
            )
        publication = self.publication(idempotency_key)
        assert publication is not None
        return publication

    def mark_sent(self, idempotency_key: str, post_url: str, remote_id: str) -> Publication:
        now = self.clock()
        with self.database.transaction() as db:
            cursor = db.execute(
                "UPDATE publish_history SET status = 'sent', post_url = ?, remote_id = ?, error = '', "
                "sent_at = COALESCE(sent_at, ?), updated_at = ? WHERE idempotency_key = ?",
                (post_url, remote_id, now, now, idempotency_key),
            )
            if cursor.rowcount != 1:
                raise StorageError(f"no publish record for key {idempotency_key}")
        return self.publication(idempotency_key)  # type: ignore[return-value]

    def mark_failed(self, idempotency_key: str, reason: str) -> Publication:
        """Failed with the server's *reason*. A row already ``sent`` stays sent."""
        with self.database.transaction() as db:
            cursor = db.execute(
                "UPDATE publish_history SET status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, "
                "error = CASE WHEN status = 'sent' THEN error ELSE ? END, updated_at = ? WHERE idempotency_key = ?",
                (reason, self.clock(), idempotency_key),
            )
            if cursor.rowcount != 1:
                raise StorageError(f"no publish record for key {idempotency_key}")
        return self.publication(idempotency_key)  # type: ignore[return-value]

    def publication(self, idempotency_key: str) -> Publication | None:
        with self.database.reading() as db:
            row = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE idempotency_key = ?",
                             (idempotency_key,)).fetchone()
        return _publication(row) if row else None

    def history(self, draft_id: str) -> list[Publication]:
        """Everything published (or tried) from this draft, oldest first."""
        with self.database.reading() as db:
            rows = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE draft_id = ? "
                              "ORDER BY created_at, id", (draft_id,)).fetchall()
        return [_publication(row) for row in rows]

    def pending_publications(self) -> list[Publication]:
        """Rows left ``pending`` (the app stopped mid-send): each must be looked up before sending again."""
        with self.database.reading() as db:
            rows = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE status = 'pending' "
                              "ORDER BY created_at, id").fetchall()
        return [_publication(row) for row in rows]

    # -- outbox ----------------------------------------------------------------------------------
    def enqueue(self, draft_id: str, account_ids: Sequence[str], text: str,
                next_attempt_at: float | None = None) -> OutboxEntry:
        """Queue a publish for when the network is back. A draft is queued once: queuing it again
        replaces its accounts and text and starts its attempts afresh."""
        if not account_ids:
            raise ValueError("a queued publish needs at least one account")
        now = self.clock()
        try:
            with self.database.transaction() as db:
                db.execute(
                    "INSERT INTO outbox (draft_id, account_ids, text, queued_at, attempts, next_attempt_at, last_error) "
                    "VALUES (?, ?, ?, ?, 0, ?, '') ON CONFLICT(draft_id) DO UPDATE SET "
                    "account_ids = excluded.account_ids, text = excluded.text, queued_at = excluded.queued_at, "
                    "attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = ''",
                    (draft_id, json.dumps(list(account_ids)), text, now,
                     now if next_attempt_at is None else next_attempt_at),
                )
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"draft {draft_id} does not exist") from exc
        entry = self.outbox_entry(draft_id)
        assert entry is not None
        return entry

    def outbox_entry(self, draft_id: str) -> OutboxEntry | None:
        with self.database.reading() as db:
            row = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE draft_id = ?", (draft_id,)).fetchone()
        return _outbox(row) if row else None

    def outbox(self, due_at: float | None = None) -> list[OutboxEntry]:
        """Queued publishes, oldest first; only those due by *due_at* when given."""
        with self.database.reading() as db:
            if due_at is None:
                rows = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox ORDER BY queued_at, id").fetchall()
            else:
                rows = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE next_attempt_at <= ? "
                                  "ORDER BY next_attempt_at, id", (due_at,)).fetchall()
        return [_outbox(row) for row in rows]

    def record_outbox_attempt(self, entry_id: int, error: str, next_attempt_at: float) -> None:
        with self.database.transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       (error, next_attempt_at, entry_id))

    def remove_from_outbox(self, entry_id: int) -> None:
        with self.database.transaction() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def claim_outbox_entry(self, entry_id: int, *, now: float, until: float) -> bool:
        """Take a due entry for sending: True for exactly one of any number of callers, in this process
        or another one on the same file (one ``UPDATE`` in a ``BEGIN IMMEDIATE`` transaction: whoever
        writes first moves the entry's next attempt to *until*, and it is no longer due for anyone
        else). A sender that dies with the claim leaves the entry due again at *until*; sending it
        again is safe, because the publish record of the first attempt makes the next one look first.

        Why the next attempt time and not claimed_by/claimed_at columns: a claim *is* "nobody else
        tries this before then", the column is already indexed, and no schema change is needed."""
        with self.database.transaction() as db:
            cursor = db.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at <= ?",
                                (until, entry_id, now))
        return cursor.rowcount == 1

    def release_outbox_entry(self, entry_id: int, claimed_until: float) -> bool:
        """Remove an entry that was claimed until *claimed_until* and has been sent, unless it changed
        since (queued again because still offline, or re-queued by the author): then it stays."""
        with self.database.transaction() as db:
            cursor = db.execute("DELETE FROM outbox WHERE id = ? AND next_attempt_at = ?", (entry_id, claimed_until))
        return cursor.rowcount == 1


# -- rows ------------------------------------------------------------------------------------------
def _check_account(account: Account) -> None:
    if not account.id:
        raise ValueError("an account needs an id")
    if not account.network:
        raise ValueError("an account needs a network")
    suspicious = [str(k) for k in _walk_keys(account.limits) if _SECRET_LIKE.search(str(k))]
    if suspicious:
        raise ValueError(f"account limits must not hold credentials (keys {', '.join(sorted(suspicious))})")


def _walk_keys(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk_keys(item)


def _json(text: str, default: Any) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return default


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _account(row: tuple) -> AccountRecord:
    limits = _json(row[8], {})
    account = Account(
        id=row[0], network=row[1], handle=row[2], server=row[3], remote_id=row[4], display_name=row[5],
        avatar_url=row[6], expires_at=row[7], limits=limits if isinstance(limits, dict) else {},
    )
    return AccountRecord(account, created_at=row[12], updated_at=row[13], last_error=row[9],
                         last_error_at=row[10], needs_relink=bool(row[11]))


def _publication(row: tuple) -> Publication:
    acknowledged = _json(row[11], [])
    return Publication(
        id=row[0], idempotency_key=row[1], draft_id=row[2], account_id=row[3], network=row[4], handle=row[5],
        status=row[6], post_url=row[7], remote_id=row[8], rkey=row[9], policy_version=row[10],
        acknowledged=tuple(acknowledged) if isinstance(acknowledged, list) else (), error=row[12], attempts=row[13],
        created_at=row[14], updated_at=row[15], sent_at=row[16],
    )


def _outbox(row: tuple) -> OutboxEntry:
    ids = _json(row[2], [])
    return OutboxEntry(id=row[0], draft_id=row[1], account_ids=tuple(str(i) for i in ids) if isinstance(ids, list)
                       else (), text=row[3], queued_at=row[4], attempts=row[5], next_attempt_at=row[6],
                       last_error=row[7])
