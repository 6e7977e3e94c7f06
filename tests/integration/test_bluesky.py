"""The Bluesky adapter against the real reference PDS (npm @atproto/pds) and a PLC directory on
127.0.0.1. Nothing here is mocked: faults come from a real TCP/HTTP proxy between client and PDS."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import requests

from desktop.adapters.networks.bluesky import BlueskyClient, jwt_claims
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.ports import AuthError, Offline, Post, PublishError, RateLimited
from desktop.core.publishing import tid as tids
from desktop.core.publishing.service import PublishService
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.servers.faulty_proxy import FaultyProxy


@pytest.fixture
def client(bluesky_pds: BlueskyPDS) -> BlueskyClient:  # noqa: F811
    # Handles resolve through the local PDS and DIDs through the local PLC directory.
    return BlueskyClient(service_url=bluesky_pds.url, plc_url=bluesky_pds.plc_url)


@pytest.fixture
def alice(bluesky_pds: BlueskyPDS):  # noqa: F811
    account = bluesky_pds.create_account("alice")
    bluesky_pds.create_app_password(account, "Chorus")
    return account


def linked(client: BlueskyClient, user, name: str = "Chorus", service_url: str | None = None):
    return client.link(user.handle, user.app_passwords[name], service_url=service_url)


def post(text: str, language: str | None = "en") -> Post:
    return Post(text=text, idempotency_key=tids.new_tid(), language=language)


def byte_slice(text: str, facet: dict) -> str:
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"]:index["byteEnd"]].decode("utf-8")


def test_link_resolves_handle_to_did_to_pds_and_keeps_a_small_secret(client, bluesky_pds, alice):  # noqa: F811
    account, secret = linked(client, alice)
    assert account.network == "bluesky"
    assert account.remote_id == alice.did and alice.did.startswith("did:plc:")
    assert account.handle == f"@{alice.handle}"
    # the PDS came from the DID document in the PLC directory, not from our arguments
    doc = client.did_document(alice.did)
    assert account.server == bluesky_pds.url == doc["service"][0]["serviceEndpoint"]
    assert len(secret.encode()) < 2000
    data = json.loads(secret)
    assert jwt_claims(data["access"])["scope"] == "com.atproto.appPass"
    assert data["pw"] == alice.app_passwords["Chorus"]
    assert alice.password not in secret  # the main password is never stored
    # the session works
    response = bluesky_pds.get("com.atproto.server.getSession", token=data["access"])
    assert response.status_code == 200 and response.json()["did"] == alice.did


def test_link_with_a_custom_pds_url_and_by_did(client, bluesky_pds, alice):  # noqa: F811
    account, _ = linked(client, alice, service_url=bluesky_pds.url.replace("localhost", "127.0.0.1") + "/")
    assert account.server == bluesky_pds.url.replace("localhost", "127.0.0.1")
    account, _ = client.link(alice.did, alice.app_passwords["Chorus"])
    assert account.remote_id == alice.did and account.server == bluesky_pds.url


def test_link_refuses_wrong_password_main_password_and_unknown_handle(client, alice):
    with pytest.raises(AuthError, match="did not accept"):
        client.link(alice.handle, "aaaa-bbbb-cccc-dddd")
    with pytest.raises(AuthError, match="app password"):
        client.link(alice.handle, alice.password)
    with pytest.raises(PublishError, match="No Bluesky account was found"):
        client.link("nobody-here.test", "aaaa-bbbb-cccc-dddd")


def test_publish_with_link_mention_hashtag_after_emoji_has_exact_byte_offsets(client, bluesky_pds, alice):  # noqa: F811
    bob = bluesky_pds.create_account("bob")
    account, secret = linked(client, alice)
    text = (f"🎉👩‍👩‍👧 Grüße! Thanks @{bob.handle} — read https://example.com/über?q=1&x=ü. "
            "#Chorus2026 ✨ #日本語, and @nobody.test too")
    item = post(text, language="de")
    published = client.publish(account, secret, item)

    rkey = item.idempotency_key
    assert published.url == f"https://bsky.app/profile/{alice.handle}/post/{rkey}"
    assert published.remote_id == f"at://{alice.did}/app.bsky.feed.post/{rkey}"
    record = bluesky_pds.get_post(alice.did, rkey)["value"]
    assert record["text"] == text
    assert record["langs"] == ["de"]
    assert record["createdAt"].endswith("Z")
    by_kind = {}
    for facet in record["facets"]:
        (feature,) = facet["features"]
        by_kind.setdefault(feature["$type"].rsplit("#", 1)[1], []).append((byte_slice(text, facet), feature))
    assert by_kind["mention"] == [(f"@{bob.handle}", {"$type": "app.bsky.richtext.facet#mention", "did": bob.did})]
    assert by_kind["link"] == [("https://example.com/über?q=1&x=ü",
                                {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/über?q=1&x=ü"})]
    assert [(shown, f["tag"]) for shown, f in by_kind["tag"]] == [("#Chorus2026", "Chorus2026"),
                                                                   ("#日本語", "日本語")]
    # @nobody.test does not resolve: left as plain text (no facet pointing at nothing)
    assert len(record["facets"]) == 4
    # the emoji before them are multi-byte: code point offsets would have been wrong
    first = record["facets"][0]["index"]["byteStart"]
    assert first == len(text[:text.index("@")].encode()) != text.index("@")


def test_publish_is_idempotent_by_record_key(client, bluesky_pds, alice):  # noqa: F811
    account, secret = linked(client, alice)
    item = post("Once only")
    first = client.publish(account, secret, item)
    again = client.publish(account, secret, item)  # e.g. the user pressed Retry
    assert again == first
    assert client.find_published(account, secret, item) == first
    assert client.find_published(account, secret, post("never sent")) is None
    assert [r["value"]["text"] for r in bluesky_pds.list_posts(alice.did)] == ["Once only"]


def test_a_non_tid_idempotency_key_uses_the_persisted_record_key(client, bluesky_pds, alice):  # noqa: F811
    account, secret = linked(client, alice)
    rkey = tids.new_tid()  # what the publishing service stores in publish_history.rkey
    item = Post("Keyed by the service", idempotency_key="chorus-0123456789abcdef", record_key=rkey)
    published = client.publish(account, secret, item)
    assert published.remote_id == f"at://{alice.did}/app.bsky.feed.post/{rkey}"
    assert client.publish(account, secret, item) == published
    assert len(bluesky_pds.list_posts(alice.did)) == 1
    with pytest.raises(PublishError) as info:  # no TID anywhere: refuse rather than risk a duplicate
        client.publish(account, secret, Post("No key", idempotency_key="chorus-0123"))
    assert not info.value.retryable


def test_a_post_over_the_limit_is_refused_before_sending(client, alice):
    account, secret = linked(client, alice)
    with pytest.raises(PublishError) as info:
        client.publish(account, secret, post("é" * 301))
    assert not info.value.retryable and "300" in info.value.reason


def test_expired_access_token_is_refreshed_silently_and_handed_back(client, bluesky_pds, alice, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    account, secret = linked(client, alice)
    creds = json.loads(secret)
    expired = bluesky_pds.mint_expired(creds["access"])
    # the server itself says so: a validly signed token past its expiry
    answer = bluesky_pds.get("com.atproto.server.getSession", token=expired)
    assert (answer.status_code, answer.json()["error"]) == (400, "ExpiredToken")
    stale_secret = json.dumps({**creds, "access": expired})

    with FaultyProxy(bluesky_pds.url) as proxy:
        account = replace(account, server=proxy.url)
        saved: list[str] = []
        published = client.publish(account, stale_secret, post("After a refresh"), on_secret=saved.append)
        calls = [(path.split("?")[0].rsplit("/", 1)[-1], status) for _, path, status in proxy.log]
    assert published.remote_id.startswith(f"at://{alice.did}/")
    assert calls == [("com.atproto.repo.getRecord", "400"),  # looked first: not there
                     ("com.atproto.repo.createRecord", "400"),  # ExpiredToken
                     ("com.atproto.server.refreshSession", "200"),
                     ("com.atproto.repo.createRecord", "200")]
    assert len(saved) == 1
    fresh = json.loads(saved[0])
    assert fresh["access"] != expired and fresh["refresh"] != creds["refresh"]
    assert fresh["pw"] == creds["pw"] and len(saved[0].encode()) < 2000
    assert bluesky_pds.get("com.atproto.server.getSession", token=fresh["access"]).status_code == 200
    # no token or password in the log lines (requests/urllib3 included)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "refreshSession" in logged
    for value in (expired, creds["refresh"], fresh["access"], fresh["refresh"], creds["pw"]):
        assert value not in logged


def test_check_reports_health_and_renews_quietly(client, bluesky_pds, alice):  # noqa: F811
    bluesky_pds.create_app_password(alice, "Health")
    account, secret = linked(client, alice, "Health")
    saved: list[str] = []
    client.check(account, secret, on_secret=saved.append)
    assert saved == []  # nothing to renew
    creds = json.loads(secret)
    stale = json.dumps({**creds, "access": bluesky_pds.mint_expired(creds["access"])})
    client.check(account, stale, on_secret=saved.append)
    assert len(saved) == 1
    bluesky_pds.revoke_app_password(alice, "Health")
    expired_again = json.dumps({**json.loads(saved[0]), "access": bluesky_pds.mint_expired(creds["access"])})
    with pytest.raises(AuthError, match="revoked"):
        client.check(account, expired_again)


def test_expired_refresh_token_falls_back_to_the_app_password(client, bluesky_pds, alice):  # noqa: F811
    account, secret = linked(client, alice)
    creds = json.loads(secret)
    stale = json.dumps({**creds, "access": bluesky_pds.mint_expired(creds["access"]),
                        "refresh": bluesky_pds.mint_expired(creds["refresh"], age_s=91 * 86400)})
    saved: list[str] = []
    with FaultyProxy(bluesky_pds.url) as proxy:
        account = replace(account, server=proxy.url)
        client.publish(account, stale, post("After a new sign-in"), on_secret=saved.append)
    assert [(p.split("?")[0].rsplit("/", 1)[-1], status) for _, p, status in proxy.log] == [
        ("com.atproto.repo.getRecord", "400"),
        ("com.atproto.repo.createRecord", "400"),  # ExpiredToken
        ("com.atproto.server.refreshSession", "400"),  # ExpiredToken: the refresh token is over too
        ("com.atproto.server.createSession", "200"),  # signed in again with the stored app password
        ("com.atproto.repo.createRecord", "200"),
    ]
    assert len(saved) == 1
    fresh = json.loads(saved[0])
    assert fresh["refresh"] != creds["refresh"] and fresh["pw"] == creds["pw"]
    assert bluesky_pds.get("com.atproto.server.getSession", token=fresh["access"]).status_code == 200


def test_revoked_app_password_gives_a_clear_auth_error(client, bluesky_pds, alice):  # noqa: F811
    bluesky_pds.create_app_password(alice, "Revoke me")
    account, secret = linked(client, alice, "Revoke me")
    bluesky_pds.revoke_app_password(alice, "Revoke me")
    creds = json.loads(secret)
    # the refresh token died with the app password...
    answer = bluesky_pds.post("com.atproto.server.refreshSession", token=creds["refresh"])
    assert answer.status_code == 400 and answer.json()["error"] == "ExpiredToken"
    # ...so once the access token has expired, publishing asks for a re-link (and sends nothing)
    stale = json.dumps({**creds, "access": bluesky_pds.mint_expired(creds["access"])})
    saved: list[str] = []
    with pytest.raises(AuthError, match="revoked") as info:
        client.publish(account, stale, post("Should not appear"), on_secret=saved.append)
    assert not info.value.retryable and saved == []
    assert creds["pw"] not in info.value.reason
    assert bluesky_pds.list_posts(alice.did) == []
    with pytest.raises(AuthError):
        client.link(alice.handle, creds["pw"])


def test_server_accepts_but_response_is_lost_then_no_duplicate(client, bluesky_pds, alice):  # noqa: F811
    with FaultyProxy(bluesky_pds.url) as proxy:
        account, secret = linked(client, alice, service_url=proxy.url)
        proxy.plan("com.atproto.repo.createRecord", "deliver_then_drop")
        item = post("Lost answer, one post")
        published = client.publish(account, secret, item)  # looks the record up after the failure
        assert proxy.pending == []
        assert proxy.paths().count("com.atproto.repo.createRecord") == 1
        assert client.publish(account, secret, item) == published  # a later retry: still one
        assert proxy.paths().count("com.atproto.repo.createRecord") == 1
    records = bluesky_pds.list_posts(alice.did)
    assert len(records) == 1 and records[0]["uri"] == published.remote_id


def test_ambiguous_failure_then_retry_makes_exactly_one_record(client, bluesky_pds, alice):  # noqa: F811
    with FaultyProxy(bluesky_pds.url) as proxy:
        account, secret = linked(client, alice, service_url=proxy.url)
        # the write lands but its answer is lost, and the check right after fails too
        proxy.plan("com.atproto.repo.createRecord", "deliver_then_drop")
        proxy.plan("com.atproto.repo.getRecord", "drop")
        item = post("Ambiguous, then retried")
        with pytest.raises(PublishError) as info:
            client.publish(account, secret, item)
        assert info.value.ambiguous and info.value.retryable
        published = client.publish(account, secret, item)  # Retry: finds it, sends nothing
        assert proxy.paths().count("com.atproto.repo.createRecord") == 1
    records = bluesky_pds.list_posts(alice.did)
    assert [r["uri"] for r in records] == [published.remote_id]


def test_request_lost_before_the_server_then_retry_posts_once(client, bluesky_pds, alice):  # noqa: F811
    with FaultyProxy(bluesky_pds.url) as proxy:
        account, secret = linked(client, alice, service_url=proxy.url)
        proxy.plan("com.atproto.repo.createRecord", "drop")  # never reaches the PDS
        item = post("Dropped before the server")
        with pytest.raises(PublishError) as info:
            client.publish(account, secret, item)
        assert info.value.retryable and not info.value.ambiguous  # it looked: definitely not there
        assert bluesky_pds.list_posts(alice.did) == []
        published = client.publish(account, secret, item)
    assert [r["uri"] for r in bluesky_pds.list_posts(alice.did)] == [published.remote_id]


def test_rate_limit_gives_rate_limited_with_the_reset_time(client, bluesky_pds):  # noqa: F811
    carol = bluesky_pds.create_account("carol")
    bluesky_pds.create_app_password(carol)
    # createSession: 30 per 5 minutes per identifier (the PDS runs with rate limits on). Use up the
    # budget with wrong passwords, in parallel (each attempt costs the server a scrypt hash).
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: requests.post(
            f"{bluesky_pds.url}/xrpc/com.atproto.server.createSession", timeout=30,
            json={"identifier": carol.handle, "password": "wrong-wrong-wrong-wrong"}).status_code, range(30)))
    assert statuses.count(401) == 30
    with pytest.raises(RateLimited) as info:
        client.link(carol.handle, carol.app_passwords["Chorus"])
    assert 1 <= info.value.retry_after_s <= 300
    assert info.value.status == 429 and info.value.retryable


def test_unreachable_server_is_offline_and_nothing_was_sent(client, bluesky_pds, alice):  # noqa: F811
    with FaultyProxy(bluesky_pds.url) as proxy:
        dead = proxy.url  # a port that was just closed: connection refused
    account, secret = linked(client, alice)
    with pytest.raises(Offline) as info:
        client.publish(replace(account, server=dead), secret, post("nowhere"))
    assert info.value.retryable and not info.value.ambiguous
    assert bluesky_pds.list_posts(alice.did) == []


def test_http_uses_the_shared_session_with_timeouts(client):
    from desktop.adapters.http import DEFAULT_TIMEOUT, Session
    assert isinstance(client.http, Session) and client.http.default_timeout == DEFAULT_TIMEOUT
    assert isinstance(client.http, requests.Session)


@pytest.fixture(scope="module")
def secret_service():
    service = SecretService().start()
    yield service
    service.stop()


def test_publishing_service_end_to_end_keyring_refresh_and_lost_answer(tmp_path, client, bluesky_pds, alice,  # noqa: F811
                                                                        secret_service, monkeypatch):
    """Link into the real keyring, publish a draft through the publishing service with an expired
    session and a lost answer: sent once, and the keyring holds the renewed session."""
    text = "Loved the team offsite this week 🌊 with @" + alice.handle + " #offsite https://example.com/day1"
    drafts = DraftStore.open(tmp_path / "drafts.db")
    accounts = AccountService(store_on(secret_service, monkeypatch), AccountStore(drafts))
    service = PublishService(accounts, {"bluesky": client}, lambda: load_policy("acme-example"))
    try:
        with FaultyProxy(bluesky_pds.url) as proxy:
            account, secret = linked(client, alice, service_url=proxy.url)
            record = accounts.link(account, secret)
            creds = json.loads(secret)
            expired = bluesky_pds.mint_expired(creds["access"])
            accounts.replace_secret(record.account.id, json.dumps({**creds, "access": expired}))
            proxy.plan("com.atproto.repo.createRecord", "pass")  # refused: ExpiredToken
            proxy.plan("com.atproto.repo.createRecord", "deliver_then_drop")  # after the refresh
            draft = drafts.create(text)
            (status,) = service.publish(draft.id, text, [record.account.id])
            assert status.state == "sent", status
            (again,) = service.publish(draft.id, text, [record.account.id])  # pressed twice
            assert again.state == "sent" and again.post_url == status.post_url
            creates = [(p.rsplit("/", 1)[-1], r) for _, p, r in proxy.log if "createRecord" in p]
        # the first try was refused (ExpiredToken) and the second's answer was lost
        assert creates == [("com.atproto.repo.createRecord", "400"),
                           ("com.atproto.repo.createRecord", "200 then drop")]
        records = bluesky_pds.list_posts(alice.did)
        assert len(records) == 1 and records[0]["value"]["text"] == text
        assert status.post_url.endswith("/post/" + records[0]["uri"].rsplit("/", 1)[1])
        stored = json.loads(accounts.secret(record.account.id))
        assert stored["access"] != expired and stored["refresh"] != creds["refresh"]
        assert bluesky_pds.get("com.atproto.server.getSession", token=stored["access"]).status_code == 200
    finally:
        service.close()
        drafts.close()


def test_refresh_account_reads_the_new_profile_and_hands_back_a_renewed_session(client, bluesky_pds, alice):  # noqa: F811
    account, secret = linked(client, alice)
    assert account.display_name == ""
    creds = json.loads(secret)
    written = bluesky_pds.post("com.atproto.repo.putRecord", {
        "repo": alice.did, "collection": "app.bsky.actor.profile", "rkey": "self",
        "record": {"$type": "app.bsky.actor.profile", "displayName": "Alice at Acme"}}, token=creds["access"])
    assert written.status_code == 200, written.text
    saved: list[str] = []
    stale = json.dumps({**creds, "access": bluesky_pds.mint_expired(creds["access"])})
    fresh = client.refresh_account(account, stale, on_secret=saved.append)
    assert (fresh.id, fresh.handle, fresh.remote_id) == (account.id, account.handle, alice.did)
    assert fresh.display_name == "Alice at Acme"
    assert len(saved) == 1 and json.loads(saved[0])["refresh"] != creds["refresh"]  # the session was renewed
