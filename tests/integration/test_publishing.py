"""Publishing a draft to several accounts, end to end: real Mastodon test servers on 127.0.0.1, the
real Mastodon adapter, a real Secret Service keyring, the real drafts database and policy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.publishing.service import PublishService, idempotency_key
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

STATUSES = "/api/v1/statuses"
CLEAN = "Loved the team offsite this week. Great people, great ideas! 🌊"


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretService]:
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def servers() -> Iterator[list[MastodonTestServer]]:
    running = [MastodonTestServer(users={"alice": "alice-password"}).start() for _ in range(2)]
    yield running
    for server in running:
        server.stop()


@pytest.fixture
def world(tmp_path: Path, secret_service, monkeypatch, servers):
    """Two linked Mastodon accounts (alice on two instances) and a publishing service."""
    drafts = DraftStore.open(tmp_path / "drafts.db")
    accounts = AccountService(store_on(secret_service, monkeypatch), AccountStore(drafts))
    client = MastodonClient(timeout=(2.0, 3.0))
    linked = []
    for server in servers:
        registration, client_secret = client.register_app(server.url)
        accounts.save_app_registration(registration, client_secret)
        browser = AuthorizeBrowser("alice", "alice-password")
        account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        browser.close()
        linked.append(accounts.link(account, token).account)
    policy = {"current": load_policy("acme-example")}
    waits: list[float] = []
    service = PublishService(accounts, {"mastodon": client}, lambda: policy["current"], sleep=waits.append)
    draft = drafts.create(CLEAN)
    yield {"drafts": drafts, "accounts": accounts, "service": service, "linked": linked, "draft": draft,
           "policy": policy, "waits": waits, "client": client}
    service.close()
    client.http.close()
    drafts.close()


def ids(world) -> list[str]:
    return [account.id for account in world["linked"]]


def test_publishes_to_every_account_in_parallel_with_a_status_each(world, servers) -> None:
    updates = []
    lock = threading.Lock()

    def on_update(status) -> None:
        with lock:
            updates.append((status.account_id, status.state))

    results = world["service"].publish(world["draft"].id, CLEAN, ids(world), on_update=on_update)
    assert [r.state for r in results] == ["sent", "sent"]
    for result, server in zip(results, servers, strict=True):
        (status,) = server.statuses_of("alice")
        assert status.text == CLEAN
        assert result.post_url == f"{server.url}/@alice/{status.id}"
    for account_id in ids(world):
        assert [state for who, state in updates if who == account_id] == ["sending", "sent"]
    history = world["service"].store.history(world["draft"].id)
    assert {(h.status, h.post_url) for h in history} == {("sent", r.post_url) for r in results}
    assert all(h.policy_version == "acme-example@2025.06.1" for h in history)


def test_a_block_finding_refuses_and_nothing_is_sent(world, servers) -> None:
    text = "Can't wait for Project Bluebird 🐦"
    refusal = world["service"].refusal(text, ids(world))
    assert refusal is not None and "Confidential codename: Project Bluebird" in refusal.reason
    results = world["service"].publish(world["draft"].id, text, ids(world))
    assert {r.state for r in results} == {"refused"}
    assert all(server.statuses_of("alice") == [] for server in servers)
    assert all(not server.requests_to(STATUSES, "POST") for server in servers)


def test_without_a_valid_policy_publishing_is_refused(world, servers) -> None:
    world["policy"]["current"] = None
    results = world["service"].publish(world["draft"].id, CLEAN, ids(world))
    assert {r.state for r in results} == {"refused"}
    assert "no valid company policy" in results[0].reason
    assert all(server.statuses_of("alice") == [] for server in servers)


def test_an_answer_lost_after_the_server_accepted_the_post_never_gives_a_duplicate(world, servers) -> None:
    servers[0].drop_next(path=STATUSES, method="POST")  # the server creates the status, then hangs up
    first = world["service"].publish(world["draft"].id, CLEAN, ids(world))
    assert [r.state for r in first] == ["failed", "sent"]
    assert "may or may not have been published" in first[0].reason and first[0].retryable
    assert len(servers[0].statuses_of("alice")) == 1  # it did arrive
    again = world["service"].publish(world["draft"].id, CLEAN, ids(world))  # the user presses Retry
    assert [r.state for r in again] == ["sent", "sent"]
    assert [len(server.statuses_of("alice")) for server in servers] == [1, 1]
    assert again[0].post_url.endswith(servers[0].statuses_of("alice")[0].id)
    assert len(servers[1].requests_to(STATUSES, "POST")) == 1  # the sent one was not sent again


def test_publishing_the_same_draft_again_does_not_post_twice_but_an_edit_is_a_new_post(world, servers) -> None:
    service, draft = world["service"], world["draft"]
    service.publish(draft.id, CLEAN, ids(world))
    service.publish(draft.id, CLEAN, ids(world))
    assert [len(s.statuses_of("alice")) for s in servers] == [1, 1]
    service.publish(draft.id, CLEAN + " (edited)", ids(world))
    assert [len(s.statuses_of("alice")) for s in servers] == [2, 2]
    assert idempotency_key(draft.id, "a", CLEAN) != idempotency_key(draft.id, "a", CLEAN + " (edited)")


def test_a_rate_limit_is_waited_out_once_when_short(world, servers) -> None:
    servers[0].rate_limit_next(path=STATUSES, method="POST", retry_after=2)
    results = world["service"].publish(world["draft"].id, CLEAN, ids(world)[:1])
    assert results[0].state == "sent"
    assert world["waits"] and 1.0 <= world["waits"][0] <= 3.0
    assert len(servers[0].statuses_of("alice")) == 1


def test_a_long_rate_limit_fails_with_when_to_retry(world, servers) -> None:
    servers[0].rate_limit_next(path=STATUSES, method="POST", retry_after=600)
    [result] = world["service"].publish(world["draft"].id, CLEAN, ids(world)[:1])
    assert result.state == "failed" and result.retryable
    assert "try again in 10 min" in result.reason
    assert world["waits"] == []


def test_a_revoked_token_asks_to_link_the_account_again(world, servers) -> None:
    servers[1].revoke_tokens("alice")
    results = world["service"].publish(world["draft"].id, CLEAN, ids(world))
    assert [r.state for r in results] == ["sent", "failed"]
    assert results[1].needs_relink and "Link the account again" in results[1].reason
    record = world["accounts"].store.get_account(ids(world)[1])
    assert record.needs_relink


def test_offline_posts_wait_in_the_outbox_and_go_out_rechecked_when_the_network_is_back(world, servers) -> None:
    port = servers[0].port
    servers[0].stop()
    results = world["service"].publish(world["draft"].id, CLEAN, ids(world))
    assert [r.state for r in results] == ["queued", "sent"]
    assert "outbox" in results[0].reason
    [entry] = world["service"].store.outbox()
    assert entry.account_ids == (ids(world)[0],)
    servers[0].requested_port = port
    servers[0].start()
    sent = world["service"].send_outbox()
    assert [s.state for s in sent] == ["sent"]
    assert len(servers[0].statuses_of("alice")) == 1
    assert world["service"].store.outbox() == []


def test_the_outbox_is_checked_against_the_policy_of_the_day_it_is_sent(world, servers, tmp_path) -> None:
    port = servers[0].port
    servers[0].stop()
    world["service"].publish(world["draft"].id, CLEAN, ids(world)[:1])
    # overnight, the company adds "offsite" to its confidential terms
    stricter = tmp_path / "stricter.toml"
    source = Path(load_policy("acme-example").info.source).read_text(encoding="utf-8")
    stricter.write_text(source.replace('version = "2025.06.1"', 'version = "2025.06.2"').replace(
        'codenames = ["Project Bluebird"', 'codenames = ["offsite", "Project Bluebird"'), encoding="utf-8")
    world["policy"]["current"] = load_policy(stricter, run_examples=False)
    servers[0].requested_port = port
    servers[0].start()
    [status] = world["service"].send_outbox()
    assert status.state == "refused" and "offsite" in status.reason
    assert servers[0].statuses_of("alice") == []
    assert len(world["service"].store.outbox()) == 1  # kept, for the author to edit


def test_targets_are_sent_at_the_same_time_not_one_after_another(world, servers) -> None:
    """Each server holds its answer 0.4 s: all three targets must be sending before the first is done.
    (How long it takes is measured by the publishing benchmark, not here.)"""
    third = MastodonTestServer(users={"alice": "alice-password"}).start()
    try:
        client = world["client"]
        registration, client_secret = client.register_app(third.url)
        browser = AuthorizeBrowser("alice", "alice-password")
        account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        browser.close()
        targets = ids(world) + [world["accounts"].link(account, token).account.id]
        for server in [*servers, third]:
            server.delay_next(0.4, path=STATUSES, method="POST")
        events: list[str] = []
        lock = threading.Lock()

        def on_update(status) -> None:
            with lock:
                events.append(status.state)

        results = world["service"].publish(world["draft"].id, CLEAN, targets, on_update=on_update)
        assert [r.state for r in results] == ["sent"] * 3
        assert events[:3] == ["sending"] * 3, f"targets were sent one after another: {events}"
    finally:
        third.stop()


def test_the_length_limit_at_publish_time_is_each_instance_s_own(world, servers) -> None:
    """A 600-character post fits an instance that allows 640, not one that allows the default 500."""
    roomy = MastodonTestServer(users={"alice": "alice-password"}, max_characters=640).start()
    try:
        client = world["client"]
        registration, client_secret = client.register_app(roomy.url)
        browser = AuthorizeBrowser("alice", "alice-password")
        account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        browser.close()
        assert account.limits["max_characters"] == 640
        roomy_id = world["accounts"].link(account, token).account.id
        text = "Sharing what we learned this quarter. " * 15 + "Thanks!"  # 577 characters, no findings
        assert 500 < len(text) <= 640
        assert world["service"].refusal(text, [roomy_id]) is None
        refusal = world["service"].refusal(text, [roomy_id, ids(world)[0]])
        assert refusal is not None and "Too long for Mastodon" in refusal.reason
        [status] = world["service"].publish(world["draft"].id, text, [roomy_id])
        assert status.state == "sent" and roomy.statuses_of("alice")[0].text == text
    finally:
        roomy.stop()
