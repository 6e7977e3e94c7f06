"""LinkedIn adapter pieces that need no server: configuration from settings, API version age,
429 waits, the created post's id, and the fixed-port loopback listener LinkedIn needs."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
import requests

from desktop.adapters.networks import linkedin
from desktop.adapters.networks.linkedin import (
    DEFAULT_API_VERSION,
    DEFAULT_REDIRECT_PORT,
    LinkedInClient,
    LinkedInConfig,
    client_secret_key,
    retry_after_seconds,
    version_warning,
)
from desktop.adapters.oauth import LoopbackListener, new_state, port_is_closed
from desktop.core.settings import SPECS, Settings


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def test_settings_defaults_match_the_adapter(tmp_path):
    specs = {spec.key: spec for spec in SPECS}
    assert specs["linkedin.api_version"].default == DEFAULT_API_VERSION
    assert specs["linkedin.redirect_port"].default == DEFAULT_REDIRECT_PORT
    linkedin_keys = [spec.key for spec in SPECS if spec.key.startswith("linkedin.")]
    assert linkedin_keys == ["linkedin.client_id", "linkedin.token_exchange_url", "linkedin.client_secret",
                             "linkedin.api_version", "linkedin.redirect_port", "linkedin.read_own_posts"]
    # the one secret is IT's alone: never from (or written to) the user's settings file, never shown
    assert [key for key in linkedin_keys if specs[key].secret] == ["linkedin.client_secret"]
    config = LinkedInConfig.from_settings(Settings(tmp_path / "settings.json").get)
    assert config == LinkedInConfig()
    assert config.problems() == ["No LinkedIn app is set up: IT must set linkedin.client_id."]


def test_managed_settings_make_the_config(tmp_path):
    managed = {"linkedin.client_id": " 86abc ", "linkedin.token_exchange_url": "https://sso.example.com/li/token",
               "linkedin.api_version": "202610", "linkedin.redirect_port": 51234, "linkedin.read_own_posts": True}
    config = LinkedInConfig.from_settings(Settings(None, managed=managed).get)
    assert (config.client_id, config.token_exchange_url, config.api_version, config.redirect_port) == (
        "86abc", "https://sso.example.com/li/token", "202610", 51234)
    assert config.scopes == ("openid", "profile", "w_member_social", "r_member_social")
    assert config.redirect_uri_to_register == "http://127.0.0.1:51234/callback"
    assert config.problems() == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"api_version": "2026-09"}, "YYYYMM"),
    ({"api_version": "202613"}, "YYYYMM"),
    ({"token_exchange_url": "http://sso.example.com/token"}, "https://"),
    ({"redirect_port": 70000}, "redirect_port"),
])
def test_configuration_problems_are_sentences_for_it(change, problem):
    config = LinkedInConfig(client_id="86abc", **change)
    (found,) = config.problems()
    assert problem in found


def test_the_client_secret_lives_in_the_keyring_under_the_client_id():
    assert client_secret_key("86abc") == "app:linkedin:86abc"


def test_version_warnings_follow_linkedins_one_year_support():
    assert version_warning("202609", at(2026, 11, 23)) is None
    assert "soon be retired" in version_warning("202609", at(2027, 7, 1))
    assert "about 13 months old" in version_warning("202609", at(2027, 10, 2))
    assert "not a LinkedIn API version" in version_warning("latest", at(2026, 11, 23))
    assert version_warning("202609.01", at(2026, 11, 23)) is None


def test_retry_after_from_the_header_a_date_or_linkedins_daily_reset():
    now = at(2026, 11, 23, 22, 30)
    assert retry_after_seconds({"Retry-After": "12"}, "", now) == 12
    assert retry_after_seconds({"Retry-After": "Mon, 23 Nov 2026 22:32:00 GMT"}, "", now) == 120
    daily = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
    assert retry_after_seconds({}, daily, now) == 90 * 60  # next 00:00 UTC
    assert retry_after_seconds({}, "", now) == 60
    assert retry_after_seconds({"Retry-After": "999999"}, "", now) == 24 * 3600


def _created(header: str) -> requests.Response:
    response = requests.Response()
    response.status_code = 201
    response.headers["x-restli-id"] = header
    return response


@pytest.mark.parametrize("header", ["urn:li:share:7141138937766391808", "urn%3Ali%3Ashare%3A7141138937766391808"])
def test_the_post_id_comes_from_x_restli_id_plain_or_restli_encoded(header):
    client = LinkedInClient(LinkedInConfig(client_id="x"))
    published = client._published_from(_created(header))
    assert published.remote_id == "urn:li:share:7141138937766391808"
    assert published.url == "https://www.linkedin.com/feed/update/urn:li:share:7141138937766391808/"
    client.http.close()


def test_a_created_post_without_an_id_still_counts_as_published():
    client = LinkedInClient(LinkedInConfig(client_id="x"))
    published = client._published_from(_created(""))
    assert (published.url, published.remote_id) == (linkedin.ACTIVITY_URL, "")
    client.http.close()


def test_plain_http_is_refused_outside_tests():
    client = LinkedInClient(LinkedInConfig(client_id="x", api_base="http://127.0.0.1:9"))
    with pytest.raises(linkedin.NotConfigured, match="only talks to LinkedIn .* over https"):
        client.account_for_token("token")
    client.http.close()


# -- the loopback listener on a fixed port (LinkedIn matches the registered URL, port included) --
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_fixed_port_listener_uses_that_port_and_can_listen_again_right_away():
    port = _free_port()
    for _ in range(2):  # the second one binds while the first one's connection is in TIME_WAIT
        state = new_state()
        with LoopbackListener(state, port=port) as listener:
            assert listener.port == port and listener.redirect_uri == f"http://127.0.0.1:{port}/callback"
            assert requests.get(f"{listener.redirect_uri}?code=c&state={state}", timeout=5).status_code == 200
            assert listener.wait(5) == {"code": "c", "state": state}
        assert port_is_closed(port)


def test_a_busy_fixed_port_is_an_oserror_and_a_bad_one_a_valueerror():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        listener = LoopbackListener(new_state(), port=squatter.getsockname()[1])
        with pytest.raises(OSError):
            listener.start()
        listener.close()
    with pytest.raises(ValueError):
        LoopbackListener(new_state(), port=70000)
