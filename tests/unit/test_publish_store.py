"""Publish history and the outbox in the drafts database (schema v4): publishing's own store."""

from __future__ import annotations

import pytest

from desktop.core.accounts import AccountStore
from desktop.core.drafts import Acknowledgement, DraftStore
from desktop.core.errors import StorageError
from desktop.core.ports import Account
from desktop.core.publishing.store import FAILED, PENDING, SENT, PublishStore


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
def publications(drafts):
    return PublishStore(drafts)


ALICE = Account("acct-1", "mastodon", "@alice@social.example", "https://social.example", "1091",
                display_name="Alice", avatar_url="https://social.example/a.png", expires_at=None,
                limits={"max_characters": 500, "characters_reserved_per_url": 23})


# -- publish history -------------------------------------------------------------------------------
def test_publication_lifecycle_and_history_per_draft(publications, drafts):
    draft = drafts.create("Hello")
    ack = Acknowledgement(draft.id, "codename", "Acme", 0, "p1", "acknowledged", "Approved by comms today")
    first = publications.begin_publication(draft.id, ALICE, "key-1", policy_version="p1", acknowledged=[ack], rkey="")
    assert first.status == PENDING and first.attempts == 1 and first.network == "mastodon"
    assert first.handle == ALICE.handle and first.acknowledged[0]["rule_id"] == "codename"
    assert publications.pending_publications() == [first]

    failed = publications.mark_failed("key-1", "503 Service Unavailable")
    assert failed.status == FAILED and failed.error == "503 Service Unavailable"
    retry = publications.begin_publication(draft.id, ALICE, "key-1", policy_version="p1", acknowledged=[ack])
    assert retry.id == first.id and retry.attempts == 2 and retry.status == PENDING

    sent = publications.mark_sent("key-1", "https://social.example/@alice/1", "1")
    assert sent.status == SENT and sent.sent_at and sent.error == "" and sent.post_url.endswith("/1")
    assert publications.mark_failed("key-1", "late timeout").status == SENT  # never downgraded
    assert publications.begin_publication(draft.id, ALICE, "key-1").status == SENT  # the caller sees it was sent

    bsky = Account("acct-b", "bluesky", "alice.test", "https://pds.test", "did:plc:a")
    other = publications.begin_publication(draft.id, bsky, "key-2", rkey="3lbtid2222222")
    assert publications.begin_publication(draft.id, bsky, "key-2", rkey="3lbtidDIFFERENT").rkey == "3lbtid2222222"
    assert [p.idempotency_key for p in publications.history(draft.id)] == ["key-1", "key-2"]
    assert publications.pending_publications() == [publications.publication("key-2")]
    assert other.rkey == "3lbtid2222222"
    with pytest.raises(StorageError):
        publications.mark_sent("no-such-key", "u", "r")

    # history outlives the draft and the account
    AccountStore(drafts).delete_account(ALICE.id)
    drafts.delete(draft.id)
    drafts.purge_deleted(older_than_s=0)
    assert [p.idempotency_key for p in publications.history(draft.id)] == ["key-1", "key-2"]


# -- outbox ----------------------------------------------------------------------------------------
def test_outbox_queue_replace_attempts_and_removal(publications, drafts):
    draft = drafts.create("Offline post")
    entry = publications.enqueue(draft.id, ["acct-1", "acct-2"], "Offline post")
    assert entry.account_ids == ("acct-1", "acct-2") and entry.attempts == 0
    assert entry.next_attempt_at == entry.queued_at
    assert publications.outbox(due_at=entry.queued_at) == [entry]

    publications.record_outbox_attempt(entry.id, "network unreachable", next_attempt_at=entry.queued_at + 60)
    assert publications.outbox(due_at=entry.queued_at) == []
    later = publications.outbox()[0]
    assert later.attempts == 1 and later.last_error == "network unreachable"

    again = publications.enqueue(draft.id, ["acct-2"], "Offline post, edited")
    assert again.id == entry.id and again.attempts == 0 and again.text == "Offline post, edited"
    assert len(publications.outbox()) == 1

    publications.remove_from_outbox(entry.id)
    assert publications.outbox() == []
    with pytest.raises(ValueError):
        publications.enqueue(draft.id, [], "x")
    with pytest.raises(StorageError):
        publications.enqueue("no-such-draft", ["acct-1"], "x")


def test_purging_a_draft_removes_its_queued_publish(publications, drafts):
    draft = drafts.create("Queued then binned")
    publications.enqueue(draft.id, ["acct-1"], draft.body)
    drafts.delete(draft.id)
    assert len(publications.outbox()) == 1  # binned only: the publishing service decides
    drafts.purge_deleted(older_than_s=0)
    assert publications.outbox() == []
