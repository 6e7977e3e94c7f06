"""The default policy's patterns that take runs of white space or hyphens once (possessive ``\\s++``,
one start per capitalised run) still find what they found: posts typed with several spaces, tabs or
line breaks between the words, and names glued with hyphens, are flagged by the same rules."""

from __future__ import annotations

import pytest

from desktop.core.policy import load_policy


@pytest.fixture(scope="module")
def default_policy():
    return load_policy("default")


@pytest.mark.parametrize(("text", "rule_id"), [
    ("their db guy  accidentally   dropped   prod", "customer-confidential-shape"),
    ("their it guy \t accidentally wiped the backups", "customer-confidential-shape"),
    ("3D-Printing's database was leaked yesterday", "customer-confidential-shape"),  # no start at "3D": at "Printing"
    ("e-Commerce's payroll was leaked", "customer-confidential-shape"),
    ("Acme-Globex's entire customer data was exported", "customer-confidential-shape"),
    ("1,000 of their records were exposed", "deal-or-incident-details"),
    ("signed  the  big  contract for $2m over 3 years", "deal-or-incident-details"),
    ("everyone know what to do   :   call him at 3am", "incitement-against-person"),
    ("everyone  should  just  call him at 3am", "incitement-against-person"),
    ("if you're not using   Notion   you're wasting money", "employee-endorsement"),
    ("whoever   wrote this   is   so   stupid", "insult-person-shape"),
    ("my   new   boss   is   a   complete   idiot", "insult-person-shape"),
    ("you  stupid  idiot", "insult-at-person"),
    ("sort code  :  12-34-56 account 12345678", "bank-account-details"),
    ("kiosk login   is   still   root   /   Pa55word!kiosk", "password-in-text"),
    ("log in with admin  /  admin123 lol", "password-in-text"),
    ("we at  Acme ,  officially condemn the report", "company-statement-shape"),
    ("best  platform ,  period", "endorsement-superlative"),
    ("do yourself a favor  and  go  try the Acme app", "endorsement-superlative"),
])
def test_flagged_with_runs_of_white_space(default_policy, text, rule_id):
    assert rule_id in {finding.rule_id for finding in default_policy.check(text, "linkedin")}


@pytest.mark.parametrize("text", [
    "password for the wifi is on the fridge",  # a stop word after the password: no value
    "my password is incorrect again",
    "Our sort code changed last year",
    "their guy is great",
])
def test_clean_posts_stay_clean(default_policy, text):
    rules = {finding.rule_id for finding in default_policy.check(text, "linkedin")}
    assert not rules & {"password-in-text", "bank-account-details", "customer-confidential-shape"}
