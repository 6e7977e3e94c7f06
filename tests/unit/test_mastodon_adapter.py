"""Mastodon adapter, the parts without a server: what users type as their instance, 429 waits,
and how a status's HTML is compared with the text Chorus sent."""

from __future__ import annotations

from datetime import UTC
from email.utils import formatdate

import pytest

from desktop.adapters.networks.mastodon import (
    DEFAULT_RETRY_AFTER_S,
    normalise_instance,
    parse_instance,
    retry_after_seconds,
)
from desktop.adapters.networks.mastodon.client import _comparable, _html_to_text
from desktop.core.accounts.store import normalize_server


@pytest.mark.parametrize(
    ("typed", "url", "username"),
    [
        ("mastodon.social", "https://mastodon.social", None),
        ("  Mastodon.Social  ", "https://mastodon.social", None),
        ("mastodon.social/", "https://mastodon.social", None),
        ("mastodon.social.", "https://mastodon.social", None),
        ("https://mastodon.social", "https://mastodon.social", None),
        ("HTTPS://Mastodon.Social/", "https://mastodon.social", None),
        ("https://mastodon.social/about", "https://mastodon.social", None),
        ("https://mastodon.social/@Gargron", "https://mastodon.social", "Gargron"),
        ("https://mastodon.social/@Gargron/103270115826048975", "https://mastodon.social", "Gargron"),
        ("mastodon.social/@alice", "https://mastodon.social", "alice"),
        ("alice@mastodon.social", "https://mastodon.social", "alice"),
        ("@alice@mastodon.social", "https://mastodon.social", "alice"),
        ("acct:alice@mastodon.social", "https://mastodon.social", "alice"),
        ("@alice@Social.Example.ORG", "https://social.example.org", "alice"),
        ("social.example:8443", "https://social.example:8443", None),
        ("https://social.example:443/", "https://social.example", None),
        ("mästodon.example", "https://xn--mstodon-5wa.example", None),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000", None),
        ("http://localhost:3000/", "http://localhost:3000", None),
        ("http://[::1]:3000", "http://[::1]:3000", None),
        ("127.0.0.1:3000", "https://127.0.0.1:3000", None),
    ],
)
def test_what_users_type_becomes_the_server_url(typed: str, url: str, username: str | None) -> None:
    address = parse_instance(typed)
    assert (address.url, address.username) == (url, username)
    assert normalise_instance(typed) == url
    # The same form the accounts store keys registrations by, so a cached app is found again.
    assert normalize_server(url) == url


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("", "Enter your Mastodon server"),
        ("   ", "Enter your Mastodon server"),
        ("mastodon social", "spaces"),
        ("mastodon", "full server name"),
        ("alice@", "does not name a server"),
        ("@@mastodon.social", "not a Mastodon address"),
        ("a@b@mastodon.social", "not a Mastodon address"),
        ("ftp://mastodon.social", "not a web address"),
        ("http://mastodon.social", "https"),
        ("https://user:pw@mastodon.social", "user name and password"),
        ("mastodon.social:99999", "invalid port"),
        ("mastodon.social:http", "invalid port"),
        ("-bad-.example", "not a valid server name"),
        ("under_score.example", "not a valid server name"),
    ],
)
def test_what_is_not_a_server_is_refused_with_a_sentence(typed: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        normalise_instance(typed)


def test_plain_http_to_another_machine_only_when_allowed() -> None:
    assert normalise_instance("http://sandbox.lan:3000", allow_http=True) == "http://sandbox.lan:3000"


NOW = 1_800_000_000.0


def test_retry_after_in_seconds_wins() -> None:
    assert retry_after_seconds({"Retry-After": "7", "X-RateLimit-Reset": "2030-01-01T00:00:00Z"}, NOW) == 7.0


def test_retry_after_as_an_http_date_is_measured_against_the_servers_clock() -> None:
    headers = {"Date": formatdate(NOW - 500, usegmt=True), "Retry-After": formatdate(NOW - 500 + 30, usegmt=True)}
    assert retry_after_seconds(headers, NOW) == pytest.approx(30, abs=1)


def test_mastodons_iso_reset_without_retry_after() -> None:
    # rack_attack.rb: X-RateLimit-Reset is (now + …).iso8601(6); there is no Retry-After.
    from datetime import datetime

    reset = datetime.fromtimestamp(NOW + 120, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert retry_after_seconds({"X-RateLimit-Reset": reset}, NOW) == pytest.approx(120)
    # A local clock an hour fast does not matter when the server says what time it is.
    headers = {"X-RateLimit-Reset": reset, "Date": formatdate(NOW, usegmt=True)}
    assert retry_after_seconds(headers, NOW + 3600) == pytest.approx(120)


def test_epoch_resets_and_fallbacks() -> None:
    assert retry_after_seconds({"X-RateLimit-Reset": str(int(NOW + 90))}, NOW) == pytest.approx(90)
    assert retry_after_seconds({"X-RateLimit-Reset": str(int((NOW + 45) * 1000))}, NOW) == pytest.approx(45)
    assert retry_after_seconds({"X-RateLimit-Reset": "15"}, NOW) == 15
    assert retry_after_seconds({}, NOW) == DEFAULT_RETRY_AFTER_S
    assert retry_after_seconds({"Retry-After": "soon"}, NOW) == DEFAULT_RETRY_AFTER_S
    assert retry_after_seconds({"Retry-After": "0"}, NOW) == 1.0  # never a busy loop
    assert retry_after_seconds({"Retry-After": "9999999"}, NOW) == 24 * 3600  # never a day's freeze


def test_status_html_back_to_comparable_text() -> None:
    content = (
        '<p>Hello <a href="https://x.example/tags/chorus" class="mention hashtag" rel="tag">#<span>chorus</span></a> '
        '&amp; <span class="h-card"><a href="https://x.example/@bob" class="u-url mention">@<span>bob</span></a>'
        '</span> see <a href="https://example.com/a/very/long/path/indeed/yes" target="_blank" rel="nofollow noopener">'
        '<span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/path/i</span>'
        '<span class="invisible">ndeed/yes</span></a></p><p>second<br />line &lt;3</p>'
    )
    text = _html_to_text(content)
    assert text == ("Hello #chorus & @bob see https://example.com/a/very/long/path/indeed/yes\n\nsecond\nline <3")
    sent = "Hello #chorus & @bob@x.example see https://example.com/a/very/long/path/indeed/yes\n\nsecond\nline <3"
    assert _comparable(text) == _comparable(sent)
    assert _comparable("cafe\u0301") == _comparable("café")
    assert _comparable("one  post") != _comparable("another post")
