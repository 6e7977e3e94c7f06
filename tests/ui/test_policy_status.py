"""The status bar names the policy in use, its version, its source and how fresh it is, for a policy
served from the intranet: the real window, the composition root's services and a real HTTPS server
on 127.0.0.1 whose test CA is trusted through the ``network.ca_certificates`` setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.adapters import http as chorus_http
from desktop.bootstrap import build_services
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.core.paths import AppPaths
from tests.integration.test_policy_url import PROXY_VARIABLES, PolicyServer, acme_version, make_pki

WAIT = 15_000


@pytest.fixture
def server(tmp_path, monkeypatch) -> Iterator[PolicyServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    running = PolicyServer(make_pki(tmp_path))
    running.ca = str(tmp_path / "intranet-ca.pem")  # type: ignore[attr-defined]
    yield running
    running.stop()
    chorus_http.use_settings(None)


def services(settings, store, paths: AppPaths):
    return build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore(),
                          policy_download=paths.policy_download)


def test_the_status_bar_shows_a_url_policy_its_source_and_freshness(make_window, qtbot, server, profile):
    server.served.body = acme_version("2026.12.1")
    window = make_window(values={"policy.source": server.url, "network.ca_certificates": server.ca},
                         load_policy=True, services=services, outbox_first_try_ms=-1)
    label = window.policy_label
    assert window.active_policy.ok
    assert label.text() == "Policy: Acme Corp social media policy 2026.12.1 · 127.0.0.1 · updated just now"
    tip = label.toolTip()
    assert f"Source: {server.url}" in tip and 'Version tag (ETag): "v1"' in tip
    assert "Checked again every 4 hours (policy.refresh_hours)." in tip
    assert "comms-policy@acme.example" in tip
    assert not window.policy_notice.isVisible()
    assert window.policy.refresh_timer.isActive() and window.policy.refresh_timer.interval() == 4 * 3_600_000
    assert window.policy.label_timer.isActive()  # "updated 5 min ago" stays true
    assert AppPaths.for_profile(profile).policy_download.joinpath("policy.toml").read_bytes() == server.served.body

    # the scheduled refresh: unchanged on the server (304)
    with qtbot.waitSignal(window.policy_changed, timeout=WAIT):
        window.policy.refresh()
    assert server.served.requests[-1]["if-none-match"] == '"v1"'
    assert label.text().endswith(" · 127.0.0.1 · updated just now")

    # the laptop goes offline: the downloaded copy stays in force, and the status bar says so
    server.stop()
    with qtbot.waitSignal(window.policy_changed, timeout=WAIT):
        window.policy.refresh()
    fetched = window.active_policy.fetched_at
    assert label.text() == ("Policy: Acme Corp social media policy 2026.12.1 · 127.0.0.1 · "
                            f"offline: using the copy from {fetched:%H:%M}")
    assert "could not be updated: offline: Chorus cannot reach the policy server" in label.toolTip()
    assert window.policy_notice.isVisible()
    assert "connection refused" in window.policy_notice.label.text()
    assert window.composer.checking_policy is not None  # checking goes on with the kept copy

    # a shorter interval set in Settings takes effect at once
    window.settings.set("policy.refresh_hours", 1)
    window.apply_settings()
    assert window.policy.refresh_timer.interval() == 3_600_000
