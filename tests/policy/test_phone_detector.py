"""Phone numbers as numbering plans write them, and the numbers that only look like one.

The examples are built from the plans themselves (ITU-T E.164, the national plans' trunk and area
codes, the ranges regulators reserve for fiction such as Ofcom's 020 7946 0xxx and 07700 900xxx and
the NANP's 555-01xx), not taken from any other project's test data.
"""

from __future__ import annotations

import pytest

from desktop.core.policy import load_policy
from desktop.core.policy.detectors.calling_codes import _CODES, country_code
from desktop.core.policy.detectors.phone import find_phone_detections, find_phones, last_digits, phone_labels

UNITED_STATES = "a phone number from the United States or Canada"

# (post, the number in it, what the finding says it is)
NUMBERS: list[tuple[str, str, str]] = [
    # E.164 with the country code, grouped as each country writes it
    ("Text me on +44 7700 900123 after six", "+44 7700 900123", "a phone number from the United Kingdom"),
    ("Paris office: +33 6 12 34 56 78", "+33 6 12 34 56 78", "a phone number from France"),
    ("Berlin desk +49 (0)30 12345678, ask for Jana", "+49 (0)30 12345678", "a phone number from Germany"),
    ("Mobil: +49 151/23456789", "+49 151/23456789", "a phone number from Germany"),
    ("NYC line +1 212.555.0147 is staffed", "+1 212.555.0147", UNITED_STATES),
    ("Sydney: +61 491 570 156", "+61 491 570 156", "a phone number from Australia"),
    ("Tokyo team +81 3-1234-5678", "+81 3-1234-5678", "a phone number from Japan"),
    ("Madrid: +34 612 345 678", "+34 612 345 678", "a phone number from Spain"),
    ("Dublin switchboard +353 1 234 5678", "+353 1 234 5678", "a phone number from Ireland"),
    ("Moscow +7 495 123-45-67", "+7 495 123-45-67", "a phone number from Russia or Kazakhstan"),
    ("Tel Aviv +972 50-123-4567", "+972 50-123-4567", "a phone number from Israel"),
    ("Zürich (+41) 44 668 18 00", "(+41) 44 668 18 00", "a phone number from Switzerland"),
    ("New: +4915123456789 is my number", "+4915123456789", "a phone number from Germany"),
    ("Click tel:+44-20-7946-0321 to ring us", "+44-20-7946-0321", "a phone number from the United Kingdom"),
    # after an international prefix: 00 (most of the world), 011 (NANP), 0011 (Australia)
    ("From Europe dial 0049 89 1234567", "0049 89 1234567", "a phone number from Germany"),
    ("From the US: 011 33 1 23 45 67 89", "011 33 1 23 45 67 89", "a phone number from France"),
    ("From Australia: 0011 44 20 7946 0123", "0011 44 20 7946 0123", "a phone number from the United Kingdom"),
    # national numbers: trunk prefix 0, area codes in parentheses, '/' '.' '-' and spaces
    ("Ring 030 12345678 tomorrow", "030 12345678", "a phone number"),
    ("Munich: 089/1234567", "089/1234567", "a phone number"),
    ("Büro: 030 / 1234567", "030 / 1234567", "a phone number"),
    ("Handy 0176-12345678", "0176-12345678", "a phone number"),
    ("UK mobile 07700 900456", "07700 900456", "a phone number"),
    ("Standard 01 23 45 67 89 (Paris)", "01 23 45 67 89", "a phone number"),
    ("Sydney office (02) 9876 5432", "(02) 9876 5432", "a phone number"),
    ("Mobile 0412 345 678", "0412 345 678", "a phone number"),
    ("São Paulo (11) 98765-4321", "(11) 98765-4321", "a phone number"),
    ("Tokyo 03-1234-5678", "03-1234-5678", "a phone number"),
    ("Office: 212-555-0147", "212-555-0147", "a phone number"),
    ("Front desk (212) 555-0147 ext. 12", "(212) 555-0147 ext. 12", "a phone number"),
    ("Helpdesk 1-212-555-0199 x204", "1-212-555-0199 x204", "a phone number"),
    ("Landline 0211234567 works best", "0211234567", "a phone number"),
    ("Zentrale +49 30 1234567-0", "+49 30 1234567-0", "a phone number from Germany"),
    ("Durchwahl 030 1234567-12", "030 1234567-12", "a phone number"),
    ("call 555-0147 for tickets", "555-0147", "a phone number"),
    ("Call us 0800 123 4567, free from landlines", "0800 123 4567", "a phone number"),
    ("Try 0176 1234 5678 if I do not answer", "0176 1234 5678", "a phone number"),
    ("Two lines: 212-555-0147 212-555-0188", "212-555-0147", "a phone number"),
    ("Reception (212)555-0147 01/02/2024 09:30:00", "(212)555-0147", "a phone number"),
]

LOOK_ALIKES: list[str] = [
    # dates, times, ISO timestamps
    "Deployed at 2023-11-05 14:30 UTC",
    "Build 2024-03-09T10:15:00Z went out",
    "Meet on 11.05.2023 at 09:30",
    "From 12/01/2023 to 15/01/2023 we are closed",
    "Logs since 20230412 08:15 are gone",
    "Week of 05-06-2023 - 11-06-2023 off",
    "Sprint 1990-2000-2010 retrospective",
    "Open 0900-1730 on weekdays",
    # decimals, coordinates, versions, IP addresses
    "Throughput rose to 1234.56789 req/s",
    "Eiffel tower at 48.858370, 2.294481",
    "Upgrade to 10.0.19045.3570 today",
    "The box at 192.168.100.200 rebooted",
    "Release 2025.06.1 is out",
    # amounts and counts
    "Budget: EUR 2 500 000 000 this year",
    "Raised $ 12 345 678 in seed",
    "Population 1 400 000 000 and growing",
    "Revenue 1.250.000.000 BRL",
    "Visitors last year: 123.456.789",
    "Price 12 345 678 USD",
    "We raised 250 000 000 in the round",
    "Lottery draw: 12 23 34 45 56",
    # other national numbers' shapes
    "Ship to San Francisco, CA 94105-1234",
    "SSN 123-45-6789 on the form",
    "Our EIN is 12-3456789",
    "CPF 123.456.789-09 no cadastro",
    # numbers a keyword says are something else
    "Invoice 2023-004-5567 is overdue",
    "Order no. 4400-1234-5678 shipped",
    "Ticket #123-456-7890 closed",
    "ISBN 978-3-16-148410-0 is the second edition",
    "Account number 0123 4567 89 on file",
    "Tracking 1234 5678 9012 arrives Monday",
    # cards and bank details in groups of four, identifiers too long for a phone number
    "Card 4111 1111 1111 1111 was declined",
    "IBAN DE89 3704 0044 0532 0130 00 for refunds",
    "Reference 4400-12345678-9999-01 noted",
    # lists, arithmetic, IDs without a trunk prefix, a phone number too short
    "Scores: 12 3 4 5 6 7 8 9",
    "1000-1=999 is off by one",
    "User 4155550123 joined",
    "call 911",
]


@pytest.mark.parametrize(("post", "number", "label"), NUMBERS)
def test_a_number_written_as_a_numbering_plan_writes_it_is_found_and_named(post, number, label):
    found = [(post[d.start:d.end], d.label) for d in find_phone_detections(post)]
    assert (number, label) in found


@pytest.mark.parametrize("post", LOOK_ALIKES)
def test_dates_times_decimals_amounts_and_labelled_numbers_are_not_phone_numbers(post):
    assert [post[s:e] for s, e in find_phones(post)] == []


def test_two_numbers_side_by_side_are_two_findings():
    post = "Call 212-555-0147 or 0176 1234 5678, or +44 20 7946 0321 +33 1 23 45 67 89"
    assert [post[s:e] for s, e in find_phones(post)] == [
        "212-555-0147", "0176 1234 5678", "+44 20 7946 0321", "+33 1 23 45 67 89"]


def test_a_date_or_time_next_to_a_number_is_left_out_of_its_span():
    post = "Called 0176 1234 5678 on 2024-01-02 08:00"
    assert [post[s:e] for s, e in find_phones(post)] == ["0176 1234 5678"]


def test_labels_are_given_by_span_for_the_rule_message():
    post = "+49 30 12345678 or 030 12345678"
    assert phone_labels(post) == {(0, 15): "a phone number from Germany", (19, 31): "a phone number"}


def test_the_allow_list_compares_the_last_ten_digits_without_the_extension():
    assert last_digits("(212) 555-0147 ext. 12") == last_digits("+1 212 555 0147") == "2125550147"
    assert last_digits("+44 (0)20 7946 0321") == last_digits("020 7946 0321")


def test_calling_codes_are_prefix_free_so_a_number_names_one_country():
    codes = set(_CODES)
    assert not [(a, b) for a in codes for b in codes if a != b and b.startswith(a)]
    assert country_code("4915123456789") == "49"
    assert country_code("35312345678") == "353"
    assert country_code("0123") is None


POLICY = """
[policy]
id = "t"
name = "Test"
version = "1"
owner = "Comms"
contact = "comms@example.com"

[[rules]]
id = "P1"
category = "personal_data"
kind = "detector"
detector = "phone"
allow = ["+1 (212) 555-0100"]
severity = "warn"
message = "This looks like {kind}: {match}"
examples.flag = ["call 030 12345678"]
examples.pass = ["call 212 555 0100"]
"""


def test_the_rule_names_the_country_and_keeps_its_allow_list(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, encoding="utf-8")
    policy = load_policy(path)
    post = "Support is 212.555.0100 x7; my cell is +49 151/23456789"
    assert [f.message for f in policy.check(post, network="x")] == [
        "This looks like a phone number from Germany: +49 151/23456789"]


def test_the_default_policy_names_the_kind_of_number():
    policy = load_policy("default")
    [finding] = [f for f in policy.check("Reach me on +33 6 12 34 56 78", network="x") if f.rule_id == "personal-phone"]
    assert "a phone number from France" in finding.message


def test_a_long_run_of_digits_and_separators_is_examined_in_linear_work():
    # a paste of 20,000 short groups is one run; every window tried is bounded (no quadratic split)
    post = "01 23 " * 10_000
    found = find_phones(post)
    assert found and all(len(post[s:e].replace(" ", "")) <= 13 for s, e in found)
