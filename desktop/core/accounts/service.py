"""Linking and unlinking accounts: the secret goes to the SecretStore, the rest to the database.

Order matters, so that a failure never leaves half an account:
- **link**: the secret first, then the metadata. If the keyring refuses (locked, missing, value
  too large) the SecretStoreError propagates and nothing is written. If the database write then
  fails, the secret just stored is removed again (best effort) and the error propagates.
- **unlink**: the keyring entry first, then the metadata. If the keyring refuses, the account
  stays listed (so the user can unlock the keyring and try again) unless ``force=True``, which
  removes the metadata anyway (for a keyring that is gone for good).

Linking an account that is already linked (same network, server and remote id) re-links it: it
keeps its local id, its secret is replaced and its health is reset.

Every method blocks (keyring, disk): the UI calls them on a worker lane. The service never logs
or returns a secret except from :meth:`AccountService.secret`, for the publishing code.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.accounts.secrets import account_secret_key, app_secret_key
from desktop.core.accounts.store import AccountRecord, AccountStore, normalize_server
from desktop.core.errors import ChorusError
from desktop.core.logs import register_secret
from desktop.core.ports import Account, AppRegistration, SecretStore, SecretStoreError

log = logging.getLogger(__name__)

EXPIRY_WARNING_S = 7 * 24 * 3600  # warn this long before a credential expires (LinkedIn: 60-day tokens)


class Health(enum.Enum):
    VALID = "valid"
    EXPIRING = "expiring"
    NEEDS_RELINK = "needs_relink"


@dataclass(frozen=True)
class AccountHealth:
    state: Health
    message: str  # one sentence for the account list
    expires_in_s: float | None = None


class AccountNotFound(ChorusError, LookupError):
    """No linked account has this id (it was unlinked meanwhile)."""

    def __init__(self, account_id: str) -> None:
        super().__init__("This account is no longer linked.", "Refresh the list of accounts.")
        self.account_id = account_id


class MissingSecret(ChorusError):
    """The account is listed but its keyring entry is gone: it must be linked again."""


def new_account_id() -> str:
    return "acct-" + os.urandom(12).hex()


class AccountService:
    def __init__(self, secrets: SecretStore, store: AccountStore, clock: Callable[[], float] = time.time,
                 new_id: Callable[[], str] = new_account_id) -> None:
        self.secrets = secrets
        self.store = store
        self.clock = clock
        self.new_id = new_id

    # -- link / unlink ---------------------------------------------------------------------------
    def link(self, account: Account, secret: str) -> AccountRecord:
        """Store *secret* in the keyring, then *account*'s metadata; returns the stored record.

        *account.id* may be empty: an id is chosen (the existing one when this remote account is
        already linked). Raises SecretStoreError (nothing written) or StorageError.
        """
        if not secret:
            raise ValueError("linking an account needs its credential")
        account = dataclasses.replace(account, server=normalize_server(account.server))
        existing = self.store.find_account(account.network, account.server, account.remote_id)
        if existing is not None:
            account = dataclasses.replace(account, id=existing.id)
        elif not account.id:
            account = dataclasses.replace(account, id=self.new_id())
        register_secret(secret)
        key = account_secret_key(account.id)
        self.secrets.set(key, secret)  # SecretStoreError: nothing written anywhere
        try:
            record = self.store.save_account(account)
        except BaseException:
            if existing is None:
                try:
                    self.secrets.delete(key)
                except SecretStoreError:
                    log.warning("could not remove the credential %s after a failed link", key)
            raise
        log.info("linked %s account %s (%s)%s", account.network, account.id, account.handle,
                 " again" if existing else "")
        return record

    def unlink(self, account_id: str, *, force: bool = False) -> None:
        """Delete the account's keyring entry, then its metadata (publish history is kept).

        Raises SecretStoreError, leaving the account listed, when the keyring refuses, unless
        *force*. Unknown ids raise AccountNotFound.
        """
        record = self.store.get_account(account_id)
        if record is None:
            raise AccountNotFound(account_id)
        try:
            self.secrets.delete(account_secret_key(account_id))
        except SecretStoreError:
            if not force:
                raise
            log.warning("unlinking %s without deleting its keyring entry (forced)", account_id)
        self.store.delete_account(account_id)
        log.info("unlinked %s account %s", record.account.network, account_id)

    def update(self, account: Account) -> AccountRecord:
        """Save changed metadata (profile, limits, expiry) of a linked account; the secret is untouched."""
        if self.store.get_account(account.id) is None:
            raise AccountNotFound(account.id)
        return self.store.save_account(account, reset_health=False)

    def replace_secret(self, account_id: str, secret: str) -> None:
        """Store a refreshed credential (a new refresh token) for a linked account."""
        if self.store.get_account(account_id) is None:
            raise AccountNotFound(account_id)
        register_secret(secret)
        self.secrets.set(account_secret_key(account_id), secret)

    def secret(self, account_id: str) -> str:
        """The account's credential, for the network adapter. MissingSecret marks it for re-linking."""
        value = self.secrets.get(account_secret_key(account_id))
        if value is None:
            reason = "Its credential is no longer in the keyring."
            self.store.record_account_error(account_id, reason, needs_relink=True)
            raise MissingSecret(reason)
        return value

    # -- health ----------------------------------------------------------------------------------
    def accounts(self) -> list[AccountRecord]:
        return self.store.accounts()

    def record_auth_failure(self, account_id: str, reason: str) -> None:
        """The network refused the credential (revoked, expired): the account needs re-linking."""
        self.store.record_account_error(account_id, reason, needs_relink=True)

    def record_success(self, account_id: str) -> None:
        record = self.store.get_account(account_id)
        if record is not None and (record.needs_relink or record.last_error):
            self.store.clear_account_error(account_id)

    def health(self, record: AccountRecord, now: float | None = None) -> AccountHealth:
        now = self.clock() if now is None else now
        if record.needs_relink:
            reason = record.last_error or "Its credential no longer works."
            return AccountHealth(Health.NEEDS_RELINK, f"{reason} Link the account again.")
        expires_at = record.account.expires_at
        if expires_at is not None:
            left = expires_at - now
            if left <= 0:
                return AccountHealth(Health.NEEDS_RELINK, "Its access has expired. Link the account again.", left)
            if left <= EXPIRY_WARNING_S:
                return AccountHealth(Health.EXPIRING, f"Access expires {_in(left)}: link it again to keep posting.",
                                     left)
            return AccountHealth(Health.VALID, "Linked.", left)
        return AccountHealth(Health.VALID, "Linked.")

    # -- apps registered on servers (Mastodon) ---------------------------------------------------
    def save_app_registration(self, registration: AppRegistration, client_secret: str) -> AppRegistration:
        """The client secret to the keyring first, then the registration (client id etc.) to the database."""
        registration = dataclasses.replace(registration, server=normalize_server(registration.server))
        register_secret(client_secret)
        self.secrets.set(app_secret_key(registration.network, registration.server), client_secret)
        return self.store.save_app_registration(registration)

    def app_registration(self, network: str, server: str) -> tuple[AppRegistration, str] | None:
        """The cached registration and its client secret; None when either is missing (register again)."""
        server = normalize_server(server)
        registration = self.store.app_registration(network, server)
        if registration is None:
            return None
        secret = self.secrets.get(app_secret_key(network, server))
        if secret is None:
            self.store.delete_app_registration(network, server)
            return None
        return registration, secret

    def forget_app_registration(self, network: str, server: str) -> None:
        server = normalize_server(server)
        self.secrets.delete(app_secret_key(network, server))
        self.store.delete_app_registration(network, server)


def _in(seconds: float) -> str:
    days = int(seconds // 86400)
    if days >= 2:
        return f"in {days} days"
    hours = int(seconds // 3600)
    if hours >= 2:
        return f"in {hours} hours"
    return "within the hour" if seconds > 60 else "in a minute"
