"""The e-mail detector against RFC 5321/5322/6531 and how addresses sit in posts; the default
policy's personal-email rule (role mailboxes pass, fediverse handles are not addresses)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.policy import load_policy
from desktop.core.policy.detectors import EXTRA, find_emails
from desktop.core.policy.detectors.email import ROLE_MAILBOXES, find_personal_emails, is_role_address


def found(text: str) -> list[str]:
    return [text[start:end] for start, end in find_emails(text)]


# -- where an address ends and starts in prose ---------------------------------------------------


@pytest.mark.parametrize("after", [".", ",", ";", ":", "!", "?", ")", "]", ">", "'", "\"", "”", "…", "...", ".\n", "-"])
def test_punctuation_after_the_domain_is_not_part_of_it(after):
    text = f"The forms go to priya.n@uni.example.ac.uk{after} Thanks"
    assert found(text) == ["priya.n@uni.example.ac.uk"]


@pytest.mark.parametrize("before, after", [("(", ")"), ("<", ">"), ("'", "'"), ("`", "`"), ("*", "*"), ("“", "”"),
                                           ("«", "»"), ("mailto:", ""), ("[", "]"), ("to=", ""), ("EMAIL=", "")])
def test_wrapping_marks_and_keys_before_the_local_part_are_not_part_of_it(before, after):
    assert found(f"write {before}tomas.k@mail.example.org{after} today") == ["tomas.k@mail.example.org"]


def test_an_address_in_a_links_query_is_found_without_the_query():
    text = "https://forms.example.com/signup?ref=7&email=o.adeyemi@post.example.ng&x=1"
    assert found(text) == ["o.adeyemi@post.example.ng"]


def test_several_addresses_separated_by_punctuation():
    assert found("cc: a.b@x.example.org,c-d@y.example.net;e_f@z.example.com") == [
        "a.b@x.example.org", "c-d@y.example.net", "e_f@z.example.com"]


def test_a_doubled_dot_ends_what_came_before():
    assert found("see...k.lee@corp.example.com") == ["k.lee@corp.example.com"]


# -- RFC 5322 dot-atoms and quoted strings --------------------------------------------------------


@pytest.mark.parametrize("address", [
    "first.last@example.com", "x@example.com", "user+tag@example.com", "o'brien@example.ie",
    "dept/team=ops@example.com", "under_score@example.com", "1234567890@example.com", "Mixed.Case@Sub.Example.COM",
    "a-b-c@my-host.example.co.jp",
])
def test_dot_atom_local_parts(address):
    assert found(f"mail {address} now") == [address]


@pytest.mark.parametrize("text", [".lead@example.com", "trail.@example.com", "dou..ble@example.com"])
def test_dots_that_rfc_5322_forbids_in_a_local_part(text):
    # a leading dot is prose before the address; a trailing dot makes no address; after a doubled
    # dot only the rest can be one
    assert found(text) == {".lead@example.com": ["lead@example.com"], "trail.@example.com": [],
                           "dou..ble@example.com": ["ble@example.com"]}[text]


@pytest.mark.parametrize("address", ['"jo smith"@example.com', '"odd..dots"@example.org', r'"say \"hi\""@example.net'])
def test_quoted_local_parts(address):
    assert found(f"reach {address} please") == [address]


# -- RFC 6531: Unicode addresses and IDN domains ----------------------------------------------------


@pytest.mark.parametrize("address", [
    "дмитрий@почта.рф", "用户@例子.广告", "δοκιμή@παράδειγμα.δοκιμή", "josé.garcía@correo.example.es",
    "उपयोगकर्ता@उदाहरण.कॉम", "mail@xn--bcher-kva.example", "kai@bücher.example.de",
])
def test_internationalised_addresses(address):
    assert found(f"write to {address}, thanks") == [address]


# -- domains -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "root@localhost",  # no dot: not a deliverable address (as email-validator)
    "pkg@1.2.3", "node@20.11.1",  # versions: a top-level label is never all digits
    "a@b.c",  # an ASCII top-level label has at least two letters
    "x@-bad.example.com", "x@bad-.example.com", "x@ex..ample.com",
    "icon@2x.png", "banner@1.5x.webp", "logo@3X.JPG",  # high-resolution image names
    "a@b", "@", "@example.com", "trailing@",
])
def test_domains_that_make_no_address(text):
    assert found(text) == []


def test_address_literals():
    assert found("ops@[192.0.2.10] and v6@[IPv6:2001:db8::7]") == ["ops@[192.0.2.10]", "v6@[IPv6:2001:db8::7]"]
    assert found("bad@[999.1.1.1] bad@[IPv6:zz::1] bad@[IPv6:192.0.2.1]") == []


def test_internal_top_level_names_are_addresses_too():
    assert found("ask lena@wiki.acme.corp or lena@build.lan") == ["lena@wiki.acme.corp", "lena@build.lan"]


# -- length limits ---------------------------------------------------------------------------------


def test_local_part_holds_64_octets():
    assert found("a" * 64 + "@example.com") == ["a" * 64 + "@example.com"]
    assert found("a" * 65 + "@example.com") == []
    assert found("é" * 32 + "@example.com") == ["é" * 32 + "@example.com"]  # 64 octets in UTF-8
    assert found("é" * 33 + "@example.com") == []


def test_a_domain_label_holds_63_octets():
    assert found("x@" + "l" * 63 + ".example.com") == ["x@" + "l" * 63 + ".example.com"]
    assert found("x@" + "l" * 64 + ".example.com") == []
    assert found("x@" + "ü" * 60 + ".example.com") == []  # "xn--" + punycode is longer than 63


def _domain(length: int) -> str:
    labels, left = [], length - len(".com")
    while left > 0:
        labels.append("d" * min(50, left - 1 if left > 50 else left))
        left -= len(labels[-1]) + 1
    return ".".join(labels) + ".com"


def test_the_whole_domain_holds_253_octets_and_the_address_254():
    assert len(_domain(240)) == 240 and len(_domain(254)) == 254
    assert found("k@" + _domain(240)) == ["k@" + _domain(240)]
    assert found("k@" + _domain(254)) == []
    assert found("k" * 20 + "@" + _domain(240)) == []  # 261 characters: more than a path holds


# -- what is not an address in a social-media post --------------------------------------------------


@pytest.mark.parametrize("text", [
    "thanks @mira@fedi.example.net!",
    "cc @li@social.example.com @ana@toot.example.org",
    "(@mira@fedi.example.net)",
    "https://fedi.example.net/@mira",
    "https://fedi.example.net/@mira@other.example.org",
    "https://deploy:s3cret@git.example.com/repo.git",
    "ftp://anonymous@files.example.org/pub",
])
def test_handles_and_url_user_names_are_not_addresses(text):
    assert found(text) == []


def test_a_handle_beside_an_address_leaves_the_address():
    assert found("@mira@fedi.example.net or mira.k@mail.example.net") == ["mira.k@mail.example.net"]


# -- properties --------------------------------------------------------------------------------------

_atom = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_+-", min_size=1, max_size=10).filter(
    lambda s: s[0] not in "+-")
_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_tld = st.from_regex(r"[a-z]{2,8}", fullmatch=True)
_address = st.builds(lambda atoms, labels, tld: ".".join(atoms) + "@" + ".".join([*labels, tld]),
                     st.lists(_atom, min_size=1, max_size=3), st.lists(_label, min_size=1, max_size=3), _tld)


@settings(max_examples=300, deadline=None)
@given(_address, st.sampled_from(["", "mail ", "(", "<", "'", "“", "to: ", "Contact "]),
       st.sampled_from(["", ".", ",", ")", ">", "!", "?", "'", "”", ". Thanks", "...", " 🙂"]))
def test_any_plain_address_is_found_exactly_in_prose(address, before, after):
    text = before + address + after
    start = len(before)
    assert find_emails(text) == [(start, start + len(address))]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.@-_\"' [](:/é", max_size=60))
def test_spans_are_well_formed_on_any_text(text):
    previous_end = 0
    for start, end in find_emails(text):
        assert previous_end <= start < end <= len(text)
        assert "@" in text[start:end]
        assert text[end - 1] not in ".-"
        previous_end = end


def test_long_hostile_runs_are_scanned():
    # each "@" looks back at most 66 characters and ahead at most 256: these finish in one pass
    for text in ("a" * 100_000 + "@example.com", "a@" * 50_000, ("a." * 40 + "@") * 1_000,
                 "x@" + "a." * 50_000 + "com", '"' * 10_000 + "@x.example.com"):
        find_emails(text)
    assert found("a" * 100_000 + "@example.com") == []


# -- the default policy ------------------------------------------------------------------------------


def personal_email(text: str) -> list[str]:
    policy = load_policy("default")
    return [f.text for f in policy.check(text) if f.rule_id == "personal-email"]


def test_default_policy_uses_the_personal_email_detector():
    assert EXTRA["personal_email"] is find_personal_emails


@pytest.mark.parametrize("address", ["support@acme.example", "press@acme.example", "info@shop.example.com",
                                     "Careers@acme.example", "press+emea@acme.example", "no-reply@acme.example",
                                     "customer.service@acme.example", "Investor-Relations@acme.example"])
def test_default_policy_lets_role_mailboxes_pass(address):
    assert personal_email(f"Questions? Write to {address} or see the FAQ.") == []
    assert personal_email(f"Questions? Write to {address}.") == []


def test_default_policy_reports_people_and_technical_mailboxes():
    text = "Ping priya.raman@acme.example, or the webmaster@acme.example, or support@acme.example."
    assert personal_email(text) == ["priya.raman@acme.example", "webmaster@acme.example"]


def test_default_policy_reports_an_address_before_a_full_stop_and_no_handle():
    assert personal_email("Drop me a line at jonas.w@mail.example.de.") == ["jonas.w@mail.example.de"]
    assert personal_email("Great talk by @jonas@fedi.example.social today") == []


def test_role_mailboxes_are_compared_without_case_tags_or_separators():
    assert is_role_address("Help-Desk+urgent@x.example")
    assert not is_role_address("helpdesk.anna@x.example")
    assert {"support", "press", "info"} <= ROLE_MAILBOXES
    assert not {"webmaster", "postmaster", "admin"} & ROLE_MAILBOXES
