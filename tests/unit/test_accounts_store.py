"""Accounts, app registrations, publish history and outbox in the drafts database (schema v4)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from desktop.core.accounts import AccountStore, AppRegistration, normalize_server
from desktop.core.accounts.store import FAILED, PENDING, SENT
from desktop.core.drafts import Acknowledgement, DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.errors import StorageError
from desktop.core.publishing import Account


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

        accounts = AccountStore(drafts)
        assert accounts.accounts() == [] and accounts.history(draft.id) == [] and accounts.outbox() == []
        accounts.save_account(ALICE)
        accounts.enqueue(draft.id, [ALICE.id], draft.body)
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


# -- publish history -------------------------------------------------------------------------------
def test_publication_lifecycle_and_history_per_draft(store, drafts):
    draft = drafts.create("Hello")
    ack = Acknowledgement(draft.id, "codename", "Acme", 0, "p1", "acknowledged", "Approved by comms today")
    first = store.begin_publication(draft.id, ALICE, "key-1", policy_version="p1", acknowledged=[ack], rkey="")
    assert first.status == PENDING and first.attempts == 1 and first.network == "mastodon"
    assert first.handle == ALICE.handle and first.acknowledged[0]["rule_id"] == "codename"
    assert store.pending_publications() == [first]

    failed = store.mark_failed("key-1", "503 Service Unavailable")
    assert failed.status == FAILED and failed.error == "503 Service Unavailable"
    retry = store.begin_publication(draft.id, ALICE, "key-1", policy_version="p1", acknowledged=[ack])
    assert retry.id == first.id and retry.attempts == 2 and retry.status == PENDING

    sent = store.mark_sent("key-1", "https://social.example/@alice/1", "1")
    assert sent.status == SENT and sent.sent_at and sent.error == "" and sent.post_url.endswith("/1")
    assert store.mark_failed("key-1", "late timeout").status == SENT  # never downgraded
    assert store.begin_publication(draft.id, ALICE, "key-1").status == SENT  # the caller sees it was sent

    bsky = Account("acct-b", "bluesky", "alice.test", "https://pds.test", "did:plc:a")
    other = store.begin_publication(draft.id, bsky, "key-2", rkey="3lbtid2222222")
    assert store.begin_publication(draft.id, bsky, "key-2", rkey="3lbtidDIFFERENT").rkey == "3lbtid2222222"
    assert [p.idempotency_key for p in store.history(draft.id)] == ["key-1", "key-2"]
    assert store.pending_publications() == [store.publication("key-2")]
    assert other.rkey == "3lbtid2222222"
    with pytest.raises(StorageError):
        store.mark_sent("no-such-key", "u", "r")

    # history outlives the draft and the account
    store.delete_account(ALICE.id)
    drafts.delete(draft.id)
    drafts.purge_deleted(older_than_s=0)
    assert [p.idempotency_key for p in store.history(draft.id)] == ["key-1", "key-2"]


# -- outbox ----------------------------------------------------------------------------------------
def test_outbox_queue_replace_attempts_and_removal(store, drafts):
    draft = drafts.create("Offline post")
    entry = store.enqueue(draft.id, ["acct-1", "acct-2"], "Offline post")
    assert entry.account_ids == ("acct-1", "acct-2") and entry.attempts == 0
    assert entry.next_attempt_at == entry.queued_at
    assert store.outbox(due_at=entry.queued_at) == [entry]

    store.record_outbox_attempt(entry.id, "network unreachable", next_attempt_at=entry.queued_at + 60)
    assert store.outbox(due_at=entry.queued_at) == []
    later = store.outbox()[0]
    assert later.attempts == 1 and later.last_error == "network unreachable"

    again = store.enqueue(draft.id, ["acct-2"], "Offline post, edited")
    assert again.id == entry.id and again.attempts == 0 and again.text == "Offline post, edited"
    assert len(store.outbox()) == 1

    store.remove_from_outbox(entry.id)
    assert store.outbox() == []
    with pytest.raises(ValueError):
        store.enqueue(draft.id, [], "x")
    with pytest.raises(StorageError):
        store.enqueue("no-such-draft", ["acct-1"], "x")


def test_purging_a_draft_removes_its_queued_publish(store, drafts):
    draft = drafts.create("Queued then binned")
    store.enqueue(draft.id, ["acct-1"], draft.body)
    drafts.delete(draft.id)
    assert len(store.outbox()) == 1  # binned only: the publishing service decides
    drafts.purge_deleted(older_than_s=0)
    assert store.outbox() == []
