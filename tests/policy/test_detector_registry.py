"""Detectors beyond the four built-in ones plug in by name, and findings say what was found."""

from __future__ import annotations

import re

import pytest

from desktop.core.policy import detectors, load_policy
from desktop.core.policy.detectors import Detection
from desktop.core.policy.fields import PolicyError

POLICY = """
[policy]
id = "t"
name = "Test"
version = "1"
owner = "Comms"
contact = "comms@example.com"

[[rules]]
id = "D1"
category = "privacy"
kind = "detector"
detector = "order_number"
severity = "warn"
message = "This looks like {kind}."
examples.flag = ["Order ORD-000001 is late"]
examples.pass = ["Order 42 is late"]
"""


def order_numbers(text: str) -> list[Detection]:
    return [Detection("order", m.start(), m.end(), "an order number") for m in re.finditer(r"ORD-\d{6}", text)]


def write(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_a_registered_detector_is_accepted_and_its_label_names_the_finding(monkeypatch, tmp_path):
    monkeypatch.setitem(detectors.EXTRA, "order_number", order_numbers)
    policy = load_policy(write(tmp_path))
    [finding] = policy.check("Your order ORD-123456 shipped", network="x")
    assert (finding.rule_id, finding.text, finding.message) == ("D1", "ORD-123456", "This looks like an order number.")


def test_an_unknown_detector_is_a_load_error_naming_the_known_ones(tmp_path):
    with pytest.raises(PolicyError, match="order_number") as caught:
        load_policy(write(tmp_path))
    assert "secrets" in str(caught.value)
