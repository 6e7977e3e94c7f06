"""Publishing: the service that sends a draft to the chosen accounts exactly once
(:mod:`.service`), and the AT Protocol's record keys (:mod:`.tid`).

The ports the adapters implement live in :mod:`desktop.core.ports`; the names below are kept here
for older imports.
"""

from desktop.core.ports import (
    Account,
    AuthError,
    NetworkClient,
    Offline,
    Post,
    Published,
    PublishError,
    PublishUnconfirmed,
    RateLimited,
    SecretSink,
    SecretStore,
    SecretStoreError,
)

__all__ = ["Account", "AuthError", "NetworkClient", "Offline", "Post", "PublishError", "PublishUnconfirmed",
           "Published", "RateLimited", "SecretSink", "SecretStore", "SecretStoreError"]
