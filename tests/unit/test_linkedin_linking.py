"""The LinkedIn adapter's link-flow glue (desktop.adapters.networks.linkedin.linking), through the
factory the composition root calls, with real settings and the LinkedIn test server on 127.0.0.1:
the client secret read from the AppVault only when no token-exchange service holds it, readiness as
IT's settings say, and a client rebuilt when those settings change."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from desktop.adapters.common import SharedClient
from desktop.adapters.networks.linkedin import LinkedInAdapter, NotConfigured, client_factory
from desktop.core.networks.linkedin import ID
from desktop.core.ports import AdapterContext
from desktop.core.settings import Settings
from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser, TokenExchangeService
from tests.unit.app_vault import MemoryAppVault

PASSWORD = "alice-password-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def server(port: int) -> Iterator[LinkedInTestServer]:
    with LinkedInTestServer(members={"alice": PASSWORD}, redirect_uris=[f"http://127.0.0.1:{port}/callback"]) as running:
        yield running
        assert running.violations == []


@pytest.fixture
def settings(tmp_path, server: LinkedInTestServer, port: int) -> Settings:
    settings = Settings(tmp_path / "settings.json")
    settings.set("linkedin.client_id", server.client_id)
    settings.set("linkedin.redirect_port", port)
    return settings


@pytest.fixture
def factory(settings: Settings, server: LinkedInTestServer) -> Iterator[SharedClient[LinkedInAdapter]]:
    endpoints = {"authorization_url": f"{server.url}/oauth/v2/authorization",
                 "token_url": f"{server.url}/oauth/v2/accessToken", "api_base": server.url}
    made = client_factory(AdapterContext(setting=settings.get, endpoints=endpoints))
    yield made
    made.close()


@pytest.fixture
def browser() -> Iterator[MemberBrowser]:
    driver = MemberBrowser("alice", PASSWORD)
    yield driver
    driver.close()


def test_without_a_client_secret_check_ready_says_where_it_goes(factory, server):
    apps = MemoryAppVault()
    with pytest.raises(NotConfigured, match=f"app:{ID}:{server.client_id}"):
        factory().check_ready(apps)
    assert apps.calls == [("app_secret", ID, server.client_id)]


def test_with_the_secret_in_the_vault_it_is_ready_and_links(factory, server, browser, port):
    apps = MemoryAppVault()
    apps.secrets[(ID, server.client_id)] = server.client_secret
    adapter = factory()
    assert adapter.check_ready(apps) is None

    account, token = adapter.link_with_browser(None, browser, apps, timeout=10)
    alice = server.member("alice")
    assert (account.network, account.remote_id) == (ID, f"urn:li:person:{alice.sub}")
    (issued,) = server.tokens_of("alice")
    assert issued.token == token
    (exchange,) = server.requests_to("/oauth/v2/accessToken", "POST")
    assert "client_secret" in exchange.body  # sent to LinkedIn itself, with the secret from the vault
    assert browser.opened[0].startswith(f"{server.url}/oauth/v2/authorization?")


def test_with_a_token_exchange_service_the_vault_is_never_asked(factory, settings, server, browser):
    apps = MemoryAppVault()
    with TokenExchangeService(server) as service:
        settings.set("linkedin.token_exchange_url", service.url)
        adapter = factory()
        assert adapter.check_ready(apps) is None
        account, token = adapter.link_with_browser(None, browser, apps, timeout=10)
    assert server.tokens_of("alice")[0].token == token
    (relayed,) = service.requests
    assert "client_secret" not in relayed
    assert apps.calls == []


def test_the_adapter_follows_the_settings_in_force(factory, settings, server):
    first = factory()
    assert factory() is first  # the same settings: the same client
    settings.set("linkedin.api_version", "202610")
    second = factory()
    assert second is not first and second.config.api_version == "202610"
    assert second.config.client_id == server.client_id and second.client.allow_http  # test endpoints
    assert factory() is second
    assert first.http is not second.http


def test_without_an_app_nothing_is_read_from_the_vault(factory, settings):
    settings.set("linkedin.client_id", "")
    apps = MemoryAppVault()
    with pytest.raises(NotConfigured, match="IT must set linkedin.client_id"):
        factory().check_ready(apps)
    assert apps.calls == []
