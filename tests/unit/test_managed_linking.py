"""What IT allows to be linked (desktop.core.accounts.linking.LinkRules), enforced in the core before
any server is contacted: linking turned off, networks left out, and Mastodon servers outside the
allowed list; through the real composition root (desktop.bootstrap.build_services) and the real
Mastodon adapter against the Mastodon test server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.bootstrap import build_services
from desktop.core.accounts import MemorySecretStore
from desktop.core.accounts.linking import LINKING_OFF, LinkRefused, LinkRules, server_host
from desktop.core.drafts import DraftStore
from desktop.core.services import Services
from desktop.core.settings import Settings
from tests.servers.mastodon_server import MastodonTestServer


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    with MastodonTestServer(users={"alice": "alice-password-for-tests"}) as running:
        yield running


@pytest.fixture
def make_services(tmp_path) -> Iterator:
    made: list[tuple[Services, DraftStore]] = []

    def make(**managed) -> Services:
        store = DraftStore.open(tmp_path / f"drafts-{len(made)}.db")
        services = build_services(Settings(None, managed=managed), store, tmp_path, secret_store=MemorySecretStore())
        made.append((services, store))
        return services

    yield make
    for services, store in made:
        services.close()
        store.close()


@pytest.mark.parametrize(("typed", "host"), [
    ("mastodon.social", "mastodon.social"),
    (" Mastodon.Social. ", "mastodon.social"),
    ("alice@mastodon.social", "mastodon.social"),
    ("@alice@mastodon.social", "mastodon.social"),
    ("https://mastodon.social/@alice", "mastodon.social"),
    ("http://127.0.0.1:8080/@alice", "127.0.0.1"),
    ("127.0.0.1:8080", "127.0.0.1"),
    ("mastodon.social/@alice", "mastodon.social"),
    ("", ""),
])
def test_the_server_a_person_typed_is_read_as_a_host_name(typed, host):
    assert server_host(typed) == host


def test_rules_follow_the_managed_settings():
    rules = LinkRules.from_settings(Settings(None, managed={
        "accounts.allowed_networks": ["mastodon", "linkedin"],
        "mastodon.allowed_instances": ["Social.Example.org", "*.example.com"]}).get)
    assert rules.offered(["bluesky", "mastodon", "linkedin"]) == ["mastodon", "linkedin"]
    assert rules.refusal("bluesky") == "Your organisation does not allow linking Bluesky accounts in Chorus."
    assert rules.refusal("mastodon", "alice@social.example.org") is None
    assert rules.refusal("mastodon", "https://team.example.com/@bob") is None
    assert rules.refusal("mastodon", "example.com") is not None  # *.example.com: servers under it only
    assert rules.refusal("mastodon", "mastodon.social") == (
        "Your organisation allows Mastodon accounts only on these servers: social.example.org, *.example.com; "
        "mastodon.social is not one of them. Ask IT if you need another server.")
    assert rules.refusal("linkedin") is None  # the server list is Mastodon's alone
    off = LinkRules.from_settings(Settings(None, managed={"accounts.linking_allowed": False}).get)
    assert off.offered(["bluesky", "mastodon"]) == [] and off.refusal("mastodon", "social.example.org") == LINKING_OFF
    assert LinkRules.from_settings(Settings(None).get) == LinkRules()  # by default: everything


def test_a_mastodon_server_outside_the_list_is_refused_before_it_is_contacted(make_services, server):
    services = make_services(**{"mastodon.allowed_instances": ["social.example.org"]})
    assert services.link_rules().refusal("mastodon", server.url) is not None
    with pytest.raises(LinkRefused, match="only on these servers: social.example.org; 127.0.0.1 is not one of them"):
        services.linking.begin_code("mastodon", server.url)
    with pytest.raises(LinkRefused):
        services.linking.link_with_browser("mastodon", f"{server.url}/@alice", lambda url: True)
    assert server.apps == {}  # Chorus did not even register itself there

    allowed = make_services(**{"mastodon.allowed_instances": ["social.example.org", "127.0.0.1"]})
    pending = allowed.linking.begin_code("mastodon", server.url)
    assert pending.url.startswith(server.url) and len(server.apps) == 1


def test_linking_turned_off_refuses_every_network_and_says_why(make_services):
    services = make_services(**{"accounts.linking_allowed": False})
    with pytest.raises(LinkRefused) as refused:
        services.linking.link_with_password("bluesky", "alice.example.com", "abcd-efgh-ijkl-mnop")
    assert refused.value.reason == LINKING_OFF and not refused.value.retryable
    assert services.linking.problem("linkedin") == LINKING_OFF
    left_out = make_services(**{"accounts.allowed_networks": ["mastodon"]})
    with pytest.raises(LinkRefused, match="does not allow linking Bluesky accounts"):
        left_out.linking.link_with_password("bluesky", "alice.example.com", "abcd-efgh-ijkl-mnop")


def test_the_linkedin_client_secret_it_manages_is_used_and_never_shown():
    from desktop.adapters.networks.linkedin import client_factory
    from desktop.core.ports import AdapterContext
    from tests.unit.app_vault import MemoryAppVault

    managed = {"linkedin.client_id": "86abc", "linkedin.client_secret": "it-managed-secret",
               "linkedin.api_version": "202610"}
    factory = client_factory(AdapterContext(Settings(None, managed=managed).get))
    try:
        adapter = factory()
        assert adapter.client_secret(MemoryAppVault()) == "it-managed-secret"
        assert adapter.config.api_version == "202610"
        assert "it-managed-secret" not in repr(adapter.config)
    finally:
        factory.close()
