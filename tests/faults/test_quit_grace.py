"""Quitting while a publish hangs on its server (issue 9: "quitting waits on publishes still in
flight"): the in-flight publish gets a short grace period, then Chorus quits, and the publish is
recorded as interrupted, which the next start shows as "Chorus was closed while sending" with
Check and Retry (tests/ui/test_interrupted_publish.py shows that screen from the same record).

The publish runs in a separate Python process, as in the app: ``publish`` called from a worker
thread (the UI's io lane), then ``close`` at quit, then the interpreter's normal exit (which joins
non-daemon threads). The server is a real Mastodon-API test server on 127.0.0.1 that holds the
POST far longer than the client's read timeout. The bound on the quit (grace + 5 s) is not a speed
target: it only tells "did not wait for the server" from "waited for it".
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest

from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.publishing.service import INTERRUPTED, PublishService
from desktop.core.publishing.store import PublishStore
from tests.faults._linked_profile import CLEAN, DEADLINE_S, PASSWORD, STATUSES, Child, link_alice
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.mastodon_server import MastodonTestServer

GRACE_S = 1.0
HANG_S = 300.0  # the server's hold on the POST: far beyond the client's 20 s read timeout and the bound

PUBLISH_THEN_QUIT = r"""
draft_id, account_id = sys.argv[3], sys.argv[4]
result = {}
def publish():  # the UI's io lane: a worker thread waiting on the publish
    result["states"] = [status.state for status in service.publish(draft_id, CLEAN, [account_id])]
worker = threading.Thread(target=publish, name="io")
worker.start()
assert told() == "quit"
started = time.monotonic()
service.close()  # uses close_grace_s
closed_after = time.monotonic() - started
worker.join()
say("closed", json.dumps({"closed_after_s": closed_after, "states": result["states"]}))
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


def test_quitting_while_a_server_hangs_gives_a_grace_period_then_records_the_publish_as_interrupted(
        tmp_path, secret_service, monkeypatch, server):
    linked = link_alice(tmp_path, secret_service, monkeypatch, server)
    server.delay_next(HANG_S, path=STATUSES, method="POST")
    child = Child(f"CLEAN = {CLEAN!r}\n" + PUBLISH_THEN_QUIT, secret_service, linked.db, GRACE_S,
                  linked.draft_id, linked.account_id)
    try:
        assert child.next_line() == "ready"
        deadline = time.monotonic() + DEADLINE_S
        while not server.requests_to(STATUSES, "POST"):  # the post is on its way: the server holds it
            assert child.process.poll() is None, child.stderr()
            assert time.monotonic() < deadline, "the publish never reached the server"
            time.sleep(0.02)
        asked = time.monotonic()
        child.tell("quit")
        try:
            code = child.process.wait(timeout=GRACE_S + 5)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"quitting waited on the hanging server (still running {GRACE_S + 5} s after quit)") from None
        quit_after = time.monotonic() - asked
        assert code == 0, child.stderr()
        word, report = child.next_line().split(" ", 1)
    finally:
        child.stop()
    result = json.loads(report)
    assert word == "closed" and result["states"] == [INTERRUPTED]
    assert GRACE_S * 0.9 <= result["closed_after_s"], "the publish under way was not given its grace period"
    assert quit_after < GRACE_S + 5
    assert server.statuses_of("alice") == []  # it never arrived (the server still holds it)

    # The record is there, as the next start reads it: pending, with the text, so Check and Retry are offered.
    drafts = DraftStore.open(linked.db)
    try:
        accounts = AccountService(store_on(secret_service, monkeypatch), AccountStore(drafts))
        [pending] = PublishStore(drafts).pending_publications()
        assert (pending.draft_id, pending.account_id, pending.attempts) == (linked.draft_id, linked.account_id, 1)
        service = PublishService(accounts, {}, lambda: None)
        [interrupted] = service.interrupted()
        assert interrupted.status.state == INTERRUPTED and interrupted.status.retryable
        assert interrupted.text == CLEAN
        assert interrupted.status.reason == "it may or may not have arrived."
    finally:
        drafts.close()
