"""Rules every :class:`~desktop.core.publishing.SecretStore` follows, and an in-memory store for tests.

Sizes: Windows Credential Manager keeps a secret as UTF-16 in at most 2,560 bytes
(``CRED_MAX_CREDENTIAL_BLOB_SIZE``; keyring writes UTF-16, so that is 1,280 UTF-16 code units,
about 1,280 ASCII characters). Chorus refuses, on every platform alike, a value over
:data:`MAX_SECRET_BYTES` UTF-8 bytes *or* over the Windows limit in UTF-16, so an account that
links on Linux also links on Windows. Tokens that big are not expected (Mastodon tokens are 43
characters, Bluesky refresh JWTs a few hundred); store the refresh token, not a whole session.

Key names: the keyring entry of a linked account is its local id (:func:`account_secret_key`);
a network app registered on a server (Mastodon's client secret) is :func:`app_secret_key`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from desktop.core.ports import SecretStore, SecretStoreError

SERVICE_NAME = "Chorus"  # the keyring "service" every entry is filed under
MAX_SECRET_BYTES = 2_000  # UTF-8
WINDOWS_BLOB_LIMIT = 2_560  # bytes of UTF-16 (CRED_MAX_CREDENTIAL_BLOB_SIZE)
MAX_KEY_LENGTH = 200


def account_secret_key(account_id: str) -> str:
    return account_id


def app_secret_key(network: str, server: str) -> str:
    """The keyring entry of an app registered on *server* (e.g. Mastodon's client secret)."""
    return f"app:{network}:{server}"


def check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a secret's key must be 1 to {MAX_KEY_LENGTH} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in key):
        raise ValueError("a secret's key must not contain control characters")


def check_value(key: str, value: str) -> None:
    """Raise SecretStoreError (without the value in it) when *value* cannot be stored everywhere."""
    if not isinstance(value, str):
        raise TypeError("a secret must be text")
    if not value:
        raise ValueError("an empty secret cannot be stored; delete the entry instead")
    utf8 = len(value.encode("utf-8"))
    utf16 = len(value.encode("utf-16-le"))
    if utf8 > MAX_SECRET_BYTES or utf16 > WINDOWS_BLOB_LIMIT:
        raise SecretTooLargeError(
            f"The credential for {key} is too large to keep in the system keyring "
            f"({utf8:,} bytes; the limit is {MAX_SECRET_BYTES:,} bytes, and {WINDOWS_BLOB_LIMIT // 2:,} "
            "characters for Windows Credential Manager).",
            advice="This is a problem in Chorus, not on your computer: please report it. Nothing was saved.",
        )


class SecretTooLargeError(SecretStoreError):
    """The value is over the size every platform's keyring can hold (nothing was stored)."""


class MemorySecretStore:
    """A SecretStore in memory, with the real store's size and key rules. For tests and demos.

    ``fail_with`` makes every call raise that error (a locked or missing keyring);
    ``calls`` records (operation, key), never values.
    """

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail_with: SecretStoreError | None = None
        self._lock = threading.Lock()

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def get(self, key: str) -> str | None:
        check_key(key)
        with self._lock:
            self.calls.append(("get", key))
            self._maybe_fail()
            return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        check_key(key)
        check_value(key, value)
        with self._lock:
            self.calls.append(("set", key))
            self._maybe_fail()
            self.values[key] = value

    def delete(self, key: str) -> None:
        check_key(key)
        with self._lock:
            self.calls.append(("delete", key))
            self._maybe_fail()
            self.values.pop(key, None)


class SerialSecretStore:
    """Every call of another SecretStore made on one dedicated thread ("the keyring lane").

    The keyring is reached from several places (linking on a worker, each publish target on a
    thread of its own, unlinking); D-Bus connections and unlock prompts behave best when one
    thread makes every call, one at a time. *make_store* builds the real store on that thread at
    the first call, so the keyring library is imported off the GUI thread and only when needed.
    Each call blocks its caller until done. Exceptions (SecretStoreError) reach the caller as is.
    """

    def __init__(self, make_store: Callable[[], SecretStore], thread_name: str = "chorus-secrets") -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._make_store = make_store
        self._store: SecretStore | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=thread_name)
        self._thread_ident: int | None = None

    def _call(self, method: str, *args: str) -> Any:
        def work() -> Any:
            self._thread_ident = threading.get_ident()
            if self._store is None:
                self._store = self._make_store()
            return getattr(self._store, method)(*args)

        if threading.get_ident() == self._thread_ident:
            return work()  # already on the keyring thread (a store calling back into itself)
        try:
            future = self._executor.submit(work)
        except RuntimeError:  # closed: the app is quitting
            raise SecretStoreError("Chorus is closing, so it no longer uses the keyring.") from None
        return future.result()

    def get(self, key: str) -> str | None:
        value: str | None = self._call("get", key)
        return value

    def set(self, key: str, value: str) -> None:
        self._call("set", key, value)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def close(self) -> None:
        """Stop the thread after the call in progress (queued calls are cancelled)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
