"""The alt_text rule: each image without alt text is a warn finding with a tip, in both built-in
policies; a policy file can set it up and is told what is wrong with it."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from desktop.core.policy import Policy, PolicyError, load_policy
from desktop.core.policy.model import Severity
from desktop.core.publishing import verdict


@functools.cache
def built_in(name: str) -> Policy:
    return load_policy(name)


@pytest.mark.parametrize("name", ["default", "acme-example"])
def test_each_image_without_alt_text_is_a_warning_with_a_tip(name):
    policy = built_in(name)
    findings = [f for f in policy.check("Our new dashboard", "bluesky",
                                        alt_texts=("", "Bar chart: sign-ups doubled from March to June", "  "))
                if f.category == "accessibility"]
    assert [f.message for f in findings] == ["Image 1 of 3 has no alt text", "Image 3 of 3 has no alt text"]
    assert all(f.severity is Severity.WARN and (f.start, f.end, f.text) == (0, 0, "") for f in findings)
    assert all("Describe what the image shows" in f.tip for f in findings)
    assert verdict.blocks(findings) == []  # a warning: it asks, it does not refuse


@pytest.mark.parametrize("name", ["default", "acme-example"])
def test_no_finding_when_every_image_has_alt_text_or_there_is_none(name):
    policy = built_in(name)
    assert not [f for f in policy.check("Our new dashboard", "mastodon", alt_texts=("A chart",))
                if f.category == "accessibility"]
    assert not [f for f in policy.check("Our new dashboard", "mastodon") if f.category == "accessibility"]
    [one] = [f for f in policy.check("Our new dashboard", "mastodon", alt_texts=("",))
             if f.category == "accessibility"]
    assert one.message == "The image has no alt text"


RULE = """
[policy]
id = "alt"
name = "Alt"
version = "1"
owner = "Comms"
contact = "comms@example.com"

[[rules]]
id = "alt"
category = "accessibility"
kind = "alt_text"
severity = "block"
min_length = {min_length}
message = "{{image}} needs a description"
examples.flag = ["", "short"]
examples.pass = ["A longer description of the chart"]
"""


def test_a_policy_can_ask_for_a_minimum_length_and_block(tmp_path: Path):
    path = tmp_path / "alt.toml"
    path.write_text(RULE.format(min_length=10))
    policy = load_policy(path)
    [finding] = policy.check("x", alt_texts=("A chart", "A longer description"))
    assert (finding.message, finding.severity) == ("Image 1 of 2 needs a description", Severity.BLOCK)


def test_a_wrong_minimum_length_is_named(tmp_path: Path):
    path = tmp_path / "alt.toml"
    path.write_text(RULE.format(min_length='"ten"'))
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert "min_length" in str(refused.value) and "must be a whole number from 1 to 1000, not 'ten'" in str(refused.value)
