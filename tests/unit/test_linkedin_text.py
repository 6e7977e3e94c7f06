"""LinkedIn's "little" text format: Chorus's escaping, checked against an independent reader
(the contract server's parse_little_text, which cuts the text at an unescaped reserved character
the way LinkedIn does)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop.adapters.networks.linkedin import RESERVED, escape_little_text, unescape_little_text
from tests.servers.linkedin_server import parse_little_text

# The list on learn.microsoft.com (little-text-format → Text), in its order.
DOCUMENTED_RESERVED = "|{}@[]()<>#\\*_~"


def test_the_reserved_set_is_the_documented_one():
    assert RESERVED == frozenset(DOCUMENTED_RESERVED) and len(RESERVED) == 15


@pytest.mark.parametrize("char", list(DOCUMENTED_RESERVED))
def test_each_reserved_character_is_escaped_alone_and_among_words(char):
    assert escape_little_text(char) == "\\" + char
    escaped = escape_little_text(f"a {char} b{char}c")
    assert escaped == f"a \\{char} b\\{char}c"
    little = parse_little_text(escaped)
    assert (little.text, little.truncated) == (f"a {char} b{char}c", False)


def test_plain_text_is_left_alone():
    text = "Plain words, punctuation! ? ; : ' \" & % $ = + - / and emoji 😀 and ünïcödé\nnew line"
    assert escape_little_text(text) == text


@pytest.mark.parametrize(("text", "little"), [
    ("#launch day", "{hashtag|\\#|launch} day"),
    ("We ship #Chorus2026!", "We ship {hashtag|\\#|Chorus2026}!"),
    ("(#tag)", "\\({hashtag|\\#|tag}\\)"),
    ("#Ünïcode", "{hashtag|\\#|Ünïcode}"),
    ("C# and F#", "C\\# and F\\#"),  # inside a word: not a hashtag
    ("#1 in sales", "\\#1 in sales"),  # digits only: not treated as a tag
    ("#tag_with_underscore", "\\#tag\\_with\\_underscore"),  # ambiguous end: plain text
    ("##double", "\\#\\#double"),  # a hash right after a hash: plain text
    ("&#38;", "&\\#38;"),
    ("a#b", "a\\#b"),
])
def test_hashtags_become_the_documented_template_and_other_hashes_are_escaped(text, little):
    assert escape_little_text(text) == little
    assert parse_little_text(little).text == text


def test_hashtags_can_be_left_as_plain_text():
    assert escape_little_text("#launch", hashtags=False) == "\\#launch"


def test_links_are_escaped_without_hashtags_inside_them():
    url = "https://en.wikipedia.org/wiki/Foo_(bar)?q=[1]#top"
    escaped = escape_little_text(f"See {url} #wiki")
    assert escaped == "See https://en.wikipedia.org/wiki/Foo\\_\\(bar\\)?q=\\[1\\]\\#top {hashtag|\\#|wiki}"
    assert parse_little_text(escaped).text == f"See {url} #wiki"


def test_mentions_are_text_not_mention_templates():
    escaped = escape_little_text("@[Eddy](urn:li:person:1234) and @team")
    little = parse_little_text(escaped)
    assert little.mentions == () and little.text == "@[Eddy](urn:li:person:1234) and @team"


def test_unescape_reads_what_linkedin_stores():
    assert unescape_little_text("Hello \\(world\\) {hashtag|\\#|news} @[Eddy](urn:li:person:12ab) \\\\") == \
        "Hello (world) #news Eddy \\"
    assert unescape_little_text("no escapes at all") == "no escapes at all"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(DOCUMENTED_RESERVED) + list("ab1 _\n#:/.é😀")) | st.characters(),
               max_size=80))
@example("https://x.example/a_(b)#c #d")
@example("\\")
@example("#")
@example("{hashtag|\\#|x}")
def test_any_text_survives_linkedins_reader(text):
    escaped = escape_little_text(text)
    little = parse_little_text(escaped)
    assert little.truncated is False
    assert little.text == text
    assert unescape_little_text(escaped) == text


@given(st.text(max_size=60))
def test_without_hashtags_escaping_only_adds_a_backslash_before_reserved_characters(text):
    escaped = escape_little_text(text, hashtags=False)
    assert re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL) == text
    assert len(escaped) == len(text) + sum(ch in RESERVED for ch in text)
