"""Freephone and shared-cost numbers are a business's published lines, not personal data: the phone
detector still finds them, the default policy's personal-phone rule lets them pass."""

from __future__ import annotations

import pytest

from desktop.core.policy import load_policy
from desktop.core.policy.detectors.phone import find_phones, is_toll_free

TOLL_FREE = ["1-800-555-0134", "(888) 555 0100", "1 (877) 555-0199", "+1 866 555 0123", "+44 800 123 4567",
             "0800 123 4567", "0808 157 0192", "+44 (0)808 157 0192", "+49 800 1234567", "0805 12 34 56",
             "1300 975 707", "1800 123 456", "+61 1800 123 456", "+33 800 12 34 56"]
PERSONAL = ["+1 212 555 0134", "(212) 555-0134", "+49 30 1234567", "07700 900123", "+44 20 7946 0958",
            "+61 4 1234 5678", "0176 12345678", "+33 6 12 34 56 78", "+1 809 555 0100"]


@pytest.mark.parametrize("number", TOLL_FREE)
def test_freephone_numbers_are_found_and_known_as_toll_free(number):
    text = f"Questions? Ring {number} any time."
    [(start, end)] = find_phones(text)
    assert is_toll_free(text[start:end])


def test_universal_international_freephone_is_toll_free():
    assert is_toll_free("+800 1234 5678")


@pytest.mark.parametrize("number", PERSONAL)
def test_other_numbers_are_not_toll_free(number):
    assert not is_toll_free(number)


@pytest.fixture(scope="module")
def policy():
    return load_policy("default")


def _phone_findings(policy, text):
    return [f for f in policy.check(text, "linkedin") if f.rule_id == "personal-phone"]


def test_the_default_policy_lets_a_published_support_line_pass_and_flags_a_personal_number(policy):
    assert _phone_findings(policy, "Our support line is 1-800-555-0134, open 8am to 8pm Eastern.") == []
    assert _phone_findings(policy, "UK customers: call us free on 0800 123 4567.") == []
    flagged = _phone_findings(policy, "Text Maria on +1 212 555 0134, she has the keys.")
    assert [f.text for f in flagged] == ["+1 212 555 0134"]
