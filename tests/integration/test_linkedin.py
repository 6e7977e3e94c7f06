"""LinkedIn contract tests over real HTTP on 127.0.0.1: the adapter against a server that checks
every request against LinkedIn's documented shapes and answers with them
(tests/servers/linkedin_server.py), with the browser step driven by the test.

No mocks: every request crosses a socket; faults are injected in the server. Each test ends by
asserting the server saw no contract violation.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from desktop.adapters.networks.linkedin import (
    ACTIVITY_URL,
    DEFAULT_API_VERSION,
    LinkCancelled,
    LinkedInClient,
    LinkedInConfig,
    NotConfigured,
    client_secret_key,
)
from desktop.adapters.oauth import port_is_closed
from desktop.core.accounts import AccountService, AccountStore, Health, MemorySecretStore
from desktop.core.drafts import DraftStore
from desktop.core.logs import configure_logging
from desktop.core.policy import load_policy
from desktop.core.ports import (
    Account,
    AuthError,
    Offline,
    Post,
    Published,
    PublishError,
    PublishUnconfirmed,
    RateLimited,
)
from desktop.core.publishing.service import PublishService
from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser, TokenExchangeService, parse_little_text

PASSWORD = "alice-password-for-tests"
DAY = 86400.0
RESERVED_TEXT = r"Costs (net) [draft] {v2} <b> a|b @team ~ok~ *bold* _x_ back\slash #launch C# 100%"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def server(port: int) -> Iterator[LinkedInTestServer]:
    with LinkedInTestServer(members={"alice": PASSWORD, "bob": "bob-password"},
                            redirect_uris=[f"http://127.0.0.1:{port}/callback"]) as running:
        yield running
        assert running.violations == []


def make_config(server: LinkedInTestServer, port: int, **changes: object) -> LinkedInConfig:
    config = LinkedInConfig(client_id=server.client_id, redirect_port=port,
                            authorization_url=f"{server.url}/oauth/v2/authorization",
                            token_url=f"{server.url}/oauth/v2/accessToken", api_base=server.url)
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture
def client(server: LinkedInTestServer, port: int) -> Iterator[LinkedInClient]:
    linkedin = LinkedInClient(make_config(server, port), timeout=(2.0, 5.0), allow_http=True)
    yield linkedin
    linkedin.http.close()


@pytest.fixture
def browser() -> Iterator[MemberBrowser]:
    driver = MemberBrowser("alice", PASSWORD)
    yield driver
    driver.close()


@pytest.fixture
def linked(client: LinkedInClient, server: LinkedInTestServer, browser: MemberBrowser) -> tuple[Account, str]:
    return client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)


def post(text: str = "Hello from Chorus #chorus", key: str = "draft-1:acct-li:v1", **extra: object) -> Post:
    return Post(text=text, idempotency_key=key, first_attempt_at=time.time(), **extra)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Linking
# ---------------------------------------------------------------------------------------------
def test_link_with_the_client_secret_through_a_loopback_redirect(client, server, browser, port):
    before = time.time()
    account, token = client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)

    # The browser went to LinkedIn's authorization page with the documented parameters.
    (url,) = browser.opened
    assert url.startswith(f"{server.url}/oauth/v2/authorization?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == server.client_id
    assert query["scope"] == "openid profile w_member_social"
    assert "scope=openid%20profile%20w_member_social" in url
    assert query["redirect_uri"] == f"http://127.0.0.1:{port}/callback"  # the registered URL, exactly
    assert len(query["state"]) >= 43
    # It came back to Chorus's listener, which answered kindly and closed.
    assert browser.last.status_code == 200 and "You can close this tab" in browser.last.text
    assert port_is_closed(port)

    # The code was exchanged with the client secret, once.
    (exchange,) = server.requests_to("/oauth/v2/accessToken", "POST")
    assert exchange.headers["content-type"] == "application/x-www-form-urlencoded"
    assert set(exchange.body) == {"grant_type", "code", "client_id", "client_secret", "redirect_uri"}
    assert exchange.body["redirect_uri"] == query["redirect_uri"]
    (issued,) = server.tokens_of("alice")
    assert issued.token == token and issued.scopes == ["openid", "profile", "w_member_social"]

    # The member came from /v2/userinfo (unversioned, bearer only).
    (userinfo,) = server.requests_to("/v2/userinfo", "GET")
    assert userinfo.headers["authorization"] == "Bearer …" and "linkedin-version" not in userinfo.headers
    alice = server.member("alice")
    assert account == Account(
        id=f"linkedin:{alice.sub}", network="linkedin", handle="Alice Example", server=server.url,
        remote_id=f"urn:li:person:{alice.sub}", display_name="Alice Example", avatar_url=account.avatar_url,
        expires_at=account.expires_at, limits={"max_characters": 3000})
    assert account.avatar_url.startswith("https://media.licdn.example/")
    # 60 days (expires_in 5184000), measured from before the exchange.
    assert before - 1 <= account.expires_at - 5_184_000 <= time.time()


def test_link_through_the_company_token_exchange_service(server, browser, port):
    with TokenExchangeService(server) as service:
        config = make_config(server, port, token_exchange_url=service.url)
        client = LinkedInClient(config, timeout=(2.0, 5.0), allow_http=True)
        account, token = client.link_with_browser(browser, client_secret=None, timeout=10)
        client.http.close()
    (relayed,) = service.requests
    assert set(relayed) == {"grant_type", "code", "client_id", "redirect_uri"}  # never a secret from the desktop
    assert relayed["grant_type"] == "authorization_code" and relayed["client_id"] == server.client_id
    assert service.violations == []
    assert server.tokens_of("alice")[0].token == token
    assert account.remote_id == server.member("alice").urn


def test_the_exchange_service_relays_linkedins_refusal(server, browser, port):
    with TokenExchangeService(server, client_secret="not-the-secret") as service:
        client = LinkedInClient(make_config(server, port, token_exchange_url=service.url), allow_http=True)
        with pytest.raises(NotConfigured, match="sign-in service did not accept the LinkedIn app's credentials"):
            client.link_with_browser(browser, timeout=10)
        client.http.close()
    assert server.tokens == {}


def test_a_wrong_client_secret_is_a_configuration_problem(client, server, browser):
    with pytest.raises(NotConfigured, match="did not accept the LinkedIn app's credentials.*client secret"):
        client.link_with_browser(browser, client_secret="WPL_AP1.wrong", timeout=10)
    assert server.tokens == {}


def test_a_used_or_unknown_code_asks_to_link_again(client, server, linked, port):
    with pytest.raises(AuthError, match="did not accept the authorization .*may have expired.*Try linking again"):
        client.exchange_code("AQT-not-a-code", f"http://127.0.0.1:{port}/callback", server.client_secret)
    assert len(server.tokens) == 1


def test_linking_needs_a_client_id_and_a_secret_or_an_exchange_service(server, port, browser):
    unset = LinkedInClient(make_config(server, port, client_id=""), allow_http=True)
    with pytest.raises(NotConfigured, match="linkedin.client_id"):
        unset.link_with_browser(browser, client_secret="x", timeout=1)
    no_secret = LinkedInClient(make_config(server, port), allow_http=True)
    key = client_secret_key(server.client_id)
    with pytest.raises(NotConfigured, match=f"linkedin.token_exchange_url.*“{key}”"):
        no_secret.link_with_browser(browser, client_secret=None, timeout=1)
    bad_version = LinkedInClient(make_config(server, port, api_version="2026-09"), allow_http=True)
    with pytest.raises(NotConfigured, match="YYYYMM"):
        bad_version.link_with_browser(browser, client_secret="x", timeout=1)
    assert browser.opened == [] and server.requests == []


def test_an_unregistered_redirect_url_is_explained(server, browser):
    unregistered = free_port()
    client = LinkedInClient(make_config(server, unregistered), allow_http=True)
    with pytest.raises(PublishError, match=f"IT must register http://127.0.0.1:{unregistered}/callback"):
        client.link_with_browser(browser, client_secret=server.client_secret, timeout=1)
    assert browser.last.status_code == 400 and "does not match the registered value" in browser.last.text
    assert port_is_closed(unregistered)


def test_a_busy_sign_in_port_is_explained(client, server, browser, port):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(PublishError, match=f"Another program on this computer uses port {port}"):
            client.link_with_browser(browser, client_secret=server.client_secret, timeout=1)
    assert browser.opened == []


def test_the_fixed_port_can_be_used_again_at_once(client, server, browser):
    first, _ = client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)
    again = MemberBrowser("alice", PASSWORD)
    second, _ = client.link_with_browser(again, client_secret=server.client_secret, timeout=10)
    again.close()
    assert first.remote_id == second.remote_id and len(server.tokens_of("alice")) == 2


def test_cancelling_in_the_browser_says_so(client, server):
    refuser = MemberBrowser("alice", PASSWORD, approve=False)
    with pytest.raises(AuthError, match="You did not authorize Chorus on LinkedIn"):
        client.link_with_browser(refuser, client_secret=server.client_secret, timeout=10)
    assert "close this tab" in refuser.last.text and server.tokens == {}
    refuser.close()


def test_linking_can_be_cancelled_in_chorus(client, server):
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(LinkCancelled):
        client.link_with_browser(lambda url: True, client_secret=server.client_secret, timeout=60, cancel=cancel)


def test_a_forged_redirect_is_ignored_and_the_real_one_links(client, server, browser):
    forged: list[requests.Response] = []

    def attacker_then_member(url: str) -> bool:
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        forged.append(requests.get(f"{redirect_uri}?code=attacker-code&state=forged", timeout=5))
        return browser(url)

    account, _ = client.link_with_browser(attacker_then_member, client_secret=server.client_secret, timeout=10)
    assert [r.status_code for r in forged] == [400]
    assert len(server.requests_to("/oauth/v2/accessToken")) == 1
    assert account.remote_id == server.member("alice").urn


def test_asking_for_a_partner_permission_the_app_lacks_is_explained(server, browser, port):
    client = LinkedInClient(make_config(server, port, read_own_posts=True), allow_http=True)
    with pytest.raises(NotConfigured, match="r_member_social.*not authorized"):
        client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)
    assert "scope=openid%20profile%20w_member_social%20r_member_social" in browser.opened[0]


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------
def test_publish_sends_the_documented_request_and_reads_x_restli_id(client, server, linked):
    account, token = linked
    published = client.publish(account, token, post("Hello LinkedIn"))

    (stored,) = server.posts_of("alice")
    assert published == Published(url=f"https://www.linkedin.com/feed/update/{stored.urn}/", remote_id=stored.urn)
    assert stored.urn.startswith("urn:li:share:") and len(stored.urn.rsplit(":", 1)[1]) == 19
    (request,) = server.requests_to("/rest/posts", "POST")
    assert request.status == 201
    assert request.headers["linkedin-version"] == DEFAULT_API_VERSION == "202609"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer …"
    assert request.body == {
        "author": account.remote_id,
        "commentary": "Hello LinkedIn",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert (stored.text, stored.truncated) == ("Hello LinkedIn", False)


def test_reserved_characters_survive_the_little_text_format(client, server, linked):
    account, token = linked
    text = (RESERVED_TEXT + "\nSee https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=[2]#top and #Ünïcode2026 😀\n"
            "Mail me: me@example.com ~ #1 #tag_with_underscore ##double")
    client.publish(account, token, post(text))
    (stored,) = server.posts_of("alice")
    assert stored.truncated is False
    assert stored.text == text  # what people see is exactly what they wrote
    assert stored.body["commentary"] != text  # it was escaped on the way
    assert parse_little_text(stored.commentary).hashtags == ("launch", "Ünïcode2026")


def test_the_server_really_cuts_unescaped_text(server, linked):
    """The hazard the escaping avoids, shown on the contract server (a raw request, not Chorus)."""
    account, token = linked
    answer = requests.post(f"{server.url}/rest/posts", timeout=5, json={
        "author": account.remote_id, "commentary": "Quarterly results (final) are in", "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"}, "lifecycleState": "PUBLISHED"},
        headers={"Authorization": f"Bearer {token}", "LinkedIn-Version": "202609",
                 "X-Restli-Protocol-Version": "2.0.0"})
    assert answer.status_code == 201 and answer.content == b""
    (stored,) = server.posts_of("alice")
    assert (stored.text, stored.truncated) == ("Quarterly results ", True)


def test_too_long_posts_are_refused_before_and_after_escaping(client, server, linked):
    account, token = linked
    with pytest.raises(PublishError, match="3,001 characters long; LinkedIn allows 3,000") as early:
        client.publish(account, token, post("x" * 3001))
    assert not early.value.retryable and server.requests_to("/rest/posts") == []
    # 2,000 characters, but every "(" costs a backslash: 4,000 in the commentary field.
    with pytest.raises(PublishError, match=r"ShareCommentary text length \(4000 characters\)") as late:
        client.publish(account, token, post("(" * 2000, key="k2"))
    assert not late.value.retryable and late.value.status == 422
    assert server.posts == []


def test_429_honours_retry_after_and_daily_limits_reset_at_midnight_utc(server, linked, port):
    account, token = linked
    now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC).timestamp()
    client = LinkedInClient(make_config(server, port), allow_http=True, clock=lambda: now)
    the_post = dataclasses.replace(post(key="k-429"), first_attempt_at=now)
    server.rate_limit_next(retry_after=7)
    with pytest.raises(RateLimited, match="slow down") as limited:
        client.publish(account, token, the_post)
    assert limited.value.retry_after_s == 7 and limited.value.status == 429 and limited.value.retryable
    server.rate_limit_next()  # LinkedIn's usual 429: no Retry-After, "... APPLICATION DAY limit ..."
    with pytest.raises(RateLimited) as daily:
        client.publish(account, token, the_post)
    assert daily.value.retry_after_s == 90 * 60  # until 00:00 UTC
    assert client.publish(account, token, the_post).remote_id  # a 429 is never ambiguous: sent now
    assert len(server.posts) == 1


def test_401_expired_or_revoked_means_link_again(client, server, linked):
    account, token = linked
    server.expire_tokens("alice")
    with pytest.raises(AuthError, match="expired .*60 days.* Link the account again") as expired:
        client.publish(account, token, post(key="k1"))
    assert expired.value.status == 401 and not expired.value.retryable
    server.revoke_tokens("alice")
    with pytest.raises(AuthError, match="was revoked"):
        client.publish(account, token, post(key="k2"))
    with pytest.raises(AuthError, match="Invalid access token"):
        client.publish(account, "AQV-not-a-token", post(key="k3"))
    with pytest.raises(AuthError):
        client.refresh_account(account, token)
    assert server.posts == []


def test_a_retired_api_version_names_the_setting(server, linked, port):
    account, token = linked
    client = LinkedInClient(make_config(server, port, api_version="202401"), allow_http=True)
    with pytest.raises(PublishError, match="no longer accepts API version 202401.*linkedin.api_version") as failure:
        client.publish(account, token, post())
    assert failure.value.status == 426 and not failure.value.retryable and not failure.value.ambiguous


def test_a_post_published_once_is_not_sent_twice_by_the_same_client(client, server, linked):
    account, token = linked
    first = client.publish(account, token, post(key="same"))
    assert client.publish(account, token, post(key="same")) == first
    assert len(server.requests_to("/rest/posts", "POST")) == 1


def test_an_unreachable_server_is_offline_not_ambiguous(server, linked):
    account, token = linked
    closed = free_port()
    client = LinkedInClient(make_config(server, free_port(), api_base=f"http://127.0.0.1:{closed}"), allow_http=True)
    with pytest.raises(Offline, match="cannot reach LinkedIn") as failure:
        client.publish(account, token, post())
    assert failure.value.retryable and not failure.value.ambiguous
    assert client.find_published(account, token, post()) is None  # nothing can have arrived: no need to look


# ---------------------------------------------------------------------------------------------
# Exactly once under faults
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def partner_server(port: int) -> Iterator[LinkedInTestServer]:
    """A LinkedIn app approved for r_member_social (partners only)."""
    with LinkedInTestServer(members={"alice": PASSWORD}, redirect_uris=[f"http://127.0.0.1:{port}/callback"],
                            partner_scopes={"r_member_social"}) as running:
        yield running
        assert running.violations == []


@pytest.fixture
def partner(partner_server: LinkedInTestServer, port: int, browser: MemberBrowser
            ) -> Iterator[tuple[LinkedInClient, Account, str]]:
    client = LinkedInClient(make_config(partner_server, port, read_own_posts=True), timeout=(2.0, 1.0),
                            allow_http=True)
    account, token = client.link_with_browser(browser, client_secret=partner_server.client_secret, timeout=10)
    yield client, account, token
    client.http.close()


@pytest.mark.parametrize("fault", ["drop", "error_after", "delay_after"])
def test_after_an_ambiguous_failure_the_post_is_found_not_sent_again(partner, partner_server, fault):
    client, account, token = partner
    if fault == "drop":
        partner_server.drop_next()  # accepted, then the connection closes unanswered
    elif fault == "error_after":
        partner_server.fail_next(502, after=True)  # accepted, then a 502
    else:
        partner_server.delay_next(3.0, after=True)  # accepted, then slower than Chorus's 1 s read timeout
    the_post = post(RESERVED_TEXT, key="draft-9:acct-li:v1")
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, the_post)
    assert failure.value.ambiguous and failure.value.retryable
    (stored,) = partner_server.posts_of("alice")

    again = client.publish(account, token, the_post)
    assert again == Published(url=f"https://www.linkedin.com/feed/update/{stored.urn}/", remote_id=stored.urn)
    assert len(partner_server.posts) == 1
    (finder,) = partner_server.requests_to("/rest/posts", "GET")
    assert f"author=urn%3Ali%3Aperson%3A{partner_server.member('alice').sub}&q=author&count=10" in finder.raw_query
    assert finder.headers["x-restli-method"] == "FINDER" and finder.headers["linkedin-version"] == "202609"


def test_when_the_first_attempt_never_arrived_the_retry_sends_it(partner, partner_server):
    client, account, token = partner
    partner_server.fail_next(503)  # refused before processing, but Chorus cannot know that
    the_post = post(key="draft-10:acct-li:v1")
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, the_post)
    assert failure.value.ambiguous
    assert partner_server.posts == []
    published = client.publish(account, token, the_post)
    (stored,) = partner_server.posts
    assert published.remote_id == stored.urn
    assert len(partner_server.requests_to("/rest/posts", "GET")) == 1  # it looked first


def test_an_older_identical_post_is_not_mistaken_for_this_one(partner, partner_server):
    client, account, token = partner
    old = client.publish(account, token, post("Same words", key="last-month"))
    partner_server.posts[0].created_ms -= 40 * int(DAY * 1000)  # posted 40 days ago
    partner_server.fail_next(500)
    fresh = post("Same words", key="today")
    with pytest.raises(PublishError):
        client.publish(account, token, fresh)
    assert client.find_published(account, token, fresh) is None
    published = client.publish(account, token, fresh)
    assert published.remote_id != old.remote_id and len(partner_server.posts) == 2


def test_linkedins_duplicate_refusal_is_the_second_net(partner, partner_server):
    client, account, token = partner
    partner_server.drop_next()
    the_post = post(key="draft-11:acct-li:v1")
    with pytest.raises(PublishError):
        client.publish(account, token, the_post)
    partner_server.finder_lag = 60.0  # the finder does not list the new post yet
    published = client.publish(account, token, the_post)
    (stored,) = partner_server.posts
    assert published.remote_id == stored.urn  # from "422 Content is a duplicate of urn:li:share:…"


def test_after_a_restart_an_old_attempt_is_looked_for_first(partner_server, partner, port):
    _, account, token = partner
    partner_server.drop_next()
    the_post = dataclasses.replace(post(key="draft-12:acct-li:v1"), first_attempt_at=time.time())
    with pytest.raises(PublishError):
        partner[0].publish(account, token, the_post)
    restarted = LinkedInClient(make_config(partner_server, port, read_own_posts=True), allow_http=True)
    later = dataclasses.replace(the_post, first_attempt_at=time.time() - 120)  # Chorus was restarted meanwhile
    assert restarted.publish(account, token, later).remote_id == partner_server.posts[0].urn
    assert len(partner_server.posts) == 1


def test_without_r_member_social_chorus_asks_instead_of_risking_a_duplicate(client, server, linked):
    account, token = linked
    server.drop_next()
    the_post = post(key="draft-13:acct-li:v1")
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, the_post)
    assert failure.value.ambiguous
    (stored,) = server.posts

    with pytest.raises(PublishUnconfirmed, match="may have published this post.*did not send it again") as unsure:
        client.publish(account, token, the_post)
    assert unsure.value.check_url == ACTIVITY_URL and unsure.value.ambiguous and not unsure.value.retryable
    assert "Not enough permissions to access" in unsure.value.reason
    assert len(server.posts) == 1 and len(server.requests_to("/rest/posts", "POST")) == 1

    # The person sends it as a new post (new key): LinkedIn's duplicate check points at the first one.
    with pytest.raises(PublishError, match="same text is already on your profile") as duplicate:
        client.publish(account, token, post(key="draft-13:acct-li:v2"))
    assert stored.urn in duplicate.value.reason and not duplicate.value.retryable
    assert len(server.posts) == 1


def test_without_r_member_social_a_retry_after_a_definite_refusal_just_sends(client, server, linked):
    account, token = linked
    server.rate_limit_next(retry_after=1)
    the_post = post(key="draft-14:acct-li:v1")
    with pytest.raises(RateLimited):
        client.publish(account, token, the_post)
    # What the publishing service does on Retry: look, then publish. Neither needs the finder.
    assert client.find_published(account, token, the_post) is None
    assert client.publish(account, token, the_post).remote_id == server.posts[0].urn
    assert server.requests_to("/rest/posts", "GET") == []


def test_the_service_order_find_then_publish_still_uses_the_duplicate_net(partner, partner_server):
    client, account, token = partner
    partner_server.drop_next()
    the_post = post(key="draft-15:acct-li:v1")
    with pytest.raises(PublishError):
        client.publish(account, token, the_post)
    partner_server.finder_lag = 60.0
    assert client.find_published(account, token, the_post) is None  # the finder does not list it yet
    published = client.publish(account, token, the_post)  # LinkedIn: "duplicate of" the first attempt
    assert published.remote_id == partner_server.posts[0].urn and len(partner_server.posts) == 1


# ---------------------------------------------------------------------------------------------
# The 60-day token, health and secrets
# ---------------------------------------------------------------------------------------------
def test_the_token_expiry_reaches_the_account_list(client, linked, tmp_path):
    account, token = linked
    database = DraftStore.open(tmp_path / "drafts.db")
    try:
        secrets = MemorySecretStore()
        now = time.time()
        service = AccountService(secrets, AccountStore(database), clock=lambda: now)
        record = service.link(account, token)
        assert record.account.expires_at == account.expires_at
        assert service.health(record).state is Health.VALID
        expiring = service.health(record, now=now + 55 * DAY)
        assert expiring.state is Health.EXPIRING and "link it again" in expiring.message
        assert service.health(record, now=now + 61 * DAY).state is Health.NEEDS_RELINK
        assert secrets.values == {record.id: token}
    finally:
        database.close()


def test_refresh_account_reads_the_profile_and_keeps_the_expiry(client, linked):
    account, token = linked
    renamed = dataclasses.replace(account, id="acct-7", display_name="Old name")
    fresh = client.refresh_account(renamed, token)
    assert (fresh.id, fresh.display_name, fresh.expires_at) == ("acct-7", "Alice Example", account.expires_at)


def test_no_token_code_or_secret_reaches_the_log(server, browser, port, tmp_path):
    """Chorus's own log file, at debug level (urllib3 included), after linking and publishing."""
    log_file = tmp_path / "chorus.log"
    configure_logging(log_file, "debug")
    try:
        client = LinkedInClient(make_config(server, port), allow_http=True)
        account, token = client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)
        client.publish(account, token, post())
        server.drop_next()
        with pytest.raises(PublishError) as failure:
            client.publish(account, token, post("second", key="k-log"))
        client.http.close()
    finally:
        configure_logging(None)
    logged = log_file.read_text(encoding="utf-8") + failure.value.reason
    (grant,) = server.grants.values()
    for secret in (token, server.client_secret, grant.code):
        assert secret not in logged
    assert "POST http://127.0.0.1" in logged and "/rest/posts -> 201" in logged  # the access log is there


# ---------------------------------------------------------------------------------------------
# Through the publishing service (what the Publish button runs)
# ---------------------------------------------------------------------------------------------
CLEAN = "Loved the team offsite this week (photos soon) #offsite"


@pytest.fixture
def publishing(tmp_path):
    """A publishing service over the real drafts database, with an in-memory keyring."""
    drafts = DraftStore.open(tmp_path / "drafts.db")
    accounts = AccountService(MemorySecretStore(), AccountStore(drafts))
    services = []

    def make(client: LinkedInClient, account: Account, token: str):
        record = accounts.link(account, token)
        service = PublishService(accounts, {"linkedin": client}, lambda: load_policy("acme-example"),
                                 sleep=lambda seconds: None)
        services.append(service)
        return service, record.account.id, drafts.create(CLEAN)

    yield make
    for service in services:
        service.close()
    drafts.close()


def test_service_retry_after_a_lost_answer_finds_the_post(publishing, partner, partner_server):
    client, account, token = partner
    service, account_id, draft = publishing(client, account, token)
    partner_server.drop_next()
    (first,) = service.publish(draft.id, CLEAN, [account_id])
    assert first.state == "failed" and first.retryable and "may or may not have been published" in first.reason
    (retry,) = service.publish(draft.id, CLEAN, [account_id])
    (stored,) = partner_server.posts
    assert retry.state == "sent" and retry.post_url == f"https://www.linkedin.com/feed/update/{stored.urn}/"
    assert stored.text == CLEAN


def test_service_retry_without_r_member_social_asks_the_person(publishing, client, server, linked):
    account, token = linked
    service, account_id, draft = publishing(client, account, token)
    server.drop_next()
    (first,) = service.publish(draft.id, CLEAN, [account_id])
    assert first.state == "failed" and first.retryable
    (retry,) = service.publish(draft.id, CLEAN, [account_id])
    assert retry.state == "unconfirmed" and not retry.retryable and retry.check_url
    assert "Check your LinkedIn activity" in retry.reason
    assert len(server.posts) == 1 and len(server.requests_to("/rest/posts", "POST")) == 1
    # the person looks, finds it, and says so: it is recorded as posted and never sent again
    confirmed = service.confirm_posted(draft.id, account_id, CLEAN, "https://www.linkedin.com/feed/update/x/")
    assert confirmed.state == "sent"
    (again,) = service.publish(draft.id, CLEAN, [account_id])
    assert again.state == "sent" and len(server.requests_to("/rest/posts", "POST")) == 1


def test_service_sends_as_new_when_the_person_finds_nothing(publishing, client, server, linked):
    account, token = linked
    service, account_id, draft = publishing(client, account, token)
    server.fail_next(500)  # refused before anything was stored, but a 5xx leaves Chorus unsure
    (first,) = service.publish(draft.id, CLEAN, [account_id])
    assert first.state == "failed" and "may or may not have been published" in first.reason
    (retry,) = service.publish(draft.id, CLEAN, [account_id])
    assert retry.state == "unconfirmed" and server.posts == []
    fresh = service.send_as_new(draft.id, CLEAN, account_id)  # the person looked: it is not there
    assert fresh.state == "sent" and len(server.posts) == 1
    (again,) = service.publish(draft.id, CLEAN, [account_id])  # the new round is now the current one
    assert again.state == "sent" and len(server.posts) == 1
    keys = [p.idempotency_key for p in service.store.history(draft.id)]
    assert len(keys) == 2 and keys[1] == keys[0] + "-r1"


def test_service_waits_out_a_short_429_and_sends_once(publishing, client, server, linked):
    account, token = linked
    service, account_id, draft = publishing(client, account, token)
    server.rate_limit_next(retry_after=2)
    (status,) = service.publish(draft.id, CLEAN, [account_id])
    assert status.state == "sent" and len(server.posts) == 1
    assert server.requests_to("/rest/posts", "GET") == []
