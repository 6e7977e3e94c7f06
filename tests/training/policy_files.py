"""Policy files the training tests write: small, with examples chosen so that every question is known."""

from __future__ import annotations

from pathlib import Path

POLICY = """
[policy]
id = "training-test"
name = "Training test policy"
version = "1"
owner = "Test Communications"
contact = "policy@test.example"
default_network = "mastodon"

[[rules]]
id = "codename"
category = "codename"
kind = "lexicon"
terms = ["Bluejay"]
severity = "block"
message = "Confidential codename: {match}"
explanation = "Codenames name work that is not announced."
tip = "Describe the work without its codename."
examples.flag = ["Bluejay ships soon", "the Bluejay team", "#Bluejay rocks"]
examples.pass = ["a blue jay sang", "bird watching today"]

[[rules]]
id = "forecast"
category = "forward_looking"
kind = "lexicon"
terms = ["revenue will double"]
severity = "warn"
message = "Forecast: {match}"
explanation = "Forecasts about results can mislead investors."
tip = "Talk about what has been published."
examples.flag = ["our revenue will double"]
examples.pass = ["our revenue doubled last year, as published"]

[[rules]]
id = "hint"
category = "style"
kind = "lexicon"
terms = ["synergy"]
severity = "info"
message = "Jargon: {match}"
explanation = "Plain words read better."
examples.flag = ["great synergy"]
examples.pass = ["great teamwork"]

[[rules]]
id = "trial"
category = "trial_topic"
kind = "lexicon"
terms = ["moonshot"]
severity = "block"
mode = "shadow"
message = "Moonshot: {match}"
examples.flag = ["our moonshot"]
examples.pass = ["the moon"]
"""


def write_policy(folder: Path, version: str = "1", policy_id: str = "training-test") -> Path:
    """The test policy as a file, with *version* and *policy_id*."""
    path = folder / f"{policy_id}-{version}.toml"
    path.write_text(POLICY.replace('version = "1"', f'version = "{version}"')
                    .replace('id = "training-test"', f'id = "{policy_id}"'), encoding="utf-8")
    return path
