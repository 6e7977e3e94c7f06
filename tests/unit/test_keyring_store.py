"""KeyringSecretStore without a daemon: which backends it accepts, and how failures are reported.

The real Secret Service is exercised in tests/integration/test_keyring.py.
"""

from __future__ import annotations

import logging

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from desktop.adapters.keyring_store import KeyringSecretStore, backend_name, select_secure_backend
from desktop.core.accounts.secrets import SecretTooLargeError
from desktop.core.ports import SecretStoreError


class _Memory(KeyringBackend):
    # never picked by keyring's own detection in this process (subclasses register themselves)
    priority = -1  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.raise_on_call: BaseException | None = None

    def _check(self) -> None:
        if self.raise_on_call is not None:
            raise self.raise_on_call

    def get_password(self, service, username):
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self._check()
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]


def named(module: str, name: str) -> type[_Memory]:
    """A memory backend that presents itself as *module.name* (what the allowlist looks at)."""
    return type(name, (_Memory,), {"__module__": module, "__qualname__": name})


SecretServiceLike = named("keyring.backends.SecretService", "Keyring")
WindowsLike = named("keyring.backends.Windows", "WinVaultKeyring")
PlaintextLike = named("keyrings.alt.file", "PlaintextKeyring")
ThirdPartyLike = named("keyrings.cryptfile.cryptfile", "CryptFileKeyring")


def test_os_backends_are_accepted_and_used_with_the_chorus_service_name():
    backend = WindowsLike()
    store = KeyringSecretStore(backend)
    assert store.check() == "keyring.backends.Windows.WinVaultKeyring"
    store.set("acct-1", "secret-value-1")
    assert backend.entries == {("Chorus", "acct-1"): "secret-value-1"}
    assert store.get("acct-1") == "secret-value-1"
    store.delete("acct-1")
    store.delete("acct-1")  # missing: not an error
    assert store.get("acct-1") is None


@pytest.mark.parametrize(
    "backend, words",
    [
        (fail.Keyring(), "No secure keyring is available"),
        (null.Keyring(), "No secure keyring is available"),
        (PlaintextLike(), "keeps credentials in a file"),
        (ThirdPartyLike(), "not one Chorus trusts"),
    ],
)
def test_insecure_or_missing_backends_are_refused_with_advice(backend, words):
    store = KeyringSecretStore(backend)
    with pytest.raises(SecretStoreError, match=words) as caught:
        store.set("acct-1", "secret-value-1")
    assert "GNOME Keyring" in caught.value.advice and "never keeps credentials in a plain file" in caught.value.advice
    if isinstance(backend, _Memory):
        assert backend.entries == {}  # nothing reached the backend


def test_a_chainer_is_reduced_to_its_os_backend_even_behind_a_plaintext_one(monkeypatch):
    plaintext, secure = PlaintextLike(), SecretServiceLike()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, secure])  # plaintext ranked first
    store = KeyringSecretStore(chainer.ChainerBackend())
    assert store.check() == "keyring.backends.SecretService.Keyring"
    store.set("acct-1", "secret-value-1")
    assert secure.entries and plaintext.entries == {}


def test_a_chainer_with_nothing_secure_is_refused(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextLike()])
    with pytest.raises(SecretStoreError, match="No secure keyring is available") as caught:
        select_secure_backend(chainer.ChainerBackend())
    assert "keyrings.alt.file.PlaintextKeyring" in str(caught.value)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    with pytest.raises(SecretStoreError, match="found nothing"):
        select_secure_backend(chainer.ChainerBackend())


def test_keyrings_default_choice_is_checked_too(monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(SecretStoreError, match="No secure keyring"):
        KeyringSecretStore().get("acct-1")


def test_locked_is_reported_with_unlock_advice():
    backend = WindowsLike()
    backend.raise_on_call = keyring.errors.KeyringLocked("Failed to unlock the collection!")
    store = KeyringSecretStore(backend)
    for call, args in ((store.get, ("acct-1",)), (store.set, ("acct-1", "v-123456")), (store.delete, ("acct-1",))):
        with pytest.raises(SecretStoreError) as caught:
            call(*args)
        assert "unlock your login keyring" in caught.value.advice.lower()


def test_no_secret_in_the_error_or_the_log_even_when_the_backend_echoes_it(caplog):
    secret = "do-not-leak-this-value-42"
    backend = WindowsLike()
    backend.raise_on_call = keyring.errors.PasswordSetError(f"could not store {secret}")
    store = KeyringSecretStore(backend)
    with caplog.at_level(logging.DEBUG), pytest.raises(SecretStoreError) as caught:
        store.set("acct-1", secret)
    assert secret not in str(caught.value) and secret not in caught.value.advice
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "PasswordSetError" in str(caught.value)
    formatted = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "acct-1" in formatted and "PasswordSetError" in formatted
    assert secret not in formatted  # even before the log file's redaction


def test_size_and_key_rules_are_checked_before_the_backend_is_touched():
    backend = WindowsLike()
    store = KeyringSecretStore(backend)
    with pytest.raises(SecretTooLargeError):
        store.set("acct-1", "x" * 1281)
    with pytest.raises(SecretTooLargeError):
        store.set("acct-1", "é" * 1001)  # 2,002 UTF-8 bytes
    store.set("acct-1", "é" * 1000)  # 2,000 UTF-8 bytes, 2,000 UTF-16 bytes
    for key in ("", "a\nb", "k" * 201):
        with pytest.raises(ValueError):
            store.set(key, "value-1")
    with pytest.raises(ValueError):
        store.set("acct-2", "")
    assert list(backend.entries) == [("Chorus", "acct-1")]


def test_backend_name():
    assert backend_name(fail.Keyring()) == "keyring.backends.fail.Keyring"
