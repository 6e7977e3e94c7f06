"""Hostile and broken servers against every network adapter (issue 9, finding 3 and the weaker
findings on server answers): real HTTP servers on 127.0.0.1 (tests/servers/hostile.py), the real
adapters, nothing mocked.

- A call carrying a sign-in (app password, client secret, code, token) answered with a 307 to
  another address: the other server never receives anything.
- A plain ``http://`` server that is not this computer (typed, or named by a DID document): refused
  before any connection. Proof: a recording HTTP proxy set in the environment (requests honours
  ``HTTP_PROXY``) receives no request, while a control request does reach it.
- An 800 MB answer (generated lazily by the server): given up after a few MB.
- A server dripping one byte a second, in the body or in the headers: the call fails at its total
  deadline; the server sees the client give up long before its answer is complete.
- JSON nested 10,000 deep: the adapters' usual "unreadable answer", not a RecursionError.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import requests

from desktop.adapters.http import AnswerTooLarge, InsecureAddress, RedirectRefused
from desktop.adapters.networks.bluesky import BlueskyClient
from desktop.adapters.networks.linkedin import LinkedInClient, LinkedInConfig, NotConfigured
from desktop.adapters.networks.mastodon import OOB_REDIRECT_URI, MastodonClient, PendingAuthorization
from desktop.adapters.oauth import new_pkce
from desktop.core.accounts.store import AppRegistration
from desktop.core.ports import Account, PublishError
from tests.servers.hostile import HostileServer

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
ACCESS = "access-token-0123456789"
REFRESH = "refresh-token-0123456789"
CLIENT_SECRET = "client-secret-0123456789"
CODE = "authorization-code-0123456789"
SECRETS = (APP_PASSWORD, ACCESS, REFRESH, CLIENT_SECRET, CODE)
TIMEOUT = (2.0, 5.0)  # connect, read: each read waits up to 5 s, longer than the drip's 1 s
DEADLINE_S = 2.0


@pytest.fixture
def servers() -> Iterator[Callable[..., HostileServer]]:
    started: list[HostileServer] = []

    def start(mode: str = "ok", **options) -> HostileServer:
        server = HostileServer(mode, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def clients() -> Iterator[list]:
    made: list = []
    yield made
    for client in made:
        client.http.close()


# -- one credential-carrying call per adapter, against a base URL -----------------------------------
def bluesky_sign_in(base: str, made: list, **options) -> object:
    client = BlueskyClient(service_url=base, plc_url=base, **options)
    made.append(client)
    return client.link("alice.test", APP_PASSWORD, service_url=base)


def bluesky_token_call(base: str, made: list, **options) -> object:
    client = BlueskyClient(service_url=base, plc_url=base, **options)
    made.append(client)
    account = Account("acct-1", "bluesky", "@alice.test", base, "did:plc:alice")
    secret = json.dumps({"v": 1, "did": "did:plc:alice", "access": ACCESS, "refresh": REFRESH, "pw": APP_PASSWORD})
    return client.check(account, secret)


def mastodon_sign_in(base: str, made: list, **options) -> object:
    client = MastodonClient(timeout=TIMEOUT, **options)
    made.append(client)
    registration = AppRegistration("mastodon", base, "client-id", (OOB_REDIRECT_URI,), "write:statuses")
    pending = PendingAuthorization(registration, CLIENT_SECRET, OOB_REDIRECT_URI, "state", new_pkce(), "")
    return client.exchange_code(pending, CODE)


def mastodon_token_call(base: str, made: list, **options) -> object:
    client = MastodonClient(timeout=TIMEOUT, **options)
    made.append(client)
    return client.account_for_token(base, ACCESS)


def linkedin_client(base: str, made: list, **options) -> LinkedInClient:
    config = LinkedInConfig(client_id="client-id", token_url=f"{base}/oauth/v2/accessToken", api_base=base)
    client = LinkedInClient(config, timeout=TIMEOUT, allow_http=True, **options)
    made.append(client)
    return client


def linkedin_sign_in(base: str, made: list, **options) -> object:
    return linkedin_client(base, made, **options).exchange_code(CODE, "http://127.0.0.1:47319/callback",
                                                                client_secret=CLIENT_SECRET)


def linkedin_token_call(base: str, made: list, **options) -> object:
    return linkedin_client(base, made, **options).account_for_token(ACCESS)


SIGN_INS = {"bluesky": bluesky_sign_in, "mastodon": mastodon_sign_in, "linkedin": linkedin_sign_in}
TOKEN_CALLS = {"bluesky": bluesky_token_call, "mastodon": mastodon_token_call, "linkedin": linkedin_token_call}
ALL_CALLS = {**{f"{k}-sign-in": v for k, v in SIGN_INS.items()},
             **{f"{k}-token": v for k, v in TOKEN_CALLS.items()}}


# -- redirects ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", ALL_CALLS.values(), ids=ALL_CALLS.keys())
def test_a_redirect_never_takes_the_sign_in_to_another_address(call, servers, clients):
    elsewhere = servers("ok")
    evil = servers("redirect", location=f"{elsewhere.url}/steal")
    with pytest.raises(RedirectRefused) as failure:
        call(evil.url, clients)
    assert elsewhere.requests == [] and elsewhere.raw_bodies == []  # nothing arrived there, not even a GET
    assert len(evil.requests) == 1
    reason = failure.value.reason
    assert f"127.0.0.1:{evil.port} answered with a redirect to http://127.0.0.1:{elsewhere.port}/steal" in reason
    assert "does not send your sign-in to another address" in reason
    assert not any(secret in reason for secret in SECRETS)


def test_bluesky_create_session_redirected_to_another_port_keeps_the_app_password(servers, clients):
    """The exact probe of issue 9 (finding 3a): createSession answered with a 307."""
    other = servers("ok")
    evil = servers("redirect", location=f"{other.url}/xrpc/com.atproto.server.createSession")
    with pytest.raises(RedirectRefused):
        bluesky_sign_in(evil.url, clients)
    assert evil.requests[0].path == "/xrpc/com.atproto.server.createSession"
    assert APP_PASSWORD.encode() in evil.raw_bodies[0]  # it was sent once, to the address given
    assert other.requests == []  # and never repeated at the other one


# -- plain http --------------------------------------------------------------------------------------
@pytest.fixture
def recording_proxy(servers, monkeypatch) -> HostileServer:
    """Every plain-http request to a host other than this computer goes to this recorder: if an
    adapter ever connected to http://pds.example.org, the recorder would see it."""
    recorder = servers("ok")
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, recorder.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    control = requests.get("http://control.example.org/probe", timeout=5)  # the recorder works
    assert control.status_code == 200 and [r.path for r in recorder.requests] == ["/probe"]
    return recorder


def test_bluesky_refuses_a_plain_http_pds_before_any_connection(recording_proxy, clients):
    client = BlueskyClient(service_url="https://entryway.invalid", plc_url="https://plc.invalid")
    clients.append(client)
    with pytest.raises(InsecureAddress) as failure:
        client.link("alice.example.org", APP_PASSWORD, service_url="http://pds.example.org")
    assert "http://pds.example.org" in failure.value.reason and "https://" in failure.value.reason
    assert not failure.value.retryable
    assert [r.path for r in recording_proxy.requests] == ["/probe"]  # only the control request


def test_loopback_http_stays_allowed_for_test_and_training_servers(servers, clients):
    local = servers("ok", answer={"did": "did:plc:alice", "accessJwt": "x", "refreshJwt": "y"})
    with pytest.raises(PublishError) as failure:  # reached: the answer is refused for its content
        bluesky_sign_in(local.url.replace("127.0.0.1", "localhost"), clients)
    assert not isinstance(failure.value, InsecureAddress)
    assert local.requests[0].path == "/xrpc/com.atproto.server.createSession"


@pytest.mark.parametrize("endpoint", ["http://pds.example.org", "http://evil.example:8080/", "ftp://pds.example.org"])
def test_a_did_document_naming_a_pds_without_https_is_refused(endpoint, servers, recording_proxy, clients):
    doc_host = servers("ok", answer={
        "id": "did:web:placeholder",
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": endpoint}],
    })
    client = BlueskyClient(service_url="https://entryway.invalid", plc_url="https://plc.invalid")
    clients.append(client)
    with pytest.raises(InsecureAddress):
        client.link(f"did:web:127.0.0.1%3A{doc_host.port}", APP_PASSWORD)
    assert [r.path for r in doc_host.requests] == ["/.well-known/did.json"]
    assert [r.path for r in recording_proxy.requests] == ["/probe"]


def test_mastodon_and_linkedin_refuse_plain_http_before_any_connection(recording_proxy, clients):
    mastodon = MastodonClient(timeout=TIMEOUT)
    clients.append(mastodon)
    with pytest.raises(ValueError, match="http://"):
        mastodon.account_for_token("http://mastodon.example.org", ACCESS)
    config = LinkedInConfig(client_id="client-id", api_base="http://api.linkedin.example.org")
    linkedin = LinkedInClient(config, timeout=TIMEOUT, allow_http=True)
    clients.append(linkedin)
    with pytest.raises(NotConfigured, match="https"):
        linkedin.account_for_token(ACCESS)
    assert [r.path for r in recording_proxy.requests] == ["/probe"]


# -- huge answers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", ALL_CALLS.values(), ids=ALL_CALLS.keys())
def test_an_800_mb_answer_is_given_up_after_a_few_megabytes(call, servers, clients):
    huge = servers("huge", size=800 * 1024 * 1024)
    with pytest.raises(AnswerTooLarge) as failure:
        call(huge.url, clients)
    assert "larger than 2 MB" in failure.value.reason and "stopped reading" in failure.value.reason
    # What the server could push before the client hung up: the 2 MB read plus what the kernel's
    # socket buffers took (a few MB on loopback), never anything close to 800 MB.
    assert huge.body_bytes_sent < 64 * 1024 * 1024, huge.body_bytes_sent


def test_the_answer_cap_is_a_parameter(servers, clients):
    huge = servers("huge", size=300_000)
    with pytest.raises(AnswerTooLarge, match="larger than 100,000 bytes"):
        mastodon_token_call(huge.url, clients, max_bytes=100_000)


# -- slow drip ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", TOKEN_CALLS.values(), ids=TOKEN_CALLS.keys())
def test_a_body_dripping_a_byte_a_second_fails_at_the_deadline(call, servers, clients):
    drip = servers("drip", size=40, interval=1.0)  # 40 s for the whole answer; each read well inside 5 s
    with pytest.raises(PublishError, match="did not answer in time") as failure:
        call(drip.url, clients, deadline=DEADLINE_S)
    assert f"within {DEADLINE_S:.0f} s" in failure.value.reason
    assert failure.value.retryable
    assert drip.body_bytes_sent < 20, drip.body_bytes_sent  # the client gave up long before the end


@pytest.mark.parametrize("call", SIGN_INS.values(), ids=SIGN_INS.keys())
def test_headers_dripping_a_byte_a_second_fail_at_the_deadline(call, servers, clients):
    drip = servers("drip_headers", size=10, interval=1.0)  # about 100 s of headers
    with pytest.raises(PublishError, match="did not answer in time"):
        call(drip.url, clients, deadline=DEADLINE_S)
    assert drip.body_bytes_sent == 0


# -- malformed answers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call", ALL_CALLS.values(), ids=ALL_CALLS.keys())
def test_json_nested_ten_thousand_deep_is_an_unreadable_answer(call, servers, clients):
    nested = servers("nested", depth=10_000)
    with pytest.raises(PublishError) as failure:
        call(nested.url, clients)
    assert type(failure.value) is PublishError  # the adapters' ordinary "server sent nonsense"
    reason = failure.value.reason.lower()
    assert "understand" in reason or "cannot read" in reason, reason
    assert len(nested.requests) == 1


def test_an_avatar_download_has_a_deadline_and_a_cap_too(servers):
    from desktop.adapters.images import ImageFetcher

    drip = servers("drip", size=40, interval=1.0)
    huge = servers("huge", size=800 * 1024 * 1024)
    fetcher = ImageFetcher(deadline=DEADLINE_S)
    try:
        assert fetcher(f"{drip.url}/avatar.png") is None
        assert fetcher(f"{huge.url}/avatar.png") is None
    finally:
        fetcher.session.close()
    assert drip.body_bytes_sent < 20 and huge.body_bytes_sent < 64 * 1024 * 1024
