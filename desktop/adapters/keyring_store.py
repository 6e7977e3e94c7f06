"""The one SecretStore: the operating system's keyring, through the ``keyring`` library.

Entries are filed under the service name ``Chorus`` with the key (an account id, or
``app:<network>:<server>``) as the user name.

Fail closed. Only the operating system's own stores are used: Secret Service (GNOME Keyring,
KeePassXC, KWallet ≥ 5.97) or libsecret, KWallet, the macOS Keychain and Windows Credential
Manager. Anything else, the ``fail`` and ``null`` backends, a chainer with none of those in it,
``keyrings.alt`` (plaintext or weakly encrypted files) or an unknown third-party backend, is
refused with a :class:`SecretStoreError` whose ``advice`` tells the user what to do. There is no
plaintext fallback. A chainer (keyring picks one when several backends are installed) is reduced
to its best allowed member, so a plaintext backend chained behind it never sees a secret.

A locked collection makes the daemon prompt for the password; when the prompt is dismissed (or
cannot be shown) keyring raises ``KeyringLocked``, reported as "unlock your login keyring".

Every call blocks (D-Bus, maybe an unlock prompt): call it from a worker, never the GUI thread.
Calls are serialised with a lock. No exception or log line raised or written here contains a
secret: values are registered with :func:`desktop.core.logs.register_secret`, messages are built
here, and backend exceptions are summarised (type and redacted text), never chained.
"""

from __future__ import annotations

import logging
import sys
import threading
from contextlib import closing
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from desktop.core.accounts.secrets import SERVICE_NAME, check_key, check_value
from desktop.core.logs import redact, register_secret
from desktop.core.ports import SecretStoreError

log = logging.getLogger(__name__)

# module.ClassName of the backends that keep secrets in the operating system's store.
SECURE_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)
CHAINER = "keyring.backends.chainer.ChainerBackend"

LOCKED_ADVICE = (
    "Unlock your login keyring, then try again. If a password window appeared and was closed, "
    "try again and type the password you use to log in to this computer."
)


def no_keyring_advice(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("Chorus keeps credentials in Windows Credential Manager: make sure you are logged in with your "
                "own account (not a guest profile), then restart Chorus; if it still fails, ask IT.")
    if platform == "darwin":
        return ("Chorus keeps credentials in the macOS Keychain: open Keychain Access, unlock the login keychain, "
                "then try again.")
    # the message before it already says what is wrong (often "No secure keyring is available"): the advice
    # says only what to do, so the two never repeat a sentence
    return ("To fix it, install and unlock GNOME Keyring (package gnome-keyring) or KWallet, log out and in again, "
            "then restart Chorus. Chorus never keeps credentials in a plain file.")


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def select_secure_backend(backend: KeyringBackend) -> KeyringBackend:
    """*backend* itself if it is an OS store, the best OS store inside a chainer, else SecretStoreError."""
    name = backend_name(backend)
    if name in SECURE_BACKENDS:
        return backend
    if name == CHAINER:
        members = list(getattr(backend, "backends", []))
        for member in members:  # already sorted by priority, highest first
            if backend_name(member) in SECURE_BACKENDS:
                return member
        found = ", ".join(backend_name(m) for m in members) or "nothing"
        raise SecretStoreError(
            f"No secure keyring is available (keyring found {found}).", advice=no_keyring_advice()
        )
    if name.startswith("keyrings.alt."):
        message = (f"The keyring backend {name} keeps credentials in a file, not in a secure system keyring, "
                   "so Chorus will not use it.")
    elif name in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
        message = "No secure keyring is available."
    else:
        message = f"The keyring backend {name} is not one Chorus trusts with credentials."
    raise SecretStoreError(message, advice=no_keyring_advice())


class KeyringSecretStore:
    """SecretStore on the OS keyring. *backend* defaults to keyring's choice (``keyring.get_keyring()``)."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE_NAME) -> None:
        self._backend = backend
        self.service = service
        self._lock = threading.Lock()

    # -- the SecretStore protocol ----------------------------------------------------------------
    def get(self, key: str) -> str | None:
        check_key(key)
        with self._lock:
            backend = self.backend()
            try:
                self._open(backend)
                value = backend.get_password(self.service, key)
            except Exception as exc:  # noqa: BLE001 - every backend failure becomes a SecretStoreError
                raise self._translate(exc, "read", key, backend) from None
        if value is not None:
            register_secret(value)
        return value

    def set(self, key: str, value: str) -> None:
        check_key(key)
        check_value(key, value)
        register_secret(value)
        with self._lock:
            backend = self.backend()
            try:
                self._open(backend)
                backend.set_password(self.service, key, value)
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc, "save", key, backend, value) from None
        log.info("saved the credential %s in %s", key, backend_name(backend))

    def delete(self, key: str) -> None:
        """Remove the entry; an entry that does not exist is not an error."""
        check_key(key)
        with self._lock:
            backend = self.backend()
            try:
                self._open(backend)
                backend.delete_password(self.service, key)
            except keyring.errors.PasswordDeleteError:
                if self._exists(backend, key):
                    raise SecretStoreError(
                        f"The keyring refused to delete the credential {key}.",
                        advice="Unlock your login keyring, then try again.",
                    ) from None
                return
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc, "delete", key, backend) from None
        log.info("deleted the credential %s from %s", key, backend_name(backend))

    # -- helpers ---------------------------------------------------------------------------------
    def backend(self) -> KeyringBackend:
        """The backend in use, after the allowlist; raises SecretStoreError when none is usable."""
        try:
            chosen = self._backend if self._backend is not None else keyring.get_keyring()
        except Exception as exc:  # noqa: BLE001 - a broken keyringrc or backend import
            raise SecretStoreError(f"The keyring could not be loaded ({type(exc).__name__}).",
                                   advice=no_keyring_advice()) from None
        return select_secure_backend(chosen)

    def check(self) -> str:
        """Raise SecretStoreError when no secure keyring is usable; returns the backend's name.

        Only checks the choice of backend: a locked collection shows up on the first real call.
        """
        return backend_name(self.backend())

    def locked(self) -> bool | None:
        """Whether the collection Chorus uses is locked, asked without unlocking it (no password
        prompt: for diagnostics). None when the backend cannot say (every backend but Secret Service
        unlocks with the user's session). Raises SecretStoreError when no secure keyring is usable."""
        backend = self.backend()
        from keyring.backends import SecretService

        if not isinstance(backend, SecretService.Keyring):
            return None
        import secretstorage
        import secretstorage.exceptions

        try:
            connection = secretstorage.dbus_init()
        except secretstorage.exceptions.SecretStorageException as exc:
            raise SecretStoreError(f"The Secret Service cannot be reached ({redact(str(exc))}).",
                                   advice=no_keyring_advice()) from None
        with closing(connection):
            try:
                path = getattr(backend, "preferred_collection", None)
                collection = (secretstorage.Collection(connection, path) if path
                              else secretstorage.get_default_collection(connection))
                return bool(collection.is_locked())
            except secretstorage.exceptions.SecretStorageException as exc:
                raise SecretStoreError(f"The keyring's collection cannot be opened ({redact(str(exc))}).",
                                       advice=no_keyring_advice()) from None

    def _open(self, backend: KeyringBackend) -> None:
        """Before a Secret Service call: unlock the collection (the daemon prompts) or raise KeyringLocked.

        keyring does the same inside each call, but on that path it leaves its D-Bus connection
        open (a socket per failed call until garbage collection); doing it here, with the
        connection closed, means keyring only ever sees an unlocked collection.
        """
        from keyring.backends import SecretService

        if not isinstance(backend, SecretService.Keyring):
            return
        import secretstorage
        import secretstorage.exceptions

        try:
            connection = secretstorage.dbus_init()
        except secretstorage.exceptions.SecretStorageException as exc:
            raise keyring.errors.InitError(f"Failed to connect to the Secret Service: {exc}") from None
        with closing(connection):
            try:
                path = getattr(backend, "preferred_collection", None)
                collection = (secretstorage.Collection(connection, path) if path
                              else secretstorage.get_default_collection(connection))
                if collection.is_locked():
                    collection.unlock()  # shows the daemon's password prompt and waits for it
                    if collection.is_locked():
                        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
            except secretstorage.exceptions.SecretStorageException as exc:
                raise keyring.errors.InitError(f"Failed to open the collection: {exc}") from None

    def _exists(self, backend: KeyringBackend, key: str) -> bool:
        try:
            return backend.get_password(self.service, key) is not None
        except Exception:  # noqa: BLE001
            return False

    def _translate(self, exc: BaseException, action: str, key: str, backend: Any, value: str | None = None
                   ) -> SecretStoreError:
        kind = type(exc).__name__
        detail = redact(str(exc))
        if value:
            detail = detail.replace(value, "[REDACTED]")
        log.warning("keyring %s of %s in %s failed: %s: %s", action, key, backend_name(backend), kind, detail)
        if isinstance(exc, keyring.errors.KeyringLocked) or "Locked" in kind or "Dismissed" in kind:
            return SecretStoreError(f"Your keyring is locked, so Chorus could not {action} the credential.",
                                    advice=LOCKED_ADVICE)
        if isinstance(exc, (keyring.errors.NoKeyringError, keyring.errors.InitError)):
            return SecretStoreError(f"The keyring could not be opened ({detail or kind}).", advice=no_keyring_advice())
        return SecretStoreError(
            f"The keyring could not {action} the credential ({kind}: {detail})." if detail
            else f"The keyring could not {action} the credential ({kind}).",
            advice="Check that your keyring is running and unlocked, then try again.",
        )
