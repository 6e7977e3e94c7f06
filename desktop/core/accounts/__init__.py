"""Linked accounts: metadata in the local database, credentials only in the SecretStore (OS keyring).

- :mod:`.secrets`: key names and size rules every SecretStore follows; an in-memory store for tests.
- :mod:`.store`: accounts and app registrations (drafts database, v4).
- :mod:`.service`: link / unlink / health.
"""

from desktop.core.accounts.secrets import MemorySecretStore, SecretTooLargeError
from desktop.core.accounts.service import AccountHealth, AccountNotFound, AccountService, Health, MissingSecret
from desktop.core.accounts.store import (
    AccountRecord,
    AccountStore,
    normalize_server,
)
from desktop.core.ports import AppRegistration

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
    "SecretTooLargeError",
    "normalize_server",
]
