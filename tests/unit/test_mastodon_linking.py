"""The Mastodon adapter's link-flow glue (desktop.adapters.networks.mastodon.linking), through the
factory the composition root calls, against the Mastodon test server on 127.0.0.1: Chorus's app
registration kept in the AppVault and re-used, the browser and pasted-code flows, and revoking the
token at unlink."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from desktop.adapters.common import SharedClient
from desktop.adapters.networks.mastodon import MastodonAdapter, client_factory
from desktop.core.networks.mastodon import ID
from desktop.core.ports import AdapterContext, AuthError, Post, PublishError
from tests.servers.mastodon_browser import AuthorizeBrowser, read_oob_code
from tests.servers.mastodon_server import MastodonTestServer
from tests.unit.app_vault import MemoryAppVault

PASSWORD = "alice-password-for-tests"


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    with MastodonTestServer(users={"alice": PASSWORD}, max_characters=640) as running:
        yield running


@pytest.fixture
def factory() -> Iterator[SharedClient[MastodonAdapter]]:
    made = client_factory(AdapterContext(setting=lambda key: None))
    yield made
    made.close()


@pytest.fixture
def browser() -> Iterator[AuthorizeBrowser]:
    driver = AuthorizeBrowser("alice", PASSWORD)
    yield driver
    driver.close()


def test_the_factory_hands_out_one_shared_adapter_from_every_thread(factory):
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(factory())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(each) for each in seen}) == 1
    adapter = seen[0]
    assert isinstance(adapter, MastodonAdapter) and adapter.network == ID
    assert adapter.check_ready(MemoryAppVault()) is None  # any computer can link Mastodon accounts


def test_link_in_the_browser_registers_once_and_reuses_the_registration(factory, server, browser):
    apps = MemoryAppVault()
    adapter = factory()
    typed = f" {server.url}/@alice "  # what people type: their profile's address
    account, token = adapter.link_with_browser(typed, browser, apps, timeout=10)

    assert account.handle == f"@alice@{server.domain}" and account.limits["max_characters"] == 640
    assert server.tokens_of("alice")[-1].token == token
    # The registration went to the vault, under the server's normalised address.
    (registration, secret), = apps.registrations.values()
    assert (registration.network, registration.server) == (ID, server.url)
    assert (registration.client_id, secret) == ((app := next(iter(server.apps.values()))).client_id,
                                                app.client_secret)
    assert ("save_registration", ID, server.url) in apps.calls

    # A second link re-uses it: no new app on the server, nothing saved again.
    apps.calls.clear()
    adapter.link_with_browser(server.url, browser, apps, timeout=10)
    assert len(server.apps) == 1
    assert apps.calls == [("registration", ID, server.url)]


def test_a_registration_the_server_forgot_is_replaced_in_the_vault(factory, server, browser):
    apps = MemoryAppVault()
    adapter = factory()
    adapter.link_with_browser(server.url, browser, apps, timeout=10)
    (old, _), = apps.registrations.values()
    server.delete_app(old.client_id)  # an admin removed it

    adapter.link_with_browser(server.url, browser, apps, timeout=10)
    (new, new_secret), = apps.registrations.values()
    assert new.client_id != old.client_id
    assert server.apps and next(iter(server.apps.values())).client_secret == new_secret


def test_the_pasted_code_flow_uses_the_same_registration(factory, server, browser):
    apps = MemoryAppVault()
    adapter = factory()
    pending = adapter.begin_code(server.url, apps)
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in pending.url
    browser(pending.url)
    account, token = adapter.complete_code(pending, read_oob_code(browser.last))
    assert account.handle == f"@alice@{server.domain}" and server.tokens_of("alice")[0].token == token
    assert len(apps.registrations) == 1 and len(server.apps) == 1

    adapter.link_with_browser(server.url, browser, apps, timeout=10)  # the browser flow re-uses it
    assert len(server.apps) == 1


def test_an_address_that_is_not_a_server_is_refused_before_anything_is_sent(factory):
    apps = MemoryAppVault()
    with pytest.raises(ValueError, match="Enter your Mastodon server"):
        factory().begin_code("  ", apps)
    with pytest.raises(ValueError, match="not a valid server name"):
        factory().link_with_browser("bad_name!.example", lambda url: True, apps, timeout=1)
    assert apps.calls == []


def test_forget_revokes_the_token_with_the_servers_registration(factory, server, browser):
    apps = MemoryAppVault()
    adapter = factory()
    account, token = adapter.link_with_browser(server.url, browser, apps, timeout=10)
    post = Post("Before unlinking", idempotency_key="k-1")
    assert adapter.publish(account, token, post).remote_id

    adapter.forget(account, token, apps)
    (issued,) = server.tokens_of("alice")
    assert issued.revoked
    with pytest.raises(AuthError):
        adapter.publish(account, token, Post("After unlinking", idempotency_key="k-2"))


def test_forget_without_a_registration_tells_no_server(factory, server, browser):
    linked_apps = MemoryAppVault()
    adapter = factory()
    account, token = adapter.link_with_browser(server.url, browser, linked_apps, timeout=10)
    requests_before = len(server.requests)

    adapter.forget(account, token, MemoryAppVault())  # the registration is gone from this vault
    assert len(server.requests) == requests_before
    assert not server.tokens_of("alice")[0].revoked


def test_close_closes_the_shared_session_and_a_late_call_still_works(factory, server, browser):
    apps = MemoryAppVault()
    factory().link_with_browser(server.url, browser, apps, timeout=10)
    factory.close()
    factory.close()  # twice is fine
    with pytest.raises(PublishError):  # nothing is listening there: a clean error, not a crash
        factory().begin_code("http://127.0.0.1:9", MemoryAppVault())
