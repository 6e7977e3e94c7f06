"""Linked accounts: metadata in the local database, credentials only in the SecretStore (OS keyring).

- :mod:`.secrets`: key names and size rules every SecretStore follows; an in-memory store for tests.
- :mod:`.store`: accounts, app registrations, publish history and the outbox (drafts database, v4).
- :mod:`.service`: link / unlink / health.
"""

from desktop.core.accounts.secrets import MemorySecretStore, SecretTooLargeError
from desktop.core.accounts.service import AccountHealth, AccountNotFound, AccountService, Health, MissingSecret
from desktop.core.accounts.store import (
    AccountRecord,
    AccountStore,
    AppRegistration,
    OutboxEntry,
    Publication,
    normalize_server,
)

__all__ = [
    "AccountHealth",
    "AccountNotFound",
    "AccountRecord",
    "AccountService",
    "AccountStore",
    "AppRegistration",
    "Health",
    "MemorySecretStore",
    "MissingSecret",
    "OutboxEntry",
    "Publication",
    "SecretTooLargeError",
    "normalize_server",
]
