"""Accounts and app registrations, in the drafts database file (publish history and the outbox,
in the same file, are publishing's: :mod:`desktop.core.publishing.store`).

Why not a second database: an account's publishes name drafts, and one file means one backup, one
migration history (:mod:`desktop.core.drafts.migrations`) and one connection. Why not more methods
on DraftStore: drafts and accounts change for different reasons. So :class:`AccountStore` is a view
over a
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from desktop.core.drafts.store import DraftStore
from desktop.core.errors import StorageError
from desktop.core.ports import Account, AppRegistration

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


_ACCOUNT_COLUMNS = ("id, network, handle, server, remote_id, display_name, avatar_url, expires_at, limits, "
                    "last_error, last_error_at, needs_relink, created_at, updated_at")

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
    """Account metadata and app registrations. See the module docstring."""

    def __init__(self, database: DraftStore) -> None:
        self.database = database

    @property
    def clock(self) -> Callable[[], float]:
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


def _account(row: tuple[Any, ...]) -> AccountRecord:
    limits = _json(row[8], {})
    account = Account(
        id=row[0], network=row[1], handle=row[2], server=row[3], remote_id=row[4], display_name=row[5],
        avatar_url=row[6], expires_at=row[7], limits=limits if isinstance(limits, dict) else {},
    )
    return AccountRecord(account, created_at=row[12], updated_at=row[13], last_error=row[9],
                         last_error_at=row[10], needs_relink=bool(row[11]))
