"""Two senders on one profile and one outbox entry (issue 9, finding 6): exactly one sends it.

Two Python processes, each with its own DraftStore connection on the same database file and its own
publishing service, run ``send_outbox`` at once. Both are held at the moment a sender has the entry
in hand (the ``texts_now`` hook, called just before sending): before the fix both got there and both
sent it; with the claim, the second finds the entry taken and skips it. The server is a real
Mastodon-API test server on 127.0.0.1; the token is in a real Secret Service keyring.

The assertion is on what the network saw (one POST) and on who sent: the Mastodon server's own
Idempotency-Key would hide a duplicate POST as one status, LinkedIn has no such key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.publishing.store import PublishStore
from tests.faults._linked_profile import CLEAN, PASSWORD, STATUSES, Child, link_alice
from tests.integration.secret_service import SecretService
from tests.servers.mastodon_server import MastodonTestServer

SEND_OUTBOX = r"""
def texts_now(draft_id):
    say("in-hand")  # this sender holds the entry and is about to send it
    assert told() == "go"
    return None
assert told() == "start"
statuses = service.send_outbox(texts_now=texts_now)
say("done", json.dumps([status.state for status in statuses]))
service.close()
client.http.close()
store.close()
"""


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretService]:
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    running = MastodonTestServer(users={"alice": PASSWORD}).start()
    yield running
    running.stop()


def test_two_processes_racing_for_one_outbox_entry_send_it_once(tmp_path, secret_service, monkeypatch, server):
    linked = link_alice(tmp_path, secret_service, monkeypatch, server)
    drafts = DraftStore.open(linked.db)
    PublishStore(drafts).enqueue(linked.draft_id, [linked.account_id], CLEAN)  # the network was down
    drafts.close()

    senders = [Child(SEND_OUTBOX, secret_service, linked.db) for _ in range(2)]
    try:
        for sender in senders:
            assert sender.next_line() == "ready"
        for sender in senders:
            sender.tell("start")
        # Wait until each sender has the entry in hand or has finished without it; then let them go.
        words = {id(sender): sender.next_line() for sender in senders}
        for sender in senders:
            if words[id(sender)] == "in-hand":
                sender.tell("go")
                words[id(sender)] = sender.next_line()
        results = sorted(json.loads(words[id(sender)].removeprefix("done ")) for sender in senders)
        for sender in senders:
            assert sender.process.wait(timeout=60) == 0, sender.stderr()
    finally:
        for sender in senders:
            sender.stop()

    assert results == [[], ["sent"]]  # one sender sent it, the other left it alone
    assert len(server.requests_to(STATUSES, "POST")) == 1
    assert [status.text for status in server.statuses_of("alice")] == [CLEAN]
    drafts = DraftStore.open(linked.db)
    try:
        store = PublishStore(drafts)
        assert store.outbox() == []
        [record] = store.history(linked.draft_id)
        assert record.status == "sent" and record.attempts == 1
    finally:
        drafts.close()


def test_a_claim_left_by_a_sender_that_died_expires_and_the_entry_goes_out(tmp_path, secret_service, monkeypatch,
                                                                           server):
    """The claim is a lease: a sender killed after claiming does not keep the entry forever."""
    linked = link_alice(tmp_path, secret_service, monkeypatch, server)
    now = [1_000_000.0]
    drafts = DraftStore.open(linked.db, clock=lambda: now[0])
    try:
        store = PublishStore(drafts)
        entry = store.enqueue(linked.draft_id, [linked.account_id], CLEAN)
        assert store.claim_outbox_entry(entry.id, now=now[0], until=now[0] + 900)  # then the sender dies
        assert not store.claim_outbox_entry(entry.id, now=now[0] + 899, until=now[0] + 1800)
        assert store.outbox(due_at=now[0] + 899) == []
        assert store.claim_outbox_entry(entry.id, now=now[0] + 900, until=now[0] + 1800)  # the lease ran out
        assert not store.release_outbox_entry(entry.id, now[0] + 900)  # the first claim no longer holds it
        assert store.release_outbox_entry(entry.id, now[0] + 1800)
        assert store.outbox() == []
    finally:
        drafts.close()
