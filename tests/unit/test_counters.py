"""desktop.core.counters: each network's real length rule, checked against known answers and,
for X, against the reference library (twitter-text-parser) itself."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop.core import measures

# the reference library, imported as the counters import it (it needs pkg_resources otherwise)
with measures._twitter_text_imported():
    from twitter_text import parse_tweet
    from twitter_text.extract_urls import extract_urls_with_indices
    from twitter_text.regexp.emoji import emoji_list
from desktop.core.counters import NETWORKS, Count, count, count_all, find_urls, grapheme_count
from desktop.core.policy import load_policy
from desktop.core.policy.metric import fit

REPO = Path(__file__).resolve().parents[2]

FAMILY = "👨‍👩‍👧‍👦"  # man ZWJ woman ZWJ girl ZWJ boy: 7 code points, 11 UTF-16 units, 25 UTF-8 bytes
THUMBS_MEDIUM = "👍🏽"  # base + skin tone modifier
FRENCH_FLAG = "🇫🇷"  # two regional indicators
KEYCAP_ONE = "1️⃣"  # digit + VS16 + combining enclosing keycap
E_ACUTE_DECOMPOSED = "e\u0301"  # e + combining acute accent
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # tag sequence


def used(network: str, text: str, **options) -> int:
    return count(network, text, **options).used


# -- graphemes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("abc", 3),
        (THUMBS_MEDIUM, 1),
        (FRENCH_FLAG, 1),
        (FRENCH_FLAG + "🇩🇪", 2),
        ("🇫🇷🇩", 2),  # a lone regional indicator after a pair is its own cluster
        (FAMILY, 1),
        (KEYCAP_ONE, 1),
        (E_ACUTE_DECOMPOSED, 1),
        ("漢字かな", 4),
        ("\u1100\u1161\u11a8", 1),  # Hangul L + V + T jamo
        ("\u0915\u094d\u0937", 1),  # Devanagari KA + virama + SSA: one conjunct since Unicode 15.1
        ("🐦\u200d⬛", 1),  # black bird, an Emoji 15.0 ZWJ sequence
        (SCOTLAND, 1),
        ("\r\n", 1),
        ("a\u0600b", 2),  # U+0600 is a prepended concatenation mark: it joins what follows
    ],
)
def test_grapheme_count(text, expected):
    assert grapheme_count(text) == expected


def test_long_runs_of_flags_are_counted_quickly_and_correctly():
    # regex's \X looks back over the whole run of regional indicators at every boundary, which
    # is quadratic; counting pairs first keeps this instant and exact.
    assert grapheme_count(FRENCH_FLAG * 250_000) == 250_000
    assert grapheme_count(FRENCH_FLAG * 250_000 + "🇫") == 250_001
    assert grapheme_count("\u0600" + FRENCH_FLAG * 3 + "\u0301") == 3  # prepend and extend join the ends


GRAPHEME_PIECES = [
    "a", " ", "\r", "\n", "🇫", "🇷", "\u0600", "\u0301", "\u200d", "\u0903", "\ufe0f", "😀", "🏽",
    "\u1100", "\u1161", "\u11a8", "\uac00", "\u0915", "\u094d", "\u0937", "\U000e0067", "漢",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(GRAPHEME_PIECES), max_size=30).map("".join))
def test_grapheme_count_equals_plain_regex_x(text):
    assert grapheme_count(text) == len(regex.findall(r"\X", text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_appending_text_never_removes_graphemes_and_adds_at_most_its_own(head, tail):
    combined = grapheme_count(head + tail)
    assert grapheme_count(head) <= combined <= grapheme_count(head) + grapheme_count(tail)


# -- Bluesky --------------------------------------------------------------------------------------


def test_bluesky_ascii_at_and_over_the_limit():
    at_limit = count("bluesky", "a" * 300)
    assert (at_limit.used, at_limit.limit, at_limit.unit) == (300, 300, "graphemes")
    assert (at_limit.bytes_used, at_limit.bytes_limit) == (300, 3000)
    assert not at_limit.over and at_limit.remaining == 0
    over = count("bluesky", "a" * 301)
    assert over.over and over.remaining == -1


def test_bluesky_emoji_fit_the_grapheme_limit_but_not_the_byte_limit():
    families = count("bluesky", FAMILY * 300)
    assert families.used == 300 and families.remaining == 0  # graphemes: exactly at the limit
    assert families.bytes_used == 300 * 25 == 7500
    assert families.over  # ... but 7,500 UTF-8 bytes is over the 3,000-byte limit


@pytest.mark.parametrize(
    "text, graphemes, utf8_bytes",
    [
        (THUMBS_MEDIUM, 1, 8),
        (FRENCH_FLAG, 1, 8),
        (KEYCAP_ONE, 1, 7),
        (E_ACUTE_DECOMPOSED, 1, 3),
        ("漢字", 2, 6),
        ("é" * 300, 300, 600),
    ],
)
def test_bluesky_counts_graphemes_and_utf8_bytes(text, graphemes, utf8_bytes):
    result = count("bluesky", text)
    assert (result.used, result.bytes_used) == (graphemes, utf8_bytes)


def test_bluesky_links_count_at_full_length():
    link = "https://example.com/" + "p" * 100
    assert used("bluesky", link) == len(link)


# -- Mastodon -------------------------------------------------------------------------------------


def test_mastodon_ascii_at_and_over_the_default_limit():
    assert count("mastodon", "a" * 500) == Count("mastodon", 500, 500, "graphemes")
    assert count("mastodon", "a" * 501).over


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("path_length", [0, 1, 50, 3000])
def test_mastodon_links_with_a_scheme_count_23_whatever_their_length(scheme, path_length):
    link = f"{scheme}://example.com/" + "p" * path_length
    assert used("mastodon", link) == 23
    assert used("mastodon", f"read {link}.") == len("read ") + 23 + len(".")


@pytest.mark.parametrize(
    "text",
    ["example.com", "example.com/path/to/page", "www.example.org", "bob@example.com"],
)
def test_mastodon_links_without_a_scheme_count_in_full(text):
    assert used("mastodon", text) == len(text)


def test_mastodon_uses_its_own_wider_url_grammar():
    # Mastodon's twitter_regex.rb lets paths hold any non-space character and adds protocols;
    # plain twitter-text would stop this link at "/" and count the Japanese path in full.
    assert used("mastodon", "https://example.com/日本語/ページ") == 23
    assert used("mastodon", "gemini://example.com/notes") == 23
    assert used("mastodon", "see (https://example.com/a)") == len("see (") + 23 + len(")")


@pytest.mark.parametrize(
    "text, countable",
    [
        ("@alice@example.social", "@alice"),
        ("hi @alice@example.social!", "hi @alice!"),
        ("@bob and @carol@mastodon.example.org", "@bob and @carol"),
        ("ping @bob", "ping @bob"),
        ("@alice@example.social@x", "@alice@example.social@x"),  # followed by @: not a mention
        ("https://example.com/@alice@example.social", "x" * 23),  # inside a link: the link wins
    ],
)
def test_mastodon_mentions_count_without_their_domain(text, countable):
    assert used("mastodon", text) == len(countable)


def test_mastodon_counts_graphemes():
    assert used("mastodon", FAMILY * 3 + THUMBS_MEDIUM + FRENCH_FLAG + KEYCAP_ONE + E_ACUTE_DECOMPOSED) == 7


def test_mastodon_content_warning_counts_towards_the_limit():
    assert used("mastodon", "body", spoiler_text="CW: spoilers") == len("CW: spoilers") + len("body")
    # Links in the content warning are not shortened; a blank body counts nothing.
    assert used("mastodon", "", spoiler_text="https://example.com/" + "p" * 30) == 50
    assert used("mastodon", "  \n ", spoiler_text="cw") == 2
    assert count("mastodon", "a" * 400, spoiler_text="b" * 101).over


def test_mastodon_blank_text_counts_nothing():
    assert used("mastodon", " \n\t\u3000") == 0


def test_mastodon_instance_limits_are_parameters():
    custom = count("mastodon", "a" * 1000, mastodon_max_characters=1000)
    assert (custom.limit, custom.over) == (1000, False)
    assert count("mastodon", "a" * 1001, mastodon_max_characters=1000).over
    link = "https://example.com/" + "p" * 80
    assert used("mastodon", link, mastodon_url_length=30) == 30
    assert used("mastodon", f"{link} {link}", mastodon_url_length=0) == 1


def _domain(length: int, letter: str = "d") -> str:
    """A dotted name of exactly *length* characters, in labels DNS would accept (63 at most)."""
    labels, left = [], length - len(".org")
    while left > 0:
        labels.append(letter * min(60, left))
        left -= len(labels[-1]) + 1
    name = ".".join(labels) + ".org"
    return name[-length:].lstrip(".") if len(name) > length else name


@pytest.mark.parametrize("length", [10, 253, 254, 300])
def test_domain_helper_builds_names_of_the_asked_length(length):
    assert len(_domain(length)) == length


@pytest.mark.parametrize("template", ["@alice@{}", "hi @alice@{} and bye", "(@alice@{})"])
def test_mastodon_mention_domains_up_to_the_longest_dns_name_are_left_out(template):
    # app/lib/extractor.rb drops the domain of a mention only when it is at most MAX_DOMAIN_LENGTH
    # (253, the longest DNS name) characters long
    text = template.format(_domain(253))
    assert used("mastodon", text) == len(template.format("")) - 1


@pytest.mark.parametrize("length", [254, 400])
@pytest.mark.parametrize("template", ["@alice@{}", "hi @alice@{} and bye"])
def test_mastodon_mention_with_a_domain_longer_than_dns_allows_counts_as_text(template, length):
    text = template.format(_domain(length))
    assert used("mastodon", text) == len(text)


def test_mastodon_mention_domain_length_is_in_characters_not_bytes():
    domain = "ü" * 249 + ".org"  # 253 characters, 502 bytes in UTF-8
    assert used("mastodon", f"@alice@{domain}") == len("@alice")
    assert used("mastodon", f"@alice@ü{domain}") == len(f"@alice@ü{domain}")


def test_mastodon_mention_over_the_limit_does_not_hide_the_next_one():
    text = f"@bob@{_domain(254)} @carol@example.social"
    assert used("mastodon", text) == len(f"@bob@{_domain(254)} @carol")


@pytest.mark.parametrize("scheme", ["http", "https", "gemini"])
def test_mastodon_link_of_exactly_4096_characters_is_a_link(scheme):
    # twitter-text (Ruby) is_valid_domain: url.length <= MAX_URL_LENGTH (4096) for a URL with a
    # protocol; the protocol is added only to URLs written without one
    head = f"{scheme}://example.com/"
    link = head + "p" * (4096 - len(head))
    assert len(link) == 4096
    assert used("mastodon", link) == 23
    assert used("mastodon", f"see {link} now") == len("see ") + 23 + len(" now")


def test_mastodon_link_over_4096_characters_counts_as_text():
    head = "https://example.com/"
    link = head + "p" * (4097 - len(head))
    assert used("mastodon", link) == 4097
    assert used("mastodon", f"see {link} now") == len(f"see {link} now")


def test_mastodon_link_limit_counts_the_domain_as_idna_spells_it():
    # "bücher" is "xn--bcher-kva" in ASCII, 7 characters more, and those count towards 4096
    head = "https://bücher.com/"
    extra = len("xn--bcher-kva") - len("bücher")
    fits = head + "p" * (4096 - extra - len(head))
    assert used("mastodon", fits) == 23
    assert used("mastodon", fits + "p") == len(fits) + 1


@pytest.mark.parametrize("label, is_link", [(63, True), (64, False)])
def test_mastodon_link_needs_a_domain_idna_accepts(label, is_link):
    # IDNA ToASCII refuses a label over 63 characters: twitter-text then finds no link
    link = "https://" + "a" * label + ".com/page"
    assert used("mastodon", link) == (23 if is_link else len(link))


def test_mastodon_post_that_fits_is_not_cut_where_a_half_typed_link_was_long():
    # The link's prefixes ("https://www.eeee...") count in full until its TLD appears; the whole post
    # still fits (470 + 1 + 23 = 494), so the length rule must not report a cut.
    text = "a" * 470 + " https://www." + "e" * 40 + ".com/x"
    assert used("mastodon", text) == 494
    assert used("mastodon", text[:-len(".com/x")]) > 500
    assert fit("mastodon", text, 500) == len(text)
    policy = load_policy("acme-example")
    assert [f for f in policy.check(text, network="mastodon") if f.category == "length_limit"] == []
    over = text + " " + "z" * 6  # 501
    assert [f.category for f in policy.check(over, network="mastodon") if f.category == "length_limit"] == [
        "length_limit"]


@pytest.mark.parametrize("options", [{"mastodon_max_characters": 0}, {"mastodon_url_length": -1}])
def test_mastodon_rejects_nonsense_limits(options):
    with pytest.raises(ValueError, match="mastodon_"):
        count("mastodon", "hi", **options)


# -- LinkedIn -------------------------------------------------------------------------------------


def test_linkedin_ascii_at_and_over_the_limit():
    assert count("linkedin", "a" * 3000) == Count("linkedin", 3000, 3000, "UTF-16 code units")
    assert count("linkedin", "a" * 3001).over


@pytest.mark.parametrize(
    "text, units",
    [
        (FAMILY, 11),
        ("😀", 2),
        (THUMBS_MEDIUM, 4),
        (FRENCH_FLAG, 4),
        (KEYCAP_ONE, 3),
        (E_ACUTE_DECOMPOSED, 2),
        ("é", 1),
        ("漢字", 2),
        ("\U00020000", 2),  # a CJK Extension B ideograph, outside the BMP
    ],
)
def test_linkedin_counts_utf16_code_units(text, units):
    assert used("linkedin", text) == units


# -- X --------------------------------------------------------------------------------------------

X_VECTORS = [
    ("a" * 280, 280),
    ("a" * 281, 281),
    ("漢" * 140, 280),
    ("漢" * 141, 282),
    (FAMILY * 140, 280),
    ("café", 4),
    (unicodedata.normalize("NFD", "café"), 4),
    ("see https://example.com/" + "x" * 227 + " ok", 30),
    ("https://a.co", 23),  # a short link still costs 23
    ("visit example.com today", len("visit ") + 23 + len(" today")),  # bare domains are links on X
    ("mail bob@example.com", 20),  # an e-mail address is not
    (THUMBS_MEDIUM + FRENCH_FLAG + KEYCAP_ONE, 6),
    (SCOTLAND, 2),
    ("“quotes” — dash…", 17),  # general punctuation U+2010-U+201F weighs 1, the ellipsis 2
    ("\U00020000", 2),
    ("", 0),
]


@pytest.mark.parametrize("text, weighted", X_VECTORS)
def test_x_weighted_length(text, weighted):
    assert used("x", text) == weighted
    assert parse_tweet(text).weightedLength == weighted  # the reference library agrees


def test_x_limit_is_280():
    assert count("x", "a" * 280) == Count("x", 280, 280, "weighted characters")
    assert count("x", "a" * 281).over
    assert parse_tweet("a" * 280).valid and not parse_tweet("a" * 281).valid


def test_x_keeps_crlf_as_two_characters_like_the_official_twitter_text():
    # twitter-text-parser folds CRLF into LF first; twitter-text's JS/Java/Ruby code does not.
    assert used("x", "a\r\nb") == 4
    assert parse_tweet("a\r\nb").weightedLength == 3


def test_x_follows_twitter_texts_walk_over_a_trimmed_bare_domain():
    # Without a protocol only the ASCII part of a domain is a link: twitter-text reports
    # "go.jp/path" with indices 0-16, and its length walk skips only len("go.jp/path") = 10
    # characters, so the last six ("g/path") are weighed one by one.
    text = "go.jp例え.org/path"
    assert find_urls(text, require_scheme=False) == [(0, 16)]
    assert used("x", text) == 23 + 6 == parse_tweet(text).weightedLength


def test_x_agrees_with_the_library_on_every_emoji_it_knows():
    for entry in emoji_list:
        sequence = entry.emoji
        for text in (sequence, "a" + sequence + sequence[:-1], sequence[1:] + sequence):
            assert used("x", text) == parse_tweet(text).weightedLength, ascii(text)


X_PIECES = [
    "a", "Z", "0", "7", " ", "\n", ".", ",", "-", "_", "/", ":", "?", "=", "&", "#", "@", "＠", "(", ")",
    "'", "!", "~", "é", "е", "漢", "か", "한", "“", "—", "…", "\u0301", "\u200d", "\ufe0f", "\u20e3",
    "\u200b", "\u202e", "\ufeff", "🏽", "🇫", "🇷", "😀", "👨", "👩", "⬛", "🐦", "\U00020000",
    "http://", "https://", "HTTPS://", "www.", ".com", ".co", ".jp", ".org/", ".xn--p1ai", ".рф", ".みんな",
    "example", "t.co/", "abc123", "bob@", "?q=1", "#frag", "/path", ":8080", "xn--", "a.b.c.", "com",
    FAMILY, THUMBS_MEDIUM, FRENCH_FLAG, KEYCAP_ONE, SCOTLAND,
]
texts_from_pieces = st.lists(st.sampled_from(X_PIECES), max_size=25).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_from_pieces)
@example("aaaa.com.x.co/path https://t.co/" + "a" * 41 + " example.com/" + "日本")
@example("a.b-.c_d.example.com.co.uk:80/x?y=1#z 日本語.jp www.例え.テスト")
def test_x_matches_the_reference_library(text):
    assert used("x", text) == parse_tweet(text).weightedLength
    expected_urls = [tuple(url["indices"]) for url in extract_urls_with_indices(text)]
    assert find_urls(text, require_scheme=False) == expected_urls


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=60))
def test_x_matches_the_reference_library_on_any_text(text):
    assert used("x", text) == parse_tweet(text).weightedLength


def naive_links(text: str, *, bare_domains: bool) -> list:
    """What the fast link search must reproduce: try every position, as re.finditer does."""
    if not text or ("." not in text if bare_domains else ":" not in text):
        return []
    rules = measures._rules()
    grammar = rules.x_urls if bare_domains else rules.mastodon_urls
    links = []
    for match in grammar.pattern.finditer(text):
        links.extend(measures._accepted_links(rules, grammar, match))
    return links


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_from_pieces, st.booleans())
def test_link_search_skips_only_positions_where_no_link_can_start(text, bare_domains):
    assert measures._links(text, bare_domains=bare_domains) == naive_links(text, bare_domains=bare_domains)


def test_find_urls_examples():
    text = "go https://example.com/x), see example.org and gemini://example.net/ too"
    assert find_urls(text, require_scheme=True) == [(3, 24), (47, 68)]
    assert find_urls(text, require_scheme=False) == [(3, 24), (31, 42)]


def test_mentions_use_twitter_texts_latin_accents():
    from twitter_text.regexp.latin_accent_chars import latin_accent_chars

    ours = re.compile(f"[{measures._LATIN_ACCENTS}]")
    theirs = re.compile(f"[{latin_accent_chars.pattern}]")
    assert all(bool(ours.match(chr(c))) == bool(theirs.match(chr(c))) for c in range(0x3000))


# -- hostile and very long texts ------------------------------------------------------------------


def test_dotted_runs_that_freeze_twitter_text_are_counted():
    # twitter-text-parser needs minutes for this; the counters must just answer.
    hostile = "a." * 200_000
    assert find_urls(hostile, require_scheme=False) == []
    assert count_all(hostile, ["bluesky", "mastodon", "linkedin", "x"]) == {
        "bluesky": Count("bluesky", 400_000, 300, "graphemes", bytes_used=400_000, bytes_limit=3000),
        "mastodon": Count("mastodon", 400_000, 500, "graphemes"),
        "linkedin": Count("linkedin", 400_000, 3000, "UTF-16 code units"),
        "x": Count("x", 400_000, 280, "weighted characters"),
    }
    assert all(c.used == 400_000 for c in count_all(hostile).values())  # every network in the registry
    one_long_domain = "a.com" + ".a" * 200_000  # the regex backtracks over every label once
    assert find_urls(one_long_domain, require_scheme=False) == [(0, 5)]
    assert used("x", one_long_domain) == 23 + 400_000


def test_a_one_megabyte_paste_is_counted():
    unit = (
        f"Paragraph with émoji {THUMBS_MEDIUM} {FAMILY} and a link https://example.com/page 漢字 "
        f"@alice@example.social {FRENCH_FLAG} "
    )
    repeats = 1_000_000 // len(unit)
    paste = unit * repeats
    assert len(paste) > 990_000
    single = count_all(unit)
    counts = count_all(paste)
    # Every unit ends in a space, so the whole is exactly the sum of its parts.
    for network in NETWORKS:
        assert counts[network].used == repeats * single[network].used, network
        assert counts[network].over
    assert counts["bluesky"].bytes_used == len(paste.encode("utf-8"))
    assert counts["linkedin"].used == len(paste.encode("utf-16-le")) // 2
    assert single["bluesky"].used == 88
    assert single["mastodon"].used == 88 - len("https://example.com/page") + 23 - len("@example.social")
    assert single["x"].used == parse_tweet(unit).weightedLength


# -- API ------------------------------------------------------------------------------------------


def test_unknown_network_is_a_clear_error():
    expected = "unknown network 'myspace'; expected one of: bluesky, mastodon, linkedin, x"
    with pytest.raises(ValueError, match=expected):
        count("myspace", "hi")
    with pytest.raises(ValueError, match="unknown network 'X'"):
        count_all("hi", ["bluesky", "X"])


def test_count_all_defaults_to_every_network_and_passes_options():
    result = count_all("hello", mastodon_max_characters=4)
    assert tuple(result) == NETWORKS and NETWORKS[:4] == ("bluesky", "mastodon", "linkedin", "x")
    assert result["mastodon"] == Count("mastodon", 5, 4, "graphemes")
    assert all(c.used == 5 for c in result.values())
    assert list(count_all("hi", ["x"])) == ["x"]


def test_lone_surrogates_do_not_break_counting():
    # Qt never hands us one, but a counter must not raise on any str (the library does).
    result = count_all("a\ud800")
    assert result["bluesky"].bytes_used == 4 and result["linkedin"].used == 2 and result["x"].used == 3


def test_importing_and_simple_counts_do_not_load_twitter_text():
    # Loading twitter-text-parser and building the patterns takes ~0.4 s: not at import (it would
    # slow start-up), nor for counts that cannot contain a link or an emoji.
    script = (
        "import sys\n"
        "from desktop.core import counters\n"
        "counters.count_all('Hi, @alice@example.social 漢字 👍🏽', ['bluesky', 'mastodon', 'linkedin'])\n"
        "assert counters.count('x', 'plain ASCII, no dot').used == 19\n"
        "assert 'twitter_text' not in sys.modules and not counters.is_warm()\n"
        "counters.warm_up()\n"
        "assert 'twitter_text' in sys.modules and counters.is_warm()\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True, cwd=REPO, timeout=60)


def test_count_is_immutable_and_over_includes_the_byte_limit():
    result = Count("bluesky", 10, 300, "graphemes", bytes_used=3001, bytes_limit=3000)
    assert result.over and result.remaining == 290
    assert not Count("bluesky", 300, 300, "graphemes", bytes_used=3000, bytes_limit=3000).over
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.used = 1  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_counts_are_non_negative_and_grow_by_at_most_one_per_appended_space(text):
    before = count_all(text)
    after = count_all(text + " ")
    for network in NETWORKS:
        assert before[network].used >= 0
        assert 0 <= after[network].used - before[network].used <= 1, network
    assert after["x"].used == before["x"].used + 1
    assert after["linkedin"].used == before["linkedin"].used + 1
    assert before["bluesky"].bytes_used == len(text.encode("utf-8"))
    assert after["bluesky"].bytes_used == before["bluesky"].bytes_used + 1
    assert before["linkedin"].used == len(text.encode("utf-16-le")) // 2
