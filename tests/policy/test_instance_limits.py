"""R20 for Mastodon follows the author's instance (its max_characters and link length), not a fixed 500."""

from __future__ import annotations

import pytest

from desktop.core.policy import load_policy
from desktop.core.policy.targets import TargetedCheck


@pytest.fixture(scope="module")
def acme():
    return load_policy("acme-example")


def lengths(findings) -> list[tuple[str, int]]:
    return [(f.network, f.start) for f in findings if f.category == "length_limit"]


def test_the_default_instance_allows_500(acme) -> None:
    text = "word " * 120  # 600 characters
    assert lengths(acme.check(text, "mastodon")) == [("mastodon", 500)]


def test_a_bigger_instance_allows_more_and_cuts_where_it_ends(acme) -> None:
    text = "word " * 120
    assert lengths(acme.check(text, "mastodon", instance_limits={"mastodon": {"max_characters": 640}})) == []
    longer = text + "x" * 100
    assert lengths(acme.check(longer, "mastodon", instance_limits={"mastodon": {"max_characters": 640}})) == [
        ("mastodon", 640)]


def test_links_count_what_the_instance_reserves(acme) -> None:
    link = "https://example.com/" + "a" * 80  # 100 characters, one link
    text = "x" * 470 + " " + link  # 571 characters; 494 with a link counted as 23
    assert lengths(acme.check(text, "mastodon")) == []
    reserved_40 = {"mastodon": {"max_characters": 500, "characters_reserved_per_url": 40}}
    assert lengths(acme.check(text, "mastodon", instance_limits=reserved_40)) != []  # 511 with 40 per link


def test_the_composer_check_passes_instance_limits_to_every_network(acme) -> None:
    text = "word " * 120
    check = TargetedCheck(acme, ["linkedin", "mastodon"], {"mastodon": {"max_characters": 640}})
    assert lengths(check(text)) == []
    assert lengths(TargetedCheck(acme, ["linkedin", "mastodon"])(text)) == [("mastodon", 500)]
