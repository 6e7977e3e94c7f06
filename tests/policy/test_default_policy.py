"""The built-in `default` policy (resources/policies/default.toml) on realistic posts.

Each post lists the (category, severity) pairs the policy must report, no more and no fewer; an
empty set means a clean post, often a near-miss that must NOT be flagged. Length limits are
checked at the exact boundary of each network's limit, in that network's own unit.
"""

from __future__ import annotations

import pytest

from desktop.core.policy import builtin_policies, load_policy

BLOCK, WARN, INFO = "block", "warn", "info"

POSTS: list[tuple[str, set[tuple[str, str]]]] = [
    # -- secrets ----------------------------------------------------------------------------------
    ("Debugging with the team, our staging key is AKIAIOSFODNN7EXAMPLE (don't worry, it's a test one)",
     {("secret", BLOCK)}),
    ("Quick fix for the CI: export GITHUB_TOKEN=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 and rerun",
     {("secret", BLOCK)}),
    ("Config tip: set password: ${DB_PASSWORD} in your env file, never the real value", set()),
    # -- internal links and addresses ---------------------------------------------------------------
    ("Ticket is here if you want to follow along: https://jira.internal/browse/OPS-1234",
     {("internal_url", BLOCK)}),
    ("Our new Grafana board at grafana.corp:3000 is gorgeous", {("internal_url", BLOCK)}),
    ("Proud of this one: http://192.168.20.5:8443/admin now loads in 200 ms", {("internal_url", BLOCK)}),
    ("the staging box is at 10.0.12.7:8080/health, ping me if it's down", {("internal_url", WARN)}),
    ("Finally set up Home Assistant, dashboard at http://homeassistant.local:8123 🎉", {("internal_url", WARN)}),
    ("Local tip: run it with http://localhost:3000 or http://127.0.0.1:8000 and open your browser", set()),
    ("Internal tools deserve good design too. Thread on what we learned building ours.", set()),
    ("Version 10.1.2.3 is out with a faster importer", set()),
    # -- personal data ------------------------------------------------------------------------------
    ("Great talk by Jane! Slides on request: jane.doe@gmail.com", {("personal_data", WARN)}),
    ("Need a plumber in Leeds? Call Dave on +44 20 7946 0958, he's brilliant", {("personal_data", WARN)}),
    ("Doors open 18:30 on 2025-06-11, talk at 19:00. Follow @jane_doe for updates", set()),
    ("Nurse life: patient MRN 12345678 finally went home today ❤️", {("health_info", BLOCK)}),
    ("Screenshot of the chart had DOB: 04/12/1987 on it, oops", {("health_info", BLOCK)}),
    ("Our MRN search is twice as fast since the upgrade. The DOB field is optional now", set()),
    # -- language ---------------------------------------------------------------------------------
    ("This release is fucking brilliant", {("profanity", BLOCK)}),
    ("Sh1t happens, we rolled back and moved on", {("profanity", BLOCK)}),
    ("What the f*ck was that keynote", {("profanity", WARN)}),
    ("Damn, what a conference!", {("profanity", INFO)}),
    ("Visited Scunthorpe to assess the classic shitake harvest. Hello from the shell beach!", set()),
    # -- disclosure -------------------------------------------------------------------------------
    ("So proud: we just launched our new analytics dashboard! Try it today.", {("missing_disclosure", INFO)}),
    # praise of the product ("so fast") without a disclosure is an endorsement: a warning since 2026.12.1
    ("We just shipped Chorus 2.0 and it is so fast", {("missing_disclosure", WARN)}),
    ("Honestly our new app is the best app on the market right now", {("missing_disclosure", WARN)}),
    ("Honestly our new app is the best app on the market right now. I work at Initrode.", set()),
    ("Big news: my company just launched a new product for small shops", {("missing_disclosure", INFO)}),
    ("Our new app is finally in the store #spon", {("missing_disclosure", INFO)}),
    ("We just launched our new analytics dashboard! #AcmeEmployee", set()),
    ("I work at Initrode, and our product just got a huge update", set()),
    ("My company is hiring backend engineers in Lisbon, DM me", set()),
    ("We launched kites at the beach today, what a day", set()),
    ("Our product team is growing: come work with us", set()),
    # -- speaking for the company ----------------------------------------------------------------
    ("On behalf of my company, thank you all for coming", {("speaking_for_company", WARN)}),
    ("I can officially confirm the rumours: the office moves in May", {("speaking_for_company", WARN)}),
    ("Official statement: we are aware of the outage and working on it", {("speaking_for_company", WARN)}),
    ("This is not an official statement, just my opinion. The official statement from the city council is out.",
     set()),
    ("We're officially homeowners! On behalf of the organising committee, thanks to all volunteers", set()),
    # -- financial promises ----------------------------------------------------------------------
    ("Buy now: guaranteed 20% returns every single year", {("financial_promise", BLOCK)}),
    ("Investing in $ACME is a no-brainer, you can't lose", {("financial_promise", BLOCK)}),
    ("Start your risk-free trial today. Double your money back guarantee, delivery guaranteed by Friday", set()),
    ("Beware anyone promising guaranteed returns: there are no guaranteed returns in investing", set()),
    ("You can't go wrong with this lasagna recipe. No risk of leftovers", set()),
    # -- confidential markers -------------------------------------------------------------------
    ("CONFIDENTIAL - Q4 roadmap attached, thoughts?", {("confidential", BLOCK)}),
    ("Sneak peek, internal only for now!", {("confidential", BLOCK)}),
    ("We're under embargo until Tuesday, but here is a hint", {("confidential", BLOCK)}),
    ("Signed an NDA with a big bank today", {("confidential", BLOCK)}),
    ("Keep your password confidential and do not share it with anyone. Confidential search: hiring a VP", set()),
    ("Honda or Toyota? It's on the agenda. We built this for internal use, now open source", set()),
    # -- the three posts a new user tried (issue 11) ----------------------------------------------
    ("Our revenue will double next quarter", {("forward_looking", BLOCK)}),
    ("The new feature ships next week, before any competitor", {("unreleased_product", WARN)}),
    ("Runbooks are on https://wiki.corp.acme.example/ops, ping me", {("internal_url", BLOCK)}),
    ("Our Q2 revenue grew 12%, as published in our earnings release. Results will be announced on October 28", set()),
    ("The new app launched last month and is generally available now", set()),
    ("Read more on corp.com or at intranet.example", set()),
    # -- inside information, promises, competitors, customers -------------------------------------
    ("We're in talks to acquire a startup, can't say who yet", {("financial_nonpublic", BLOCK)}),
    ("I guarantee this outage will never happen again", {("customer_promise", WARN)}),
    ("Free returns within 30 days. I promise to post more often!", set()),
    ("Our biggest competitor is being sued for fraud, lol", {("competitor_disparagement", WARN)}),
    ("Congrats to our competitor on a great launch", set()),
    ("Just closed a $2M renewal with our client Globex", {("customer_name", WARN)}),
    ("Thanks to all our customers for a great year", set()),
    # -- personal data beyond contacts, health, people ------------------------------------------------
    ("Questions? support@initech.example or press@initech.example", set()),
    ("My colleague lives at 42 Elm Street, send her some flowers", {("personal_data", WARN)}),
    ("Our office is at 100 Main Street, come say hi", set()),
    ("passport number 123456789, don't lose it", {("personal_data", BLOCK)}),
    ("My colleague Sam was diagnosed with cancer last week", {("health_info", WARN)}),
    ("I was diagnosed with ADHD last year and it changed how I work", set()),
    ("You're an idiot and everyone knows it", {("harassment", WARN)}),
    ("I will find where you live", {("harassment", BLOCK)}),
    ("I'd kill for a coffee. Stupid mistake on my part, fixed now. The demo killed it", set()),
    # -- several rules at once ------------------------------------------------------------------
    ("CONFIDENTIAL: we just launched our new pricing page, ping sam@corp-mail.example, this is shit",
     {("confidential", BLOCK), ("missing_disclosure", INFO), ("personal_data", WARN), ("profanity", BLOCK)}),
]


@pytest.fixture(scope="module")
def policy():
    return load_policy("default")


def test_default_is_a_builtin_policy_with_its_header(policy) -> None:
    assert "default" in builtin_policies()
    assert policy.info.id == "default"
    assert policy.info.version
    assert policy.info.owner == "Your communications team (edit me)"
    assert policy.info.contact
    assert policy.info.default_network is None


def test_every_rule_teaches_and_tests_itself(policy) -> None:
    assert len(policy.rules) >= 12
    for rule in policy.rules:
        assert rule.explanation and rule.tip, rule.id
        assert rule.examples_flag and rule.examples_pass, rule.id
    assert policy.self_test() == []


def test_the_policy_covers_every_required_topic(policy) -> None:
    pairs = {(r.category, r.severity.value) for r in policy.rules}
    assert pairs >= {("secret", BLOCK), ("internal_url", BLOCK), ("personal_data", WARN), ("profanity", BLOCK),
                     ("profanity", INFO), ("missing_disclosure", INFO), ("speaking_for_company", WARN),
                     ("financial_promise", BLOCK), ("confidential", BLOCK), ("health_info", BLOCK),
                     ("length_limit", BLOCK), ("forward_looking", BLOCK), ("financial_nonpublic", BLOCK),
                     ("unreleased_product", WARN), ("missing_disclosure", WARN), ("customer_promise", WARN),
                     ("competitor_disparagement", WARN), ("customer_name", WARN), ("health_info", WARN),
                     ("harassment", BLOCK), ("harassment", WARN), ("personal_data", BLOCK)}
    kinds = {type(r).__name__ for r in policy.rules}  # every rule kind of the format is used
    assert kinds >= {"LexiconRule", "PatternRule", "DetectorRule", "ProximityRule", "ConditionalRule", "PlacementRule",
                     "SubstitutionRule", "MetricRule"}
    internal = [r for r in policy.rules if getattr(r, "detector", None) == "internal_url"]
    assert any(r.private_ips for r in internal)
    hosts = {h for r in internal for h in r.hosts}
    assert {"internal", "corp", "local", "lan", "intranet", "corp.", "intranet.", "internal."} <= hosts


def test_the_table_is_big_enough() -> None:
    assert len(POSTS) >= 40
    assert sum(1 for _, expected in POSTS if not expected) >= 15


@pytest.mark.parametrize("text, expected", POSTS, ids=[text[:40] for text, _ in POSTS])
def test_realistic_post(policy, text: str, expected: set[tuple[str, str]]) -> None:
    findings = policy.check(text, network="linkedin")
    got = {(f.category, f.severity.value) for f in findings}
    assert got == expected, [(f.rule_id, f.severity.value, f.text) for f in findings]
    for finding in findings:
        assert finding.text == text[finding.start : finding.end]
        assert finding.text.strip()


def test_findings_point_at_the_offending_words(policy) -> None:
    text = "Sneak peek, internal only: grafana.corp:3000 and ping jane.doe@gmail.com"
    spans = {(f.category, f.text) for f in policy.check(text, network="linkedin")}
    assert spans == {("confidential", "internal only"), ("internal_url", "grafana.corp:3000"),
                     ("personal_data", "jane.doe@gmail.com")}


def test_bare_private_ip_stops_before_trailing_punctuation(policy) -> None:
    [finding] = policy.check("the box is 10.0.12.7:8080/health, ping me", network="linkedin")
    assert finding.text == "10.0.12.7:8080/health"


def test_disclosure_quick_fix_resolves_the_finding(policy) -> None:
    text = "We just shipped Chorus 2.0 and it is so fast"
    [finding] = policy.check(text, network="linkedin")
    assert finding.category == "missing_disclosure" and finding.quick_fix is not None
    fixed = finding.quick_fix.apply(text, finding.start, finding.end)
    assert fixed == text + " #employee"
    assert policy.check(fixed, network="linkedin") == []


def test_vague_disclosure_hashtag_is_named_in_the_message(policy) -> None:
    [finding] = policy.check("Our new app is finally in the store #spon", network="linkedin")
    assert "#spon" in finding.message


# -- length limits --------------------------------------------------------------------------------
def _length_findings(policy, text: str, network: str | None) -> list:
    return [f for f in policy.check(text, network=network) if f.category == "length_limit"]


def _assert_limit(policy, network: str, fits: str, too_long: str) -> None:
    assert _length_findings(policy, fits, network) == [], f"{network}: a post at the limit was flagged"
    [finding] = _length_findings(policy, too_long, network)
    assert finding.severity.value == BLOCK and finding.network == network
    assert finding.end == len(too_long) and 0 < finding.start < len(too_long)


def test_x_limit_is_280_weighted(policy) -> None:
    _assert_limit(policy, "x", "a" * 280, "a" * 281)
    assert _length_findings(policy, "a" * 281, "x")[0].start == 280
    # CJK characters weigh 2 on X: 140 fit, 141 do not
    _assert_limit(policy, "x", "あ" * 140, "あ" * 141)
    # a link weighs 23 whatever its length
    link = "https://example.com/" + "x" * 100
    _assert_limit(policy, "x", "a" * 256 + " " + link, "a" * 257 + " " + link)


def test_bluesky_limit_is_300_graphemes_and_3000_bytes(policy) -> None:
    _assert_limit(policy, "bluesky", "a" * 300, "a" * 301)
    # an emoji with a skin tone is 2 code points but one grapheme
    _assert_limit(policy, "bluesky", "👍🏽" * 300, "👍🏽" * 301)
    # 👩‍💻 is one grapheme of 11 UTF-8 bytes: 272 fit (2,992 bytes), 273 (3,003 bytes) do not
    _assert_limit(policy, "bluesky", "👩‍💻" * 272, "👩‍💻" * 273)


def test_mastodon_limit_is_500_with_links_as_23(policy) -> None:
    _assert_limit(policy, "mastodon", "a" * 500, "a" * 501)
    link = "https://example.com/" + "x" * 200
    _assert_limit(policy, "mastodon", "a" * 476 + " " + link, "a" * 477 + " " + link)


def test_linkedin_limit_is_3000_utf16_units_like_the_live_counter(policy) -> None:
    _assert_limit(policy, "linkedin", "a" * 3000, "a" * 3001)
    _assert_limit(policy, "linkedin", "😀" * 1500, "😀" * 1500 + "a")  # an emoji is two UTF-16 units


def test_one_long_post_per_network(policy) -> None:
    post = "Long thoughts on our offsite. " * 14  # 420 characters
    over = {n for n in ("x", "bluesky", "mastodon", "linkedin") if _length_findings(policy, post, n)}
    assert over == {"x", "bluesky"}
    assert _length_findings(policy, post, None) == []  # no network chosen: no length check
