"""Payment cards, IBANs and US Social Security numbers: the detectors a company policy needs (issue 11).

Every valid number here is computed in this file from the specifications (the Luhn check of
ISO/IEC 7812, the mod-97 check of ISO 13616, the SSA's never-issued ranges); the look-alikes are
the numbers a post is full of: order and tracking numbers, phone numbers, timestamps, ISBNs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.policy import detectors, load_policy
from desktop.core.policy.detectors import find_ibans, find_payment_cards, find_ssns

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- building valid numbers from the specifications -----------------------------------------------------
def luhn_digit(body: str) -> str:
    """The check digit that makes body + digit pass Luhn: from the right of the full number, every
    second digit (so the body's last digit first) is doubled, with 9 taken off above 9."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card(prefix: str, length: int, fill: str = "0123456789") -> str:
    body = (prefix + fill * 3)[: length - 1]
    return body + luhn_digit(body)


def wrong_check(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def grouped(number: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    assert i == len(number)
    return sep.join(parts)


def iban(country: str, bban: str, check: str | None = None) -> str:
    """The IBAN of a BBAN: check digits 98 - (BBAN + country + "00", letters as 10-35) mod 97."""
    if check is None:
        value = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        check = f"{98 - value % 97:02d}"
    return country + check + bban


def in_fours(compact: str) -> str:
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def test_the_test_helpers_agree_with_the_specifications():
    # Luhn's own worked example (the check digit of 7992739871 is 3) and mod-97 on our own IBAN
    assert luhn_digit("7992739871") == "3"
    compact = iban("DE", "370400440532013000")
    assert int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97 == 1


# -- payment cards ----------------------------------------------------------------------------------------
NETWORKS = [  # (IIN prefix, length, label)
    ("4", 16, "a Visa card number"),
    ("4", 13, "a Visa card number"),
    ("4", 19, "a Visa card number"),
    ("51", 16, "a Mastercard number"),
    ("55", 16, "a Mastercard number"),
    ("2221", 16, "a Mastercard number"),
    ("2720", 16, "a Mastercard number"),
    ("34", 15, "an American Express card number"),
    ("37", 15, "an American Express card number"),
    ("6011", 16, "a Discover card number"),
    ("644", 16, "a Discover card number"),
    ("65", 19, "a Discover card number"),
    ("3528", 16, "a JCB card number"),
    ("3589", 19, "a JCB card number"),
    ("36", 14, "a Diners Club card number"),
    ("300", 14, "a Diners Club card number"),
    ("3095", 16, "a Diners Club card number"),
    ("62", 16, "a UnionPay card number"),
    ("62", 19, "a UnionPay card number"),
    ("6759", 13, "a Maestro card number"),
    ("5018", 19, "a Maestro card number"),
    ("6304", 16, "a Maestro card number"),
]


@pytest.mark.parametrize(("prefix", "length", "label"), NETWORKS)
def test_a_valid_card_of_each_network_is_found_and_named(prefix, length, label):
    number = card(prefix, length)
    text = f"My card is {number}, please charge it."
    [found] = find_payment_cards(text)
    assert (text[found.start : found.end], found.kind, found.label) == (number, "payment_card", label)


@pytest.mark.parametrize(("prefix", "length", "label"), NETWORKS)
def test_the_same_card_with_a_wrong_check_digit_is_not_found(prefix, length, label):
    assert find_payment_cards(f"My card is {wrong_check(card(prefix, length))}, please charge it.") == []


@pytest.mark.parametrize(("number", "sizes"), [
    (card("4", 16), (4, 4, 4, 4)),
    (card("51", 16), (4, 4, 4, 4)),
    (card("37", 15), (4, 6, 5)),
    (card("36", 14), (4, 6, 4)),
    (card("4", 13), (4, 3, 3, 3)),
    (card("62", 19), (6, 13)),
    (card("62", 19), (4, 4, 4, 4, 3)),
])
@pytest.mark.parametrize("sep", [" ", "-"])
def test_cards_in_their_printed_groupings_are_found_whole(number, sizes, sep):
    printed = grouped(number, sizes, sep)
    text = f"Card ({printed}) expires 08/29"
    [found] = find_payment_cards(text)
    assert text[found.start : found.end] == printed


def test_unusual_groupings_and_mixed_separators_are_not_cards():
    number = card("4", 16)
    assert find_payment_cards(grouped(number, (2, 7, 7))) == []
    assert find_payment_cards(grouped(number, (8, 8))) == []
    assert find_payment_cards(f"{number[:4]} {number[4:8]}-{number[8:12]} {number[12:]}") == []
    assert find_payment_cards(grouped(number, (4, 4, 4, 4), "  ")) == []  # one separator, not two


@pytest.mark.parametrize(("prefix", "length"), [
    ("34", 16), ("37", 14),  # Amex is 15 digits
    ("51", 15), ("55", 19), ("2221", 17),  # Mastercard is 16
    ("4", 14), ("4", 15), ("4", 17),  # Visa is 13, 16 or 19
    ("36", 13),  # Diners starts at 14
])
def test_a_luhn_valid_number_of_a_length_the_network_does_not_issue_is_not_found(prefix, length):
    assert find_payment_cards(card(prefix, length)) == []


@pytest.mark.parametrize("prefix", ["0", "1", "7", "8", "9", "2220", "2721", "50", "56", "3527", "3590", "309", "306",
                                    "6012", "643"])
def test_a_luhn_valid_number_outside_every_issuer_range_is_not_found(prefix):
    assert find_payment_cards(card(prefix, 16)) == []


def test_the_expiry_date_after_a_card_is_not_part_of_it():
    number = grouped(card("4", 16), (4, 4, 4, 4))
    text = f"Use {number} 12/28 cvv on request"
    [found] = find_payment_cards(text)
    assert text[found.start : found.end] == number


def test_a_card_after_a_date_is_found_without_the_date():
    number = card("4", 16)
    [found] = find_payment_cards(f"2024-01-15 {number}")
    assert found.start == 11


@pytest.mark.parametrize("text", [
    # glued to letters, a decimal point, a phone "+", or part of a longer number
    "ORD{n}", "{n}X", "{n}.50", "+{n}", "{n}7", "7{n}", "ref-{n}", "{n}/2",
])
def test_a_card_shaped_number_inside_something_else_is_not_found(text):
    assert find_payment_cards(text.format(n=card("4", 16))) == []


def test_a_valid_card_inside_a_longer_run_of_groups_of_four_is_not_found():
    # a 22-digit tracking number printed in fours whose first 16 digits happen to be a valid Visa
    number = card("4", 16) + "123456"
    assert find_payment_cards(f"Tracking: {in_fours(number)}") == []
    assert find_payment_cards(f"Tracking: {in_fours('1234' + card('4', 16))}") == []


def test_the_digits_of_an_iban_are_not_a_card():
    bban = card("4", 16) + "00"  # a German BBAN whose first 16 digits pass as a Visa
    text = f"Pay to {in_fours(iban('DE', bban))}"
    assert find_payment_cards(text) == []
    assert len(find_ibans(text)) == 1


@pytest.mark.parametrize("text", [
    "Order #100234556789 shipped",  # order number (12 digits)
    "Order 8839 2201 4455 1234 is on its way",  # no network starts with 8
    "Call +1 415 555 2671 or +44 20 7946 0958",  # phone numbers
    "Call 0049 30 12345678 today",
    "Logged at 20240115123045 and 1700000000000 (epoch ms)",  # timestamps
    "ISBN 978-0-306-40615-7 and 9780306406157",  # ISBN-13
    "USPS 9400 1000 0000 0000 0000 00 and FedEx 7489 1234 5678",  # tracking numbers
    "Invoice 2023-0042-0001-1234 is due",  # no network starts with 20
])
def test_look_alikes_are_not_cards(text):
    assert find_payment_cards(text) == []


@st.composite
def valid_cards(draw):
    prefix, length, label = draw(st.sampled_from(NETWORKS))
    lengths = {length}
    body = prefix + draw(st.text("0123456789", min_size=length - 1 - len(prefix), max_size=length - 1 - len(prefix)))
    number = body + luhn_digit(body)
    assert len(number) in lengths
    sizes = {16: (4, 4, 4, 4), 15: (4, 6, 5), 14: (4, 6, 4), 19: (4, 4, 4, 4, 3)}.get(length)
    printed = grouped(number, sizes, draw(st.sampled_from([" ", "-"]))) if sizes and draw(st.booleans()) else number
    return number, printed, label


@SETTINGS
@given(valid_cards(), st.sampled_from(["{}", "Card: {}.", "charge {} today", "({})", "number {}, thanks"]))
def test_random_valid_card_numbers_are_found(card_and_label, template):
    _number, printed, label = card_and_label
    text = template.format(printed)
    found = find_payment_cards(text)
    assert [(text[d.start : d.end], d.label) for d in found] == [(printed, label)]


@SETTINGS
@given(st.text("0123456789", min_size=13, max_size=19), st.integers(1, 9),
       st.sampled_from(["{}", "Card: {}.", "charge {} today"]))
def test_random_digit_strings_with_a_wrong_check_digit_are_not_found(digits, offset, template):
    body = digits[:-1]
    wrong = body + str((int(luhn_digit(body)) + offset) % 10)
    assert find_payment_cards(template.format(wrong)) == []


# -- IBAN ------------------------------------------------------------------------------------------------
IBANS = [  # (country, BBAN of the registry's length, label); BBANs made up, check digits computed
    ("DE", "500105175407324931", "a German bank account number (IBAN)"),
    ("GB", "ACME40512712345678", "a British bank account number (IBAN)"),
    ("FR", "30006000011234567890Q89", "a French bank account number (IBAN)"),
    ("NO", "12345678903", "a Norwegian bank account number (IBAN)"),  # shortest: 15
    ("LC", "ACME0000000000000000012345AB", "a Saint Lucian bank account number (IBAN)"),  # longest: 32
    ("MT", "ACME01234000000000123456789", "a Maltese bank account number (IBAN)"),  # 31
    ("CH", "00762011623852957", "a Swiss bank account number (IBAN)"),  # 21
    ("IE", "ACME93115212345678", "an Irish bank account number (IBAN)"),
]


@pytest.mark.parametrize(("country", "bban", "label"), IBANS)
@pytest.mark.parametrize("printed", ["compact", "fours"])
def test_a_valid_iban_is_found_compact_or_in_groups_of_four(country, bban, label, printed):
    number = iban(country, bban)
    shown = number if printed == "compact" else in_fours(number)
    text = f"Please transfer it to {shown}. Thanks!"
    [found] = find_ibans(text)
    assert (text[found.start : found.end], found.kind, found.label) == (shown, "iban", label)


@pytest.mark.parametrize(("country", "bban", "label"), IBANS)
def test_an_iban_with_one_character_changed_fails_mod_97(country, bban, label):
    number = iban(country, bban)
    changed = number[:-1] + ("1" if number[-1] != "1" else "2")
    assert find_ibans(changed) == []
    swapped = number[:6] + number[7] + number[6] + number[8:]  # a transposition mod 97 catches
    assert number[6] == number[7] or find_ibans(swapped) == []


def test_an_iban_of_the_wrong_length_for_its_country_is_not_found():
    assert find_ibans(iban("DE", "50010517540732493")) == []  # 21, Germany is 22
    assert find_ibans(iban("DE", "5001051754073249312")) == []  # 23
    assert find_ibans(iban("NL", "ABNA04171643001")) == []  # 19, the Netherlands is 18


def test_a_country_without_ibans_is_not_found():
    assert find_ibans(iban("US", "021000021123456789")) == []
    assert find_ibans(iban("XX", "500105175407324931")) == []


def test_check_digits_outside_02_to_98_are_refused_even_when_mod_97_passes():
    # 99 is congruent to 02 mod 97: find a BBAN whose check digits are 02, then write 99 instead
    bban = next(b for b in (f"5001051754{n:08d}" for n in range(100_000)) if iban("DE", b)[2:4] == "02")
    assert len(find_ibans(iban("DE", bban))) == 1
    assert find_ibans(iban("DE", bban, check="99")) == []


@pytest.mark.parametrize("text", ["X{n}", "{n}X", "{n}0", "de{n}", "{n}_a"])
def test_an_iban_glued_to_more_text_is_not_found(text):
    assert find_ibans(text.format(n=iban("DE", "500105175407324931"))) == []


@pytest.mark.parametrize("text", [
    "Part AB12 3456 7890 ordered",  # a part number of IBAN shape, unknown country
    "Flight DE12 34 departs",
    "Order DE1234567 confirmed",
    "Ticket FR2024-0001-99",
])
def test_iban_look_alikes_are_not_found(text):
    assert find_ibans(text) == []


# -- US Social Security numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "My SSN is 536-22-5555, keep it safe",
    "536 22 5555",
    "(772-10-0001)",
    "SSN: 536225555",
    "social security number 536225555.",
    "Soc. Sec. #536225555",
])
def test_a_social_security_number_is_found(text):
    [found] = find_ssns(text)
    assert "".join(c for c in text[found.start : found.end] if c.isdigit()) in ("536225555", "772100001")
    assert (found.kind, found.label) == ("us_ssn", "a US Social Security number")


@pytest.mark.parametrize("number", [
    "000-12-3456", "666-12-3456", "900-12-3456", "987-65-4321", "999-99-9998",  # areas never issued
    "536-00-5555",  # group 00
    "536-22-0000",  # serial 0000
    "078-05-1120", "219-09-9999", "457-55-5462", "123-45-6789",  # published in ads and examples
    "111-11-1111", "555 55 5555",  # one digit repeated
])
def test_numbers_never_issued_or_published_are_not_found(number):
    assert find_ssns(f"SSN {number}") == []


def test_nine_bare_digits_count_only_after_a_keyword_close_by():
    assert find_ssns("Order 536225555 shipped") == []
    assert find_ssns("SSN is in the other envelope; the order number for the box is 536225555") == []
    assert len(find_ssns("SSN (on file): 536225555")) == 1


@pytest.mark.parametrize("text", [
    "Call 555-123-4567",  # phone
    "Call 212 555 12 3456",  # a spaced phone number with a 3-2-4 tail
    "ISBN 0-306-40615-2",
    "Due 2024-05-1234",
    "Ref 536-22-55551",  # longer serial
    "Ref 1536-22-5555",
    "Zip 94105-1234",
    "Version 536.22.5555",
    "Times 123-45-6788-0",
    "Code A536-22-5555",
])
def test_ssn_look_alikes_are_not_found(text):
    assert find_ssns(text) == []


# -- in a policy: registered by name, labelled, and not also a phone number --------------------------------
POLICY = """
[policy]
id = "t"
name = "Test"
version = "1"
owner = "Comms"
contact = "comms@example.com"

[[rules]]
id = "phone"
category = "privacy"
kind = "detector"
detector = "phone"
severity = "warn"
message = "A phone number."
examples.flag = ["Call +1 415 555 2671"]
examples.pass = ["No numbers here"]

{extra}
"""

EXTRA_RULE = """
[[rules]]
id = "{name}"
category = "privacy"
kind = "detector"
detector = "{name}"
severity = "block"
message = "This looks like {{kind}}."
examples.flag = ["{flag}"]
examples.pass = ["{miss}"]
"""


@pytest.fixture
def pii_policy(tmp_path):
    path = tmp_path / "policy.toml"
    samples = {  # (a number, a near miss)
        "payment_card": (card("4", 16), wrong_check(card("4", 16))),
        "iban": (iban("DE", "500105175407324931"), wrong_check(iban("DE", "500105175407324931"))),
        "us_ssn": ("536-22-5555", "536-22-0000"),
    }
    rules = "".join(EXTRA_RULE.format(name=name, flag=f"Mine: {number}", miss=f"Mine: {miss}")
                    for name, (number, miss) in samples.items())
    path.write_text(POLICY.format(extra=rules), encoding="utf-8")
    return load_policy(path)


def test_the_detectors_are_registered_by_name():
    assert {"payment_card", "iban", "us_ssn"} <= set(detectors.EXTRA)


@pytest.mark.parametrize(("shown", "rule", "message"), [
    (grouped(card("4", 16), (4, 4, 4, 4)), "payment_card", "This looks like a Visa card number."),
    (grouped(card("37", 15), (4, 6, 5), "-"), "payment_card", "This looks like an American Express card number."),
    (in_fours(iban("DE", "500105175407324931")), "iban", "This looks like a German bank account number (IBAN)."),
    ("536-22-5555", "us_ssn", "This looks like a US Social Security number."),
])
def test_a_policy_reports_each_number_once_by_its_kind_and_not_as_a_phone_number(pii_policy, shown, rule, message):
    findings = pii_policy.check(f"Here you go: {shown} (call me on +1 415 555 2671)", network="x")
    assert sorted((f.rule_id, f.text, f.message) for f in findings) == sorted([
        (rule, shown, message), ("phone", "+1 415 555 2671", "A phone number."),
    ])
