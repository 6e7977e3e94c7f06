"""AccountService: link (secret first), unlink (keyring first), health; with an in-memory SecretStore."""

from __future__ import annotations

import pytest

from desktop.core.accounts import (
    AccountNotFound,
    AccountService,
    AccountStore,
    AppRegistration,
    Health,
    MemorySecretStore,
    MissingSecret,
    SecretTooLargeError,
)
from desktop.core.accounts.secrets import app_secret_key
from desktop.core.drafts import DraftStore
from desktop.core.errors import StorageError
from desktop.core.ports import Account, SecretStoreError

DAY = 86400.0
NOW = 1_800_000_000.0
LOCKED = SecretStoreError("Your keyring is locked.", advice="Unlock your login keyring, then try again.")


@pytest.fixture
def drafts(tmp_path):
    s = DraftStore.open(tmp_path / "drafts.db", clock=lambda: NOW)
    yield s
    s.close()


@pytest.fixture
def secrets():
    return MemorySecretStore()


@pytest.fixture
def service(secrets, drafts):
    ids = iter(f"acct-{n}" for n in range(1, 100))
    return AccountService(secrets, AccountStore(drafts), clock=lambda: NOW, new_id=lambda: next(ids))


def mastodon(**changes) -> Account:
    fields = dict(id="", network="mastodon", handle="@alice@social.example", server="https://Social.Example/",
                  remote_id="1091")
    fields.update(changes)
    return Account(**fields)


def test_link_stores_the_secret_first_then_the_metadata(service, secrets):
    record = service.link(mastodon(), "token-abc-123")
    assert record.id == "acct-1" and record.account.server == "https://social.example"
    assert secrets.values == {"acct-1": "token-abc-123"}
    assert secrets.calls == [("set", "acct-1")]
    assert [r.id for r in service.accounts()] == ["acct-1"]
    assert service.secret("acct-1") == "token-abc-123"


def test_when_the_keyring_refuses_nothing_is_written(service, secrets):
    secrets.fail_with = LOCKED
    with pytest.raises(SecretStoreError) as caught:
        service.link(mastodon(), "token-abc-123")
    assert caught.value.advice.startswith("Unlock your login keyring")
    assert service.accounts() == [] and secrets.values == {}


def test_an_oversized_secret_is_refused_before_anything_is_written(service, secrets):
    with pytest.raises(SecretTooLargeError) as caught:
        service.link(mastodon(), "t" * 5000)
    assert "t" * 50 not in str(caught.value)
    assert service.accounts() == [] and secrets.values == {}


def test_when_the_database_refuses_the_new_secret_is_removed_again(service, secrets, monkeypatch):
    def broken(*args, **kwargs):
        raise StorageError("disk full")

    monkeypatch.setattr(service.store, "save_account", broken)
    with pytest.raises(StorageError):
        service.link(mastodon(), "token-abc-123")
    assert secrets.values == {} and secrets.calls == [("set", "acct-1"), ("delete", "acct-1")]


def test_linking_the_same_remote_account_again_relinks_it(service, secrets):
    first = service.link(mastodon(), "old-token-000")
    service.record_auth_failure(first.id, "The access token was revoked.")
    assert service.health(service.store.get_account(first.id)).state is Health.NEEDS_RELINK
    again = service.link(mastodon(display_name="Alice", server="social.example"), "new-token-111")
    assert again.id == first.id and again.account.display_name == "Alice"
    assert len(service.accounts()) == 1 and secrets.values == {first.id: "new-token-111"}
    assert service.health(again).state is Health.VALID


def test_unlink_deletes_the_keyring_entry_and_the_metadata(service, secrets):
    record = service.link(mastodon(), "token-abc-123")
    service.unlink(record.id)
    assert secrets.values == {} and service.accounts() == []
    with pytest.raises(AccountNotFound):
        service.unlink(record.id)


def test_unlink_with_a_locked_keyring_keeps_the_account_unless_forced(service, secrets):
    record = service.link(mastodon(), "token-abc-123")
    secrets.fail_with = LOCKED
    with pytest.raises(SecretStoreError):
        service.unlink(record.id)
    assert [r.id for r in service.accounts()] == [record.id]
    service.unlink(record.id, force=True)
    assert service.accounts() == []


def test_a_secret_missing_from_the_keyring_marks_the_account_for_relinking(service, secrets):
    record = service.link(mastodon(), "token-abc-123")
    del secrets.values[record.id]  # the user deleted it in Seahorse
    with pytest.raises(MissingSecret):
        service.secret(record.id)
    health = service.health(service.store.get_account(record.id))
    assert health.state is Health.NEEDS_RELINK and "no longer in the keyring" in health.message


@pytest.mark.parametrize(
    "expires_in, state, words",
    [
        (None, Health.VALID, "Linked"),
        (30 * DAY, Health.VALID, "Linked"),
        (7 * DAY + 60, Health.VALID, "Linked"),
        (7 * DAY, Health.EXPIRING, "in 7 days"),
        (3 * DAY, Health.EXPIRING, "in 3 days"),
        (5 * 3600, Health.EXPIRING, "in 5 hours"),
        (0, Health.NEEDS_RELINK, "expired"),
        (-DAY, Health.NEEDS_RELINK, "expired"),
    ],
)
def test_health_from_the_expiry(service, expires_in, state, words):
    expires_at = None if expires_in is None else NOW + expires_in
    record = service.link(mastodon(network="linkedin", handle="Alice", server="https://api.linkedin.com",
                                   remote_id="urn:li:person:a", expires_at=expires_at), "li-token-123")
    health = service.health(record)
    assert health.state is state and words in health.message


def test_an_auth_failure_needs_relink_and_a_success_clears_it(service):
    record = service.link(mastodon(), "token-abc-123")
    service.record_auth_failure(record.id, "The access token is invalid.")
    stored = service.store.get_account(record.id)
    health = service.health(stored)
    assert health.state is Health.NEEDS_RELINK
    assert health.message == "The access token is invalid. Link the account again."
    service.record_success(record.id)
    assert service.health(service.store.get_account(record.id)).state is Health.VALID


def test_update_keeps_the_secret_and_the_health(service, secrets):
    record = service.link(mastodon(), "token-abc-123")
    service.record_auth_failure(record.id, "revoked")
    updated = service.update(mastodon(id=record.id, server="https://social.example",
                                      limits={"max_characters": 1000}))
    assert updated.account.limits == {"max_characters": 1000} and updated.needs_relink
    assert secrets.values == {record.id: "token-abc-123"}
    service.replace_secret(record.id, "refreshed-token-456")
    assert secrets.values == {record.id: "refreshed-token-456"}
    with pytest.raises(AccountNotFound):
        service.update(mastodon(id="acct-unknown"))


def test_app_registration_secret_in_the_keyring_client_id_in_the_database(service, secrets):
    reg = service.save_app_registration(AppRegistration("mastodon", "Social.Example", "client-id-1",
                                                        ("http://127.0.0.1/callback",), "write:statuses"),
                                        "client-secret-xyz")
    assert reg.server == "https://social.example"
    assert secrets.values == {app_secret_key("mastodon", "https://social.example"): "client-secret-xyz"}
    cached, secret = service.app_registration("mastodon", "https://social.example/")
    assert cached.client_id == "client-id-1" and secret == "client-secret-xyz"
    # a registration whose secret vanished is forgotten: register again
    secrets.values.clear()
    assert service.app_registration("mastodon", "https://social.example") is None
    assert service.store.app_registration("mastodon", "https://social.example") is None


def test_a_refused_app_secret_writes_no_registration(service, secrets):
    secrets.fail_with = LOCKED
    with pytest.raises(SecretStoreError):
        service.save_app_registration(AppRegistration("mastodon", "https://social.example", "cid"), "secret-1")
    assert service.store.app_registration("mastodon", "https://social.example") is None
