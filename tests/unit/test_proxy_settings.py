"""network.proxy and network.ca_certificates: what each value means for a request, and the messages
for values that cannot be used (the real connections are in tests/integration/test_policy_url.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.adapters import http
from desktop.core.settings import SPECS, Settings

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                   "NO_PROXY", "no_proxy")


@pytest.fixture
def settings(monkeypatch) -> Iterator[Settings]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    values = Settings(None)
    http.use_settings(values.get)
    yield values
    http.use_settings(None)


def test_the_settings_are_declared_right_after_the_policy_source():
    keys = [spec.key for spec in SPECS]
    at = keys.index("policy.source")
    assert keys[at + 1: at + 4] == ["policy.refresh_hours", "network.proxy", "network.ca_certificates"]
    refresh = SPECS[at + 1]
    assert refresh.default == 4 and refresh.minimum == 1 and refresh.maximum == 168


def test_empty_leaves_the_choice_to_the_system(settings, monkeypatch):
    assert http.proxies_for("https://bsky.social/xrpc") is None
    assert http.describe_proxy("https://bsky.social/") == "system: none (direct)"
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:secret@proxy.corp.example:3128")
    assert http.describe_proxy("https://bsky.social/") == "system: http://proxy.corp.example:3128"


def test_direct_turns_every_proxy_off(settings):
    settings.set("network.proxy", "DIRECT")
    assert http.proxies_for("https://mastodon.example/api") == {"http": None, "https": None, "all": None}
    assert http.describe_proxy("https://mastodon.example/") == "direct"


def test_a_proxy_address_is_used_for_every_server_and_its_password_never_shown(settings):
    settings.set("network.proxy", " http://alice:secret@proxy.corp.example:3128 ")
    proxy = "http://alice:secret@proxy.corp.example:3128"
    assert http.proxies_for("https://api.linkedin.com/v2") == {"http": proxy, "https": proxy, "all": proxy}
    assert http.describe_proxy("https://api.linkedin.com/") == "http://proxy.corp.example:3128"


@pytest.mark.parametrize("value", ["proxy.corp.example:3128", "socks5://proxy.corp.example:1080", "http://"])
def test_a_proxy_value_chorus_cannot_use_is_refused_with_the_forms_it_accepts(settings, value):
    settings.set("network.proxy", value)
    with pytest.raises(http.NetworkSettingError) as caught:
        http.proxies_for("https://bsky.social/")
    message = str(caught.value)
    assert "The proxy set in Settings (network.proxy) is not one Chorus understands" in message
    assert "pac+https://" in message and "“direct”" in message


def test_a_proxy_auto_config_address_must_be_https(settings):
    settings.set("network.proxy", "pac+http://wpad.corp.example/wpad.dat")
    with pytest.raises(http.NetworkSettingError, match=r"must start with pac\+https://"):
        http.proxies_for("https://bsky.social/")


@pytest.mark.parametrize(("answer", "proxy"), [
    ("PROXY proxy.corp.example:8080; DIRECT", "http://proxy.corp.example:8080"),
    ("SOCKS5 socks.corp.example:1080; HTTPS secure.corp.example:443", "https://secure.corp.example:443"),
    ("DIRECT", None),
    ("  ;  direct ; PROXY p:1", None),
    ("SOCKS s:1", None),
])
def test_the_first_usable_answer_of_a_proxy_auto_config_script_is_taken(answer, proxy):
    assert http._first_usable_proxy(answer) == proxy


def test_an_unreadable_certificate_file_stops_the_request_with_its_path(settings, tmp_path):
    missing = tmp_path / "corp-root.pem"
    settings.set("network.ca_certificates", str(missing))
    session = http.make_session()
    with pytest.raises(http.NetworkSettingError) as caught:
        http.fetch(session, "GET", "https://127.0.0.1:9/", what="testing")
    assert f"cannot be read: {missing} (No such file or directory)" in str(caught.value)

    missing.write_text("this is not a certificate\n", encoding="utf-8")
    with pytest.raises(http.NetworkSettingError) as caught:
        http.fetch(session, "GET", "https://127.0.0.1:9/", what="testing")
    assert f"The extra CA certificates file {missing} (network.ca_certificates) holds no certificate" \
        in str(caught.value)
    assert "-----BEGIN CERTIFICATE-----" in str(caught.value)
    session.close()


def test_the_trust_context_is_made_again_when_the_bundle_changes(settings, tmp_path):
    from tests.integration.test_policy_url import make_pki

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = make_pki(tmp_path / "a"), make_pki(tmp_path / "b")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(first.ca_pem.read_bytes())
    context = http.trust_context(str(bundle))
    assert http.trust_context(str(bundle)) is context  # once per file version
    bundle.write_bytes(first.ca_pem.read_bytes() + second.ca_pem.read_bytes())
    again = http.trust_context(str(bundle))
    assert again is not context and http.trust_context(str(bundle)) is again
    assert http.trust_context("") is http.trust_context("")  # the OS store alone
