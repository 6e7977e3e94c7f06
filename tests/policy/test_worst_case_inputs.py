"""Findings on the adversarial posts that ``tests.benchmarks.policy`` times (up to 100,000 characters).

The benchmark measures how long these posts take; this file pins down *what* they find, so that
making a worst case faster (prefilters, one look per distinct word, candidate windows) can never
silently drop a finding. Each long input hides real findings at known places among filler built to
hit one part of the engine, and the expected spans are computed from where they were put, or
from a plain reference written here, never from the engine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.core.policy import Budget, load_policy
from desktop.core.policy.detectors import find_payment_cards, find_urls, host_matches, is_private_ip, url_host
from desktop.core.policy.lexicon import Lexicon, TokenIndex, make_term, self_censored
from desktop.core.policy.text import normalise, sentence_bounds

SIZE = 100_000
# These tests pin down what is found, not how fast: a check's own time budget (60 ms, the engine's work
# included) would report a rule incomplete on a busy machine, so they give the checks all the time needed.
# What a check does when its time runs out is tested below (test_a_check_out_of_time_...).
def ample() -> Budget:
    return Budget(seconds=120)

STRONG = ["fuck", "fucking", "shit", "shitty", "bitch", "cunt", "asshole"]

POLICY = """
[policy]
id = "worst-cases"
name = "Worst cases"
version = "1"
owner = "Tests"
contact = "tests@example.com"
default_network = "linkedin"

[[rules]]
id = "strong"
category = "profanity"
kind = "lexicon"
severity = "block"
evasion = "strict"
self_censor = true
compact = false
terms = {terms}
message = "Strong language: {match}"
examples.flag = ["f u c k"]
examples.pass = ["Scunthorpe"]

[[rules]]
id = "card"
category = "personal_data"
kind = "detector"
detector = "payment_card"
severity = "block"
message = "This looks like {kind}."
examples.flag = ["4111 1111 1111 1111"]
examples.pass = ["4111 1111 1111 1112"]
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("policy") / "worst.toml"
    path.write_text(POLICY.replace("{terms}", repr(STRONG).replace("'", '"')), encoding="utf-8")
    return load_policy(path)


def fill(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def spans(findings, rule_id: str) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in findings if f.rule_id == rule_id]


def strict(terms: list[str]) -> Lexicon:
    return Lexicon([make_term(t) for t in terms], evasion="strict", compact=False)


# -- lexicon evasions in long texts --------------------------------------------------------------------
def test_every_evasion_is_found_at_its_place_in_100000_characters_of_them() -> None:
    unit = "f*ck sh1t f u c k shiiiit "
    text = fill(unit)
    view = normalise(text)
    found = strict(STRONG).find_in(TokenIndex(view))
    whole = len(text) // len(unit)  # the units that fit entirely
    expected = []
    for k in range(whole):
        base = k * len(unit)
        expected += [(base + 5, base + 9), (base + 10, base + 17), (base + 18, base + 25)]  # sh1t, f u c k, shiiiit
    got = [(m.start, m.end) for m in found]
    assert got[: len(expected)] == expected
    assert {m.term.text for m in found} == {"shit", "fuck"}
    censored = self_censored(text, [make_term(t) for t in STRONG])
    assert [(s, e) for s, e, _ in censored][:whole] == [(k * len(unit), k * len(unit) + 4) for k in range(whole)]
    assert {t.text for _, _, t in censored} == {"fuck"}


def test_spelled_out_words_differ_along_a_long_text_and_each_is_read() -> None:
    words = ["f u c k", "s.h.i.t", "c-u-n-t", "b i t c h", "q u i z"]  # the last spells nothing
    text = ", ".join(words * 2000)  # (a space alone would make them one spelled-out run)
    found = strict(STRONG).find_in(TokenIndex(normalise(text)))
    assert len(found) == 4 * 2000
    assert [text[m.start:m.end] for m in found[:4]] == words[:4]
    assert found[-1].end == len(text) - len(", q u i z")


def test_a_leet_word_among_100000_characters_of_digit_groups_is_found() -> None:
    filler = fill("4111 1111 1111 1111 2024-01-02 ", 50_000)
    text = filler + "total sh1t " + filler
    found = strict(STRONG).find_in(TokenIndex(normalise(text)))
    assert [(m.start, m.end, m.term.text) for m in found] == [(50_006, 50_010, "shit")]
    leet = Lexicon([make_term("acme")], evasion="leet").find_in(TokenIndex(normalise(filler + " 4cm3 " + filler)))
    assert [(m.start, m.end) for m in leet] == [(50_001, 50_005)]


def test_stretched_letters_and_digit_runs_keep_their_forms_per_word() -> None:
    text = " ".join(["shiiit", "1111", "shiit", "fuuuuck", "sh1iit", "7777"] * 3000)
    found = strict(STRONG).find_in(TokenIndex(normalise(text)))
    # shiiit -> shit/shiit, fuuuuck -> fuck, sh1iit -> shiit -> shit (leet then unstretched); shiit is
    # only two repeats: not a strict evasion
    assert [text[m.start:m.end] for m in found[:3]] == ["shiiit", "fuuuuck", "sh1iit"]
    assert len(found) == 3 * 3000


def self_censored_reference(text: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """The rule as written: a run of word characters and '*' holding a '*' and a letter, '*' for the
    letters of a term of its length (the first such term in the list)."""
    found = []
    for match in re.finditer(r"[\w*]+", text):
        word = match.group().casefold()
        if "*" not in word or not any(c.isalpha() for c in word):
            continue
        for term in terms:
            if len(term) == len(word) and all(w in ("*", t) for w, t in zip(word, term, strict=True)):
                found.append((match.start(), match.end(), term))
                break
    return found


@pytest.mark.parametrize("unit", ["f*ck* ", "a*", "*", "sh*t b*tch f**k **** a*sh*le c*nt! ", "F*CK_S*IT x*y "])
def test_self_censored_words_match_the_plain_reading_on_long_texts(unit: str) -> None:
    text = fill(unit)
    expected = self_censored_reference(text, STRONG)
    got = [(s, e, t.text) for s, e, t in self_censored(text, [make_term(t) for t in STRONG])]
    assert got == expected


def test_self_censored_takes_the_first_term_of_a_length_in_list_order() -> None:
    terms = [make_term("shit"), make_term("shot")]
    assert [t.text for _, _, t in self_censored("sh*t and sh** and s*o*", terms)] == ["shit", "shit", "shot"]


def test_the_policy_finds_every_evasion_and_the_censored_words_one_level_lower(policy) -> None:
    unit = "f*ck sh1t f u c k, "
    text = unit * (SIZE // len(unit))
    findings = policy.check(text, budget=ample())
    strong = [f for f in findings if f.rule_id == "strong"]
    assert len(strong) == 200  # the rule shows its first 200 and counts the rest in the last message
    total = 3 * (SIZE // len(unit))
    assert f"and {total - 200:,} more" in strong[-1].message
    # the word-list matches come first in the rule's 200, the self-censored ones (a level lower) after
    assert [(f.start, f.end, f.severity.name) for f in strong[:2]] == [(5, 9, "BLOCK"), (10, 17, "BLOCK")]
    one = [(f.start, f.end, f.severity.name) for f in policy.check(unit) if f.rule_id == "strong"]
    assert one == [(0, 4, "WARN"), (5, 9, "BLOCK"), (10, 17, "BLOCK")]


# -- sentences -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [fill("."), fill("!?"), fill("a..."), fill(". "), fill("A. "), fill("\n"),
                                  "." * 60_000 + " next", "?!" * 30_000 + "\n" + "x" * 10])
def test_sentence_ends_on_long_runs_of_punctuation_match_the_rule_as_written(text: str) -> None:
    # G5 as written, each run of punctuation tried from its start only (else this reference itself
    # is quadratic on a long run)
    plain = re.compile(r"(?<![.!?])[.!?]+(?=\s)|\n|\r\n?|\u2028|\u2029")
    ends = [m.end() for m in plain.finditer(text)]
    assert sentence_bounds(text) == list(zip([0, *ends], [*ends, len(text)], strict=True))


# -- payment cards in long digit runs -------------------------------------------------------------------
CARD = "4111 1111 1111 1111"  # a Visa test number: Luhn-valid, grouped 4-4-4-4


@pytest.mark.parametrize("filler", ["4111 11 ", "411111 ", "12 ", "4 ", "1234-", "2024-01-02 "])
def test_a_card_in_a_long_run_of_other_digit_groups_is_found(filler: str) -> None:
    head = fill(filler, 50_000)
    head = head[: head.rfind(" ") + 1] if " " in filler else head + " "
    text = head + CARD + " 12 " + fill(filler, 40_000)  # (a group of four after it would make it part of a run)
    found = find_payment_cards(text)
    starts = [d.start for d in found]
    assert len(head) in starts, (filler, found[:3])
    card = found[starts.index(len(head))]
    assert (card.end, card.label) == (len(head) + len(CARD), "a Visa card number")


def test_cards_in_a_long_run_of_four_digit_groups_are_part_of_that_run() -> None:
    # an IBAN or a tracking number is a longer run of four-digit groups: no card inside it
    assert find_payment_cards(fill("4111 ")) == []
    assert find_payment_cards(fill("4111 1111 1111 1111 2024-01-02 ")) == []


def test_unbroken_and_dashed_cards_repeated_over_100000_characters_are_each_found() -> None:
    unbroken = fill("4111111111111111 ")
    found = find_payment_cards(unbroken)
    assert len(found) == len(unbroken) // 17
    assert [(d.start, d.end) for d in found[:2]] == [(0, 16), (17, 33)]
    dashed = "5500-0000-0000-0004, " * 4761  # (joined by a space alone, they would be one long run)
    found = find_payment_cards(dashed)
    assert len(found) == 4761
    assert all(d.label == "a Mastercard number" for d in found)
    assert find_payment_cards(fill("4111-")) == []  # one piece of thousands of groups


def test_the_policy_reports_a_card_hidden_in_100000_characters_of_digit_groups(policy) -> None:
    head = fill("4111 11 ", 60_000)
    text = head + CARD + " 12 " + fill("1234 5", 39_000)
    assert spans(policy.check(text, budget=ample()), "card") == [(len(head), len(head) + len(CARD))]


# -- links, hosts and addresses ------------------------------------------------------------------------
def test_thousands_of_bare_hosts_are_each_a_link_with_its_own_host() -> None:
    text = "x.com wiki.corp.acme.example 10.0.0.1 " * 2631  # (an address is not a link without a scheme)
    urls = find_urls(text)
    hosts = [url_host(text[s:e]) for s, e in urls]
    assert len(urls) == 2 * 2631
    assert hosts[-2:] == ["x.com", "wiki.corp.acme.example"]
    assert hosts[:2] == ["x.com", "wiki.corp.acme.example"]
    assert [host_matches(h, ("acme.example",)) for h in hosts[:2]] == [False, True]
    assert host_matches("acme.example", ["acme.example"]) and not host_matches("notacme.example", ["acme.example"])
    assert host_matches("a.b.local", iter(["local"]))


@pytest.mark.parametrize(("host", "private"), [
    ("10.0.0.1", True), ("192.168.1.20", True), ("172.16.5.4", True), ("172.32.0.1", False), ("8.8.8.8", False),
    ("127.0.0.1", False), ("fd00::1", True), ("fe80::1", True), ("2001:db8::1", False), ("x.com", False),
    ("10.0.0", False), ("1.2.3.4.5", False), ("", False), ("١٠.0.0.1", False),
])
def test_private_addresses_are_told_apart_without_parsing_every_host(host: str, private: bool) -> None:
    assert is_private_ip(host) is private


@pytest.mark.parametrize("gap", ["\u00a0", "\r", "\u2003", " \r\n "])
def test_links_apart_by_any_white_space_are_each_found_once(gap: str) -> None:
    # (runs were once widened back to the last space, tab or line feed only: a link before a
    # no-break space or a carriage return was found again with the next one)
    text = gap.join(["wiki.corp.example", "see", "https://x.example/a", "y.example"] * 500)
    urls = find_urls(text)
    assert len(urls) == len(set(urls)) == 3 * 500
    assert [text[s:e] for s, e in urls[:3]] == ["wiki.corp.example", "https://x.example/a", "y.example"]
