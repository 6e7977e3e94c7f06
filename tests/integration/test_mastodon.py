"""Mastodon, the whole flow, over real HTTP on 127.0.0.1: the adapter against the Mastodon-API
test server (tests/servers/mastodon_server.py), with the browser step driven by the test.

No mocks: every request crosses a socket; faults are injected in the server, not the client.
"""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from desktop.adapters.networks.mastodon import (
    LOOPBACK_REDIRECT_URI,
    OOB_REDIRECT_URI,
    SCOPES,
    LinkCancelled,
    MastodonClient,
)
from desktop.adapters.oauth import new_pkce, port_is_closed
from desktop.core.accounts.store import AppRegistration
from desktop.core.ports import Account, AuthError, Post, PublishError, RateLimited
from tests.conftest import REPO
from tests.servers.mastodon_browser import AuthorizeBrowser, read_oob_code
from tests.servers.mastodon_server import MastodonTestServer

PASSWORD = "alice-password-for-tests"
STATUSES = "/api/v1/statuses"


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    with MastodonTestServer(users={"alice": PASSWORD, "bob": "bob-password"}, max_characters=640,
                            characters_reserved_per_url=30) as running:
        port = running.port
        yield running
    assert port_is_closed(port)


@pytest.fixture
def client() -> Iterator[MastodonClient]:
    mastodon = MastodonClient(timeout=(2.0, 5.0))
    yield mastodon
    mastodon.http.close()


@pytest.fixture
def app(client: MastodonClient, server: MastodonTestServer) -> tuple[AppRegistration, str]:
    return client.register_app(server.url)


@pytest.fixture
def browser() -> Iterator[AuthorizeBrowser]:
    driver = AuthorizeBrowser("alice", PASSWORD)
    yield driver
    driver.close()


@pytest.fixture
def linked(client: MastodonClient, app: tuple[AppRegistration, str],
           browser: AuthorizeBrowser) -> tuple[Account, str]:
    return client.link_with_browser(*app, browser, timeout=10)


def post(text: str = "Hello from Chorus #chorus", key: str = "draft-1:acct-1:v1", **extra: object) -> Post:
    return Post(text=text, idempotency_key=key, **extra)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Registering and linking
# ---------------------------------------------------------------------------------------------
def test_register_app_returns_what_the_database_and_the_keyring_keep(client, server, app):
    registration, client_secret = app
    assert registration.network == "mastodon" and registration.server == server.url
    assert set(registration.redirect_uris) == {LOOPBACK_REDIRECT_URI, OOB_REDIRECT_URI}
    assert registration.scopes.split() == SCOPES.split()
    assert client_secret not in repr(registration)
    (stored,) = server.apps.values()
    assert (stored.client_id, stored.client_secret, stored.name) == (registration.client_id, client_secret, "Chorus")
    assert stored.redirect_uris == [LOOPBACK_REDIRECT_URI, OOB_REDIRECT_URI]


def test_a_cached_registration_is_reused_while_it_works_and_replaced_when_it_does_not(client, server, app):
    assert client.ensure_app(server.url, app) == app
    assert len(server.apps) == 1
    server.delete_app(app[0].client_id)  # an admin removed it
    fresh = client.ensure_app(server.url, app)
    assert fresh != app and fresh[0].client_id in {a.client_id for a in server.apps.values()}
    outdated = (dataclasses.replace(fresh[0], scopes="read write"), fresh[1])
    assert client.ensure_app(server.url, outdated)[0].client_id not in (fresh[0].client_id, app[0].client_id)


def test_link_through_the_browser_with_a_loopback_redirect_and_pkce(client, server, app, browser):
    account, token = client.link_with_browser(*app, browser, timeout=10)

    # The browser was sent to the instance's authorization page with PKCE S256 and a state.
    (url,) = browser.opened
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(f"{server.url}/oauth/authorize?")
    assert query["response_type"] == "code" and query["scope"] == SCOPES
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43
    redirect = urlsplit(query["redirect_uri"])
    assert (redirect.scheme, redirect.hostname, redirect.path) == ("http", "127.0.0.1", "/callback")
    assert redirect.port not in (None, 80)
    # It came back to Chorus's listener, got the friendly page, and the listener is gone.
    assert browser.last.status_code == 200 and "You can close this tab" in browser.last.text
    assert port_is_closed(redirect.port)
    # The grant was bound to the PKCE challenge, and exactly one token was issued, to alice.
    (grant,) = server.grants.values()
    assert (grant.code_challenge, grant.code_challenge_method, grant.used) == (query["code_challenge"], "S256", True)
    (issued,) = server.tokens_of("alice")
    assert issued.token == token and set(issued.scopes) == set(SCOPES.split())

    alice = server.user("alice")
    assert account.network == "mastodon"
    assert account.handle == f"@alice@{server.domain}"
    assert (account.server, account.remote_id, account.display_name) == (server.url, alice.id, "Alice")
    assert account.expires_at is None
    assert requests.get(account.avatar_url, timeout=5).headers["Content-Type"] == "image/png"
    # The instance's own limits, for an exact counter in the composer.
    assert account.limits == {"max_characters": 640, "characters_reserved_per_url": 30, "max_media_attachments": 4}


def test_a_forged_redirect_is_rejected_and_the_real_one_still_links(client, server, app, browser):
    forged: list[requests.Response] = []

    def attacker_then_user(url: str) -> bool:
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        forged.append(requests.get(f"{redirect_uri}?code=attacker-code-123&state=forged-state", timeout=5))
        forged.append(requests.get(f"{redirect_uri}?code=attacker-code-123", timeout=5))
        return browser(url)

    account, token = client.link_with_browser(*app, attacker_then_user, timeout=10)
    assert [r.status_code for r in forged] == [400, 400]
    assert "does not belong to the sign-in" in forged[0].text
    assert len(server.requests_to("/oauth/token", "POST")) == 1  # the attacker's code was never exchanged
    assert server.tokens_of("alice")[0].token == token
    assert account.handle.startswith("@alice@")


def test_a_forged_redirect_alone_never_completes_linking(client, server, app):
    def only_attacker(url: str) -> bool:
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        assert requests.get(f"{redirect_uri}?code=x123456&state=wrong", timeout=5).status_code == 400
        return True

    with pytest.raises(PublishError, match="No answer from the browser"):
        client.link_with_browser(*app, only_attacker, timeout=1.0)
    assert server.requests_to("/oauth/token") == []


def test_denying_in_the_browser_says_so(client, server, app):
    denier = AuthorizeBrowser("alice", PASSWORD, approve=False)
    with pytest.raises(AuthError, match="did not authorize Chorus"):
        client.link_with_browser(*app, denier, timeout=10)
    assert "close this tab" in denier.last.text
    assert server.tokens == {}


def test_waiting_for_the_browser_times_out_and_closes_the_listener(client, app):
    seen: list[str] = []
    started = time.monotonic()
    with pytest.raises(PublishError, match="No answer from the browser within 1 s") as failure:
        client.link_with_browser(*app, seen.append, timeout=0.5)
    assert time.monotonic() - started < 3
    assert failure.value.retryable
    port = urlsplit(parse_qs(urlsplit(seen[0]).query)["redirect_uri"][0]).port
    assert port_is_closed(port)


def test_linking_can_be_cancelled(client, app):
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(LinkCancelled):
        client.link_with_browser(*app, lambda url: True, timeout=60, cancel=cancel)
    assert time.monotonic() - started < 3


def test_a_browser_that_cannot_be_opened_points_to_the_code_fallback(client, app):
    with pytest.raises(PublishError, match="paste a code"):
        client.link_with_browser(*app, lambda url: False, timeout=10)


def test_paste_the_code_fallback(client, server, app, browser):
    pending = client.begin_oob(*app)
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in pending.url
    assert pending.pkce.verifier not in repr(pending) and pending.client_secret not in repr(pending)
    browser(pending.url)
    assert urlsplit(browser.last.url).path == "/oauth/authorize/native"
    code = read_oob_code(browser.last)

    account, token = client.complete_oob(pending, f"  {code}\n")  # pasted with white space around it
    assert account.handle == f"@alice@{server.domain}"
    assert server.tokens_of("alice")[0].token == token
    with pytest.raises(AuthError, match="expired or been used already"):
        client.complete_oob(pending, code)  # a code works once
    with pytest.raises(AuthError, match="Paste the authorization code"):
        client.complete_oob(pending, "")


def test_the_server_really_checks_the_pkce_verifier(client, server, app, browser):
    pending = client.begin_oob(*app)
    browser(pending.url)
    code = read_oob_code(browser.last)
    with pytest.raises(AuthError, match="did not accept the authorization"):
        client.exchange_code(dataclasses.replace(pending, pkce=new_pkce()), code)
    assert server.tokens_of("alice") == []
    assert client.exchange_code(pending, code) == server.tokens_of("alice")[0].token


def test_a_registration_the_server_forgot_is_reported_as_stale(client, server, app, browser):
    pending = client.begin_oob(*app)
    browser(pending.url)
    code = read_oob_code(browser.last)
    server.delete_app(app[0].client_id)
    with pytest.raises(AuthError, match="no longer knows Chorus's registration") as failure:
        client.complete_oob(pending, code)
    assert type(failure.value).__name__ == "StaleRegistration"


def test_the_browser_session_is_remembered_like_a_signed_in_browser(client, server, app, browser):
    client.link_with_browser(*app, browser, timeout=10)
    # Second link in the same browser: no password needed, and the same token (reuse_access_token).
    again = AuthorizeBrowser("", "", session=browser.session)
    account, token = client.link_with_browser(*app, again, timeout=10)
    assert "Signed in as" in again.session.get(again.opened[0], timeout=5).text
    assert [t.token for t in server.tokens_of("alice")] == [token]


def test_a_web_server_that_is_not_mastodon_is_named_as_such(client):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Website(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = b"<html><body>Welcome to our homepage</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    website = HTTPServer(("127.0.0.1", 0), Website)
    thread = threading.Thread(target=website.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with pytest.raises(PublishError, match="does not look like a Mastodon server") as failure:
            client.register_app(f"http://127.0.0.1:{website.server_address[1]}")
        assert not failure.value.retryable
    finally:
        website.shutdown()
        website.server_close()
        thread.join()


def test_an_unreachable_server_is_not_ambiguous(client):
    with pytest.raises(PublishError, match="cannot reach") as failure:
        client.register_app("http://127.0.0.1:9")  # discard port: nothing listens
    assert not failure.value.ambiguous


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------
def test_publish_sends_the_idempotency_key_and_links_to_the_post(client, server, linked):
    account, token = linked
    text = (f"Launch day! #Chorus with @bob@{server.domain} and https://example.com/a/rather/long/path/to/the/"
            "announcement\n\nSecond paragraph\nwith a line break & <angle> brackets")
    published = client.publish(account, token, post(text, key="draft-7:acct-1:text-1", language="en"))

    (status,) = server.statuses_of("alice")
    assert (status.text, status.language, status.idempotency_key) == (text, "en", "draft-7:acct-1:text-1")
    assert published.remote_id == status.id
    assert published.url == f"{server.url}/@alice/{status.id}"
    assert requests.get(published.url, timeout=5).status_code == 200
    (request,) = server.requests_to(STATUSES, "POST")
    assert request.headers["idempotency-key"] == "draft-7:acct-1:text-1"
    assert request.headers["authorization"].startswith("Bearer")
    # Read back as anyone would, and found again by the text the server rendered to HTML.
    shown = requests.get(f"{server.url}/api/v1/statuses/{status.id}", timeout=5).json()
    assert '<span class="invisible">https://</span>' in shown["content"]
    assert client.find_published(account, token, post(text, key="draft-7:acct-1:text-1")) == published


def test_a_dropped_answer_then_a_retry_makes_exactly_one_status(client, server, linked):
    account, token = linked
    server.drop_next(path=STATUSES, method="POST")  # the server creates the status, then hangs up
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, post())
    assert failure.value.ambiguous and failure.value.retryable
    assert "may or may not have been published" in failure.value.reason
    assert len(server.statuses_of("alice")) == 1

    found = client.find_published(account, token, post())
    again = client.publish(account, token, post())  # same Idempotency-Key
    assert again == found
    assert len(server.statuses_of("alice")) == 1
    assert len(server.requests_to(STATUSES, "POST")) == 2


def test_a_slow_answer_after_processing_then_a_retry_makes_exactly_one_status(server, linked):
    account, token = linked
    impatient = MastodonClient(timeout=(2.0, 0.5))
    server.delay_next(3.0, path=STATUSES, method="POST", after=True)
    with pytest.raises(PublishError, match="did not answer in time") as failure:
        impatient.publish(account, token, post())
    assert failure.value.ambiguous
    assert impatient.publish(account, token, post()).remote_id == server.statuses_of("alice")[0].id
    assert len(server.statuses_of("alice")) == 1
    impatient.http.close()


def test_a_hung_server_gives_a_timeout_error_within_the_configured_timeout(server, linked):
    account, token = linked
    quick = MastodonClient(timeout=(1.0, 1.0))
    server.delay_next(30.0, path=STATUSES, method="POST")
    started = time.monotonic()
    with pytest.raises(PublishError, match="did not answer in time") as failure:
        quick.publish(account, token, post())
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0, elapsed
    assert failure.value.ambiguous and failure.value.retryable
    quick.http.close()


def test_429_with_retry_after_then_success(client, server, linked):
    account, token = linked
    server.rate_limit_next(path=STATUSES, method="POST", retry_after=1)
    with pytest.raises(RateLimited) as failure:
        client.publish(account, token, post())
    assert failure.value.retry_after_s == 1.0 and failure.value.status == 429
    assert server.statuses_of("alice") == []
    time.sleep(failure.value.retry_after_s)
    client.publish(account, token, post())
    assert len(server.statuses_of("alice")) == 1


def test_429_as_mastodon_sends_it_iso_reset_and_no_retry_after(client, server, linked):
    account, token = linked
    server.rate_limit_next(path=STATUSES, reset_in=120)
    with pytest.raises(RateLimited) as failure:
        client.publish(account, token, post())
    assert 117 <= failure.value.retry_after_s <= 122
    assert "slow down" in failure.value.reason


def test_the_servers_own_statuses_rate_limit(client, server, linked):
    account, token = linked
    server.statuses_limit = 2
    client.publish(account, token, post("one", key="k1"))
    client.publish(account, token, post("two", key="k2"))
    with pytest.raises(RateLimited) as failure:
        client.publish(account, token, post("three", key="k3"))
    assert failure.value.retry_after_s > 3 * 3600 - 60
    assert client.publish(account, token, post("one", key="k1")).remote_id  # a retry of a sent post still answers


def test_a_500_is_a_clear_error_and_a_retry_posts_once(client, server, linked):
    account, token = linked
    server.fail_next(500, path=STATUSES, method="POST")
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, post())
    error = failure.value
    assert error.status == 500 and error.ambiguous and error.retryable
    assert f"{urlsplit(server.url).netloc} had a problem while publishing (HTTP 500)" in error.reason
    assert server.statuses_of("alice") == []
    client.publish(account, token, post())
    assert len(server.statuses_of("alice")) == 1


def test_a_refusal_carries_the_servers_reason_and_is_not_retried(client, server, linked):
    account, token = linked
    with pytest.raises(PublishError) as failure:
        client.publish(account, token, post("x" * 641))
    assert "character limit of 640 exceeded" in failure.value.reason
    assert not failure.value.retryable and not failure.value.ambiguous and failure.value.status == 422
    # The instance counts a URL as characters_reserved_per_url (30 here), whatever its length.
    client.publish(account, token, post("y" * 600 + " https://example.com/" + "z" * 300, key="long-url"))


def test_a_revoked_token_is_an_auth_error(client, server, app, linked):
    account, token = linked
    assert client.revoke(*app, token) is True  # what unlinking does
    with pytest.raises(AuthError, match="The access token was revoked") as failure:
        client.publish(account, token, post())
    assert failure.value.status == 401 and not failure.value.retryable
    with pytest.raises(AuthError):
        client.refresh_account(account, token)


def test_a_token_revoked_by_the_user_on_the_website_is_an_auth_error(client, server, linked):
    account, token = linked
    assert server.revoke_tokens("alice") == 1
    with pytest.raises(AuthError, match="Link the account again"):
        client.publish(account, token, post())


def test_after_the_idempotency_hour_publish_looks_before_sending(client, server, linked):
    account, token = linked
    first_attempt = time.time()
    client.publish(account, token, post(first_attempt_at=first_attempt))
    server.expire_idempotency_keys()  # the server forgot the key: a blind re-send would post twice
    later = MastodonClient(clock=lambda: first_attempt + 2 * 3600)  # two hours on
    again = later.publish(account, token, post(first_attempt_at=first_attempt))
    assert again.remote_id == server.statuses_of("alice")[0].id
    assert len(server.statuses_of("alice")) == 1
    assert len(server.requests_to(STATUSES, "POST")) == 1  # found, not re-sent
    later.http.close()


def test_an_older_identical_post_is_not_mistaken_for_this_one(client, server, linked):
    account, token = linked
    client.publish(account, token, post("We're hiring!", key="week-1"))
    later = time.time() + 3600  # this week's draft, first attempted an hour after last week's post
    assert client.find_published(account, token, post("We're hiring!", key="week-2", first_attempt_at=later)) is None
    assert client.find_published(account, token, post("Something else", key="week-2")) is None
    # Posted from another app with the same text: not ours either.
    other_app = MastodonClient(client_name="Other app")
    registration, secret = other_app.register_app(server.url)
    other_account, other_token = other_app.link_with_browser(registration, secret,
                                                             AuthorizeBrowser("bob", "bob-password"), timeout=10)
    other_app.publish(other_account, other_token, post("Same words", key="o-1"))
    assert client.find_published(other_account, other_token, post("Same words", key="o-1")) is None
    other_app.http.close()


def test_no_token_code_or_secret_in_logs_or_errors(client, server, app, caplog):
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    browser = AuthorizeBrowser("alice", PASSWORD)
    account, token = client.link_with_browser(*app, browser, timeout=10)
    pending = client.begin_oob(*app)
    browser(pending.url)
    oob_code = read_oob_code(browser.last)
    client.complete_oob(pending, oob_code)
    for inject in (lambda: server.drop_next(path=STATUSES), lambda: server.fail_next(502, path=STATUSES),
                   lambda: server.rate_limit_next(path=STATUSES)):
        inject()
        try:
            client.publish(account, token, post())
        except PublishError as exc:
            errors.append(f"{exc} {exc.reason!r}")
    client.revoke(*app, token)
    try:
        client.publish(account, token, post())
    except PublishError as exc:
        errors.append(str(exc))
    try:
        client.complete_oob(pending, oob_code)
    except PublishError as exc:
        errors.append(str(exc))
    secrets = [token, app[1], oob_code, pending.pkce.verifier, pending.state,
               *(g.code for g in server.grants.values())]
    # The test's browser (requests, so urllib3 logs its URLs) fetches /oauth/authorize and /callback with
    # state and code in the query. Chorus itself never requests those paths, so those lines are the
    # test's, not the app's; everything else, urllib3's lines for Chorus's own requests included, counts.
    logged = "\n".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records
        if not (record.name.startswith("urllib3") and ("/oauth/authorize" in record.getMessage()
                                                       or "/callback?" in record.getMessage())))
    assert logged and len(errors) == 5
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in error for error in errors)
    browser.close()


# ---------------------------------------------------------------------------------------------
# The server itself: Doorkeeper's rules, and its command line for the training sandbox
# ---------------------------------------------------------------------------------------------
def test_the_server_follows_doorkeepers_rules(server, app):
    registration, secret = app
    url = server.url
    base = {"response_type": "code", "client_id": registration.client_id, "scope": "read:accounts"}
    # Loopback redirect URIs match on any port; localhost is not loopback; others must match exactly.
    assert requests.get(f"{url}/oauth/authorize", params={**base, "redirect_uri": "http://127.0.0.1:5555/callback"},
                        timeout=5).status_code == 200
    for wrong in ("http://localhost:5555/callback", "http://127.0.0.1:5555/other", "https://evil.example/callback"):
        page = requests.get(f"{url}/oauth/authorize", params={**base, "redirect_uri": wrong}, timeout=5)
        assert page.status_code == 400 and "redirect uri" in page.text, wrong
    # plain PKCE is refused (S256 only), by redirecting back with the error and the state.
    refused = requests.get(f"{url}/oauth/authorize", allow_redirects=False, timeout=5, params={
        **base, "redirect_uri": "http://127.0.0.1:5555/callback", "state": "s1", "code_challenge": "abc",
        "code_challenge_method": "plain"})
    location = parse_qs(urlsplit(refused.headers["Location"]).query)
    assert location["error"] == ["invalid_code_challenge_method"] and location["state"] == ["s1"]
    # Token endpoint errors, as Doorkeeper words them.
    bad_client = requests.post(f"{url}/oauth/token", timeout=5, data={
        "grant_type": "authorization_code", "code": "x", "redirect_uri": OOB_REDIRECT_URI,
        "client_id": registration.client_id, "client_secret": "wrong"})
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    bad_grant = requests.post(f"{url}/oauth/token", timeout=5, auth=(registration.client_id, secret), data={
        "grant_type": "authorization_code", "code": "nope", "redirect_uri": OOB_REDIRECT_URI})
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_grant"
    assert requests.post(f"{url}/oauth/token", data={"grant_type": "password"}, timeout=5,
                         auth=(registration.client_id, secret)).json()["error"] == "unsupported_grant_type"
    # API errors are {"error": "..."}.
    assert requests.post(f"{url}{STATUSES}", data={"status": "hi"}, timeout=5).json() == {
        "error": "The access token is invalid"}
    app_token = requests.post(f"{url}/oauth/token", timeout=5, data={
        "grant_type": "client_credentials", "client_id": registration.client_id, "client_secret": secret,
        "scope": "read:accounts"}).json()["access_token"]
    outside = requests.post(f"{url}{STATUSES}", data={"status": "hi"}, timeout=5,
                            headers={"Authorization": f"Bearer {app_token}"})
    assert outside.status_code == 403 and outside.json()["error"] == "This action is outside the authorized scopes"
    assert requests.get(f"{url}/api/v1/statuses/1", timeout=5).json() == {"error": "Record not found"}
    bad_app = requests.post(f"{url}/api/v1/apps", data={"client_name": "x", "redirect_uris": "not a uri"}, timeout=5)
    assert bad_app.status_code == 422 and bad_app.json()["error"].startswith("Validation failed")


def test_the_server_runs_from_the_command_line_for_the_sandbox():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.mastodon_server", "--port", "0", "--user", "trainer:sandbox-pass",
         "--max-characters", "1000", "--domain", "sandbox.example"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "Mastodon test server on http://127.0.0.1:" in banner, process.stderr.read() if process.stderr else ""
        url = banner.split(" on ", 1)[1].split()[0]
        instance = requests.get(f"{url}/api/v2/instance", timeout=5).json()
        assert instance["domain"] == "sandbox.example"
        assert instance["configuration"]["statuses"]["max_characters"] == 1000
        assert process.stdout.readline().startswith("GET /api/v2/instance -> 200")
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
