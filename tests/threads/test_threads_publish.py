"""Publishing a thread with the real publishing service: on the reference Bluesky PDS (replies with
root and parent strong refs, read back from the repository) and on the Mastodon test server
(an ``in_reply_to_id`` chain); a server that answers 500 on part 3 stops the thread after part 2,
and publishing again sends part 3 only, exactly once. Secrets in a real Secret Service, history in
a real drafts database."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.adapters.networks.bluesky import BlueskyClient
from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.ports import Account
from desktop.core.publishing.service import PublishService, TargetStatus
from desktop.core.publishing.thread import is_part_key, part_key, publish_thread
from desktop.core.threads import split
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.servers.faulty_proxy import FaultyProxy
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

SENTENCES = [
    "We moved the build farm to the new data centre this week, and most teams did not notice a thing.",
    "Builds that took forty minutes now take twelve, mostly because the caches finally stay warm.",
    "The flaky integration suite turned out to be a clock problem on two of the old machines.",
    "Thanks to the platform team for the careful plan, the dry runs and the weekend they gave up.",
    "If your pipeline still points at the old runners, switch the label to the new pool today.",
    "The old machines go back to the vendor at the end of the month, so please do not wait.",
    "We wrote down everything we learned in the migration notes on the engineering wiki.",
    "Questions are welcome in the build channel; we answer them there so everyone can see.",
    "Next up is moving the artefact storage, which should be even less exciting than this.",
]
TEXT = " ".join(SENTENCES)


@functools.cache
def policy():  # type: ignore[no-untyped-def]
    return load_policy("acme-example")


@dataclass
class Desk:
    drafts: DraftStore
    accounts: AccountService
    service: PublishService


@pytest.fixture
def desk(tmp_path: Path, monkeypatch) -> Iterator[Desk]:
    keyring_service = SecretService().start()
    drafts = DraftStore.open(tmp_path / "drafts.db")
    accounts = AccountService(store_on(keyring_service, monkeypatch), AccountStore(drafts))
    service = PublishService(accounts, {}, policy)
    try:
        yield Desk(drafts, accounts, service)
    finally:
        service.close()
        drafts.close()
        keyring_service.stop()


def test_the_text_is_a_three_part_thread_on_both_networks():
    assert len(split(TEXT, "bluesky")) == 3
    assert len(split(TEXT, "mastodon", {"max_characters": 300})) == 3
    assert split(TEXT, "mastodon") != split(TEXT, "bluesky")  # 500 characters: two parts there


# -- Bluesky: the reference PDS ------------------------------------------------------------------
def link_bluesky(desk: Desk, pds: BlueskyPDS, server: str) -> tuple[str, str]:
    user = pds.create_account("thread")
    password = pds.create_app_password(user, "Chorus")
    client = BlueskyClient(service_url=pds.url, plc_url=pds.plc_url)
    desk.service.clients["bluesky"] = client
    account, secret = client.link(user.handle, password, server)
    return desk.accounts.link(account, secret).account.id, user.did


def thread_of(pds: BlueskyPDS, did: str) -> list[dict]:
    """The account's posts, oldest first (record keys are TIDs, which sort by time)."""
    return sorted(pds.list_posts(did), key=lambda record: record["uri"].rsplit("/", 1)[1])


def test_a_three_part_thread_on_the_pds_replies_with_root_and_parent_refs(desk, bluesky_pds):  # noqa: F811
    account_id, did = link_bluesky(desk, bluesky_pds, bluesky_pds.url)
    draft = desk.drafts.create(TEXT)
    updates: list[TargetStatus] = []
    [status] = publish_thread(desk.service, draft.id, TEXT, [account_id], on_update=updates.append)
    assert (status.state, status.reason) == ("sent", "Posted as a thread of 3.")
    assert [u.reason for u in updates if u.state == "sending"] == [f"Sending part {i} of 3…" for i in (1, 2, 3)]
    first, second, third = thread_of(bluesky_pds, did)
    assert [r["value"]["text"] for r in (first, second, third)] == list(split(TEXT, "bluesky"))
    assert [r["value"]["text"][-3:] for r in (first, second, third)] == ["1/3", "2/3", "3/3"]
    assert "reply" not in first["value"]
    root = {"uri": first["uri"], "cid": first["cid"]}
    assert second["value"]["reply"] == {"root": root, "parent": root}
    assert third["value"]["reply"] == {"root": root, "parent": {"uri": second["uri"], "cid": second["cid"]}}
    assert status.post_url.endswith("/post/" + first["uri"].rsplit("/", 1)[1])
    # one publish record per part, all sent; publishing again sends nothing
    history = desk.service.store.history(draft.id)
    assert len(history) == 3 and all(p.status == "sent" and is_part_key(p.idempotency_key) for p in history)
    assert [p.remote_id for p in history] == [first["uri"], second["uri"], third["uri"]]
    [again] = publish_thread(desk.service, draft.id, TEXT, [account_id])
    assert again.state == "sent" and len(bluesky_pds.list_posts(did)) == 3


def test_a_500_on_part_3_stops_the_thread_and_retry_posts_only_part_3(desk, bluesky_pds):  # noqa: F811
    with FaultyProxy(bluesky_pds.url) as proxy:
        account_id, did = link_bluesky(desk, bluesky_pds, proxy.url)
        for fault in ("pass", "pass", "fail_500"):
            proxy.plan("com.atproto.repo.createRecord", fault)
        draft = desk.drafts.create(TEXT)
        [stopped] = publish_thread(desk.service, draft.id, TEXT, [account_id])
        assert stopped.state == "failed" and stopped.retryable
        assert stopped.reason.startswith("Part 3 of 3 was not posted: ")
        assert stopped.reason.endswith(" Parts 1–2 are posted; Retry sends the rest, not them again.")
        assert [r["value"]["text"][-3:] for r in thread_of(bluesky_pds, did)] == ["1/3", "2/3"]
        assert not proxy.pending
        sent_before = len(proxy.log)

        [resumed] = publish_thread(desk.service, draft.id, TEXT, [account_id])
        assert resumed.state == "sent"
        creates = [entry for entry in proxy.log[sent_before:] if "createRecord" in entry[1]]
        assert creates == [("POST", "/xrpc/com.atproto.repo.createRecord", "200")]  # part 3, once
        first, second, third = thread_of(bluesky_pds, did)
        assert third["value"]["text"].endswith("3/3")
        # part 2 was posted in the first round: its CID was read back for the strong ref
        assert third["value"]["reply"] == {"root": {"uri": first["uri"], "cid": first["cid"]},
                                           "parent": {"uri": second["uri"], "cid": second["cid"]}}
        [again] = publish_thread(desk.service, draft.id, TEXT, [account_id])
        assert again.state == "sent" and len(bluesky_pds.list_posts(did)) == 3
        assert [p.attempts for p in desk.service.store.history(draft.id)] == [3, 3, 3]


# -- Mastodon ------------------------------------------------------------------------------------
@pytest.fixture
def mastodon(desk: Desk) -> Iterator[tuple[MastodonTestServer, str]]:
    with MastodonTestServer(users={"jane": "jane-password"}, max_characters=300) as server:
        client = MastodonClient(timeout=(2.0, 5.0), sleep=lambda s: None)
        desk.service.clients["mastodon"] = client
        registration, client_secret = client.register_app(server.url)
        browser = AuthorizeBrowser("jane", "jane-password")
        try:
            account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        finally:
            browser.close()
        assert account.limits["max_characters"] == 300
        yield server, desk.accounts.link(account, token).account.id
        client.http.close()


def test_a_three_part_thread_on_mastodon_is_an_in_reply_to_chain(desk, mastodon):
    server, account_id = mastodon
    draft = desk.drafts.create(TEXT)
    [status] = publish_thread(desk.service, draft.id, TEXT, [account_id])
    assert status.state == "sent", status.reason
    first, second, third = server.statuses_of("jane")
    assert [s.text for s in (first, second, third)] == list(split(TEXT, "mastodon", {"max_characters": 300}))
    assert [s.in_reply_to_id for s in (first, second, third)] == [None, first.id, second.id]
    assert status.post_url.endswith(f"/{first.id}")
    # the server checked each part against its own 300-character limit and took it
    assert all(len(s.text) <= 300 for s in (first, second, third))


def test_mastodon_answers_500_on_part_3_then_retry_posts_it_once(desk, mastodon):
    server, account_id = mastodon
    draft = desk.drafts.create(TEXT)

    def fail_part_3(update: TargetStatus) -> None:
        if update.reason == "Sending part 3 of 3…":
            server.fail_next(500, path="/api/v1/statuses", method="POST")

    [stopped] = publish_thread(desk.service, draft.id, TEXT, [account_id], on_update=fail_part_3)
    assert stopped.state == "failed" and stopped.retryable
    assert stopped.reason.startswith("Part 3 of 3 was not posted: ")
    assert stopped.reason.endswith("Parts 1–2 are posted; Retry sends the rest, not them again.")
    assert [s.text[-3:] for s in server.statuses_of("jane")] == ["1/3", "2/3"]
    posts_before = sum(1 for r in server.requests if r.method == "POST" and r.path == "/api/v1/statuses")

    [resumed] = publish_thread(desk.service, draft.id, TEXT, [account_id])
    assert resumed.state == "sent"
    posts = [r for r in server.requests if r.method == "POST" and r.path == "/api/v1/statuses"][posts_before:]
    part_keys = [p.idempotency_key for p in desk.service.store.history(draft.id)]
    assert len(posts) == 1 and posts[0].headers["idempotency-key"] == part_keys[2]  # part 3, once
    first, second, third = server.statuses_of("jane")
    assert third.text.endswith("3/3") and third.idempotency_key == part_keys[2]
    assert third.in_reply_to_id == second.id and second.in_reply_to_id == first.id
    [again] = publish_thread(desk.service, draft.id, TEXT, [account_id])
    assert again.state == "sent" and len(server.statuses_of("jane")) == 3


# -- refusals --------------------------------------------------------------------------------------
def test_linkedin_has_no_threads_so_a_long_post_is_refused_there_with_the_reason(desk, mastodon):
    server, mastodon_id = mastodon
    linkedin = Account(id="", network="linkedin", handle="Jane Example", server="https://api.linkedin.com",
                       remote_id="urn:li:person:jane")
    linkedin_id = desk.accounts.link(linkedin, "token-not-used").account.id
    long_text = " ".join([TEXT] * 4)  # over LinkedIn's 3,000
    draft = desk.drafts.create(long_text)
    statuses = publish_thread(desk.service, draft.id, long_text, [mastodon_id, linkedin_id])
    assert [s.state for s in statuses] == ["refused", "refused"]
    assert statuses[0].reason == ("LinkedIn has no threads, and this post is over its limit there. Shorten it, "
                                  "or leave LinkedIn out of this thread.")
    assert server.statuses_of("jane") == []  # nothing went out anywhere


def test_a_block_finding_in_any_part_refuses_the_whole_thread(desk, mastodon):
    server, account_id = mastodon
    blocked = TEXT + " Our password is hunter2 for the shared build account."
    assert desk.service.refusal("Our password is hunter2 for the shared build account.", [account_id])
    draft = desk.drafts.create(blocked)
    [status] = publish_thread(desk.service, draft.id, blocked, [account_id])
    assert status.state == "refused" and status.reason.startswith("Part 4 of 4: Publishing is refused")
    assert server.statuses_of("jane") == []


def test_a_thread_interrupted_mid_send_is_shown_as_such_and_finished_once(desk, mastodon):
    server, account_id = mastodon
    draft = desk.drafts.create(TEXT)
    parts = split(TEXT, "mastodon", {"max_characters": 300})
    # Chorus stopped right after recording part 1 and before sending it (the record comes first)
    account = desk.accounts.store.get_account(account_id).account
    desk.service.store.begin_publication(draft.id, account, part_key(draft.id, account_id, parts, 0))
    [interrupted] = desk.service.interrupted()
    assert interrupted.status.state == "interrupted" and not interrupted.status.retryable
    assert interrupted.status.reason == ("a part of a thread; it may or may not have arrived. Publish the thread "
                                         "again: Chorus looks for that part first and sends only the parts not "
                                         "posted yet.")
    [status] = publish_thread(desk.service, draft.id, TEXT, [account_id])
    assert status.state == "sent"
    assert [s.text for s in server.statuses_of("jane")] == list(parts)
    # part 1 was looked for first (it had an earlier attempt), then sent
    assert any(r.path.endswith("/statuses") and r.method == "GET" for r in server.requests)
    assert desk.service.interrupted() == []
