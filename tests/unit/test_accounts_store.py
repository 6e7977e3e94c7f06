"""Accounts and app registrations in the drafts database (schema v4)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from desktop.core.accounts import AccountStore, AppRegistration, normalize_server
from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.errors import StorageError
from desktop.core.ports import Account
from desktop.core.publishing.store import PublishStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def drafts(tmp_path):
    s = DraftStore.open(tmp_path / "drafts.db", clock=Clock())
    yield s
    s.close()


@pytest.fixture
def store(drafts):
    return AccountStore(drafts)


ALICE = Account("acct-1", "mastodon", "@alice@social.example", "https://social.example", "1091",
                display_name="Alice", avatar_url="https://social.example/a.png", expires_at=None,
                limits={"max_characters": 500, "characters_reserved_per_url": 23})


# -- the migration ---------------------------------------------------------------------------------
def test_migration_4_creates_the_tables_without_any_secret_column(drafts):
    assert drafts.schema_version() == LATEST_VERSION >= 4
    with drafts.reading() as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"accounts", "app_registrations", "publish_history", "outbox"} <= tables
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            secretish = [c for c in columns if re.search(r"token|secret|password|jwt|credential", c, re.I)]
            assert secretish == [], f"{table} has {secretish}"


def test_migrates_the_v3_database_with_backup_first(tmp_path):
    from tests.unit.data_files import V3_DATABASE

    path = tmp_path / "drafts.db"
    path.write_bytes(V3_DATABASE.read_bytes())
    drafts = DraftStore.open(path)
    try:
        assert drafts.schema_version() == LATEST_VERSION
        [draft] = drafts.list()
        assert draft.body == "Proud of our team at the Acme launch! 🚀 #acme"
        assert draft.targets == ("bluesky", "mastodon")
        [ack] = drafts.acknowledgements(draft.id, "acme-2026.11")
        assert ack.reason == "Approved by comms on 20 Nov"
        # the binned draft is still in the bin
        assert drafts.undelete("5986bd7c64e1e2fa594a72eb23fc6fed").body == "Second draft, in the bin"

        accounts, publications = AccountStore(drafts), PublishStore(drafts)
        assert accounts.accounts() == [] and publications.history(draft.id) == [] and publications.outbox() == []
        accounts.save_account(ALICE)
        publications.enqueue(draft.id, [ALICE.id], draft.body)
        assert [a.id for a in accounts.accounts()] == [ALICE.id]
    finally:
        drafts.close()
    old = sqlite3.connect(tmp_path / "drafts.db.bak-v3")
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 3
        assert old.execute("SELECT count(*) FROM acknowledgements").fetchone()[0] == 1
        assert old.execute("SELECT name FROM sqlite_master WHERE name = 'accounts'").fetchall() == []
    finally:
        old.close()


@pytest.mark.parametrize("name", ["V1_DATABASE", "V2_DATABASE"])
def test_older_databases_upgrade_all_the_way(tmp_path, name):
    from tests.unit import data_files

    path = tmp_path / "drafts.db"
    path.write_bytes(getattr(data_files, name).read_bytes())
    drafts = DraftStore.open(path)
    try:
        assert drafts.schema_version() == LATEST_VERSION
        record = AccountStore(drafts).save_account(ALICE)
        assert record.account == ALICE
    finally:
        drafts.close()


# -- accounts --------------------------------------------------------------------------------------
def test_save_get_list_and_delete_accounts(store):
    record = store.save_account(ALICE)
    assert record.account == ALICE and record.created_at == record.updated_at and not record.needs_relink
    bob = Account("acct-2", "bluesky", "bob.test", "https://pds.test", "did:plc:bob", expires_at=1_900_000_000.0)
    store.save_account(bob)
    assert [r.id for r in store.accounts()] == ["acct-2", "acct-1"]  # by network, then handle
    assert [r.id for r in store.accounts("mastodon")] == ["acct-1"]
    assert store.get_account("acct-2").account.expires_at == 1_900_000_000.0
    assert store.find_account("bluesky", "https://pds.test", "did:plc:bob").id == "acct-2"
    assert store.find_account("bluesky", "https://pds.test", "") is None
    assert store.delete_account("acct-2") and not store.delete_account("acct-2")
    assert store.get_account("acct-2") is None


def test_saving_again_updates_and_keeps_the_creation_time(store):
    first = store.save_account(ALICE)
    store.record_account_error(ALICE.id, "The access token was revoked", needs_relink=True)
    changed = Account(**{**ALICE.__dict__, "display_name": "Alice E.", "limits": {"max_characters": 1000}})
    kept = store.save_account(changed, reset_health=False)
    assert kept.account.display_name == "Alice E." and kept.account.limits == {"max_characters": 1000}
    assert kept.created_at == first.created_at and kept.updated_at > first.updated_at
    assert kept.needs_relink and kept.last_error == "The access token was revoked" and kept.last_error_at
    relinked = store.save_account(changed)
    assert not relinked.needs_relink and relinked.last_error == "" and relinked.last_error_at is None


def test_one_row_per_remote_account(store):
    store.save_account(ALICE)
    twin = Account(**{**ALICE.__dict__, "id": "acct-other"})
    with pytest.raises(StorageError, match="already linked"):
        store.save_account(twin)
    # accounts whose remote id is not known yet do not collide
    store.save_account(Account("acct-a", "linkedin", "A", "https://api.linkedin.com"))
    store.save_account(Account("acct-b", "linkedin", "B", "https://api.linkedin.com"))


def test_limits_that_look_like_credentials_are_refused(store):
    for limits in ({"access_token": "x"}, {"nested": {"client_secret": "y"}}, {"list": [{"refreshJwt": "z"}]}):
        with pytest.raises(ValueError, match="must not hold credentials"):
            store.save_account(Account("acct-x", "mastodon", "@x@y", "https://y", limits=limits))
    assert store.accounts() == []


def test_normalize_server():
    assert normalize_server("HTTPS://Mastodon.Example/") == "https://mastodon.example"
    assert normalize_server("mastodon.example") == "https://mastodon.example"
    assert normalize_server("http://127.0.0.1:8080/pds/") == "http://127.0.0.1:8080/pds"
    assert normalize_server("  ") == ""


# -- app registrations -----------------------------------------------------------------------------
def test_app_registrations_per_network_and_server(store):
    reg = store.save_app_registration(AppRegistration("mastodon", "https://social.example", "cid-1",
                                                      ("http://127.0.0.1/callback", "urn:ietf:wg:oauth:2.0:oob"),
                                                      "write:statuses read:accounts"))
    assert reg.created_at > 0
    assert store.app_registration("mastodon", "https://social.example") == reg
    assert store.app_registration("mastodon", "https://other.example") is None
    store.save_app_registration(AppRegistration("mastodon", "https://social.example", "cid-2"))
    assert store.app_registration("mastodon", "https://social.example").client_id == "cid-2"
    store.delete_app_registration("mastodon", "https://social.example")
    assert store.app_registration("mastodon", "https://social.example") is None
