"""The render model per network (desktop.core.preview): entities styled as each network finds them,
links in each network's own short form, cards, images, LinkedIn's fold and the exact cut."""

from __future__ import annotations

import pytest

from desktop.core import counters
from desktop.core.measures import utf16_length
from desktop.core.networks.bluesky import link_text as bluesky_link_text
from desktop.core.networks.mastodon import link_text as mastodon_link_text
from desktop.core.preview import Author, LinkCard, PreviewImage, build_preview, build_previews

POST = ("Hello @alice.bsky.social and @bob@mastodon.example 👋 read "
        "https://www.example.com/articles/2026/previews-in-chorus?ref=feed #Chorus #release2026")


def entities(preview):
    return [(s.kind, s.text) for s in preview.segments if s.kind != "text"]


def test_segments_cover_the_text_exactly_once():
    for network in counters.NETWORKS:
        preview = build_preview(POST, network)
        assert preview.segments[0].start == 0 and preview.segments[-1].end == len(POST)
        for before, after in zip(preview.segments, preview.segments[1:], strict=False):
            assert before.end == after.start
        plain = [s for s in preview.segments if s.kind == "text"]
        assert all(s.text == POST[s.start:s.end] for s in plain)


def test_bluesky_styles_its_facets_and_shortens_links_like_its_app():
    preview = build_preview(POST, "bluesky")
    assert entities(preview) == [
        ("mention", "@alice.bsky.social"),
        ("link", "www.example.com/articles/202..."),  # toShortUrl: host + 13 characters of the path + "..."
        ("hashtag", "#Chorus"),
        ("hashtag", "#release2026"),
    ]
    link = next(s for s in preview.segments if s.kind == "link")
    assert link.target == "https://www.example.com/articles/2026/previews-in-chorus?ref=feed"
    assert preview.card is None  # Chorus sends no app.bsky.embed.external: Bluesky shows no card
    assert preview.count == counters.count("bluesky", POST)


def test_bluesky_short_url_rules():
    assert bluesky_link_text("https://example.com/") == "example.com"
    assert bluesky_link_text("https://example.com/short/path") == "example.com/short/path"  # 11 ≤ 15
    assert bluesky_link_text("https://example.com/0123456789abcdef") == "example.com/0123456789ab..."
    assert bluesky_link_text("example.com/page") == "example.com/page"  # not a URL the app can parse
    assert bluesky_link_text("ftp://example.com/a") == "ftp://example.com/a"


def test_mastodon_drops_mention_domains_and_shortens_links_to_30_characters():
    preview = build_preview(POST, "mastodon")
    assert entities(preview) == [
        ("mention", "@alice.bsky.social"),
        ("mention", "@bob"),
        ("link", "example.com/articles/2026/prev…"),
        ("hashtag", "#Chorus"),
        ("hashtag", "#release2026"),
    ]
    assert mastodon_link_text("https://example.com/a") == "example.com/a"
    assert mastodon_link_text("http://www.example.com/" + "x" * 17) == "example.com/" + "x" * 17  # 29
    assert preview.card == LinkCard("https://www.example.com/articles/2026/previews-in-chorus?ref=feed",
                                    "example.com", "example.com")
    # a known card is used as it is, and a post with images gets none (FetchLinkCardService)
    known = LinkCard(preview.card.url, "example.com", "Previews in Chorus", "How posts will look")
    assert build_preview(POST, "mastodon", known_cards={known.url: known}).card == known
    assert build_preview(POST, "mastodon", images=[PreviewImage("A chart")]).card is None
    # a tag inside a link is no tag
    assert entities(build_preview("see https://example.com/#anchor", "mastodon")) == [
        ("link", "example.com/#anchor")]


def test_linkedin_keeps_typed_mentions_as_text_and_links_whole():
    preview = build_preview(POST, "linkedin")
    assert entities(preview) == [
        ("link", "https://www.example.com/articles/2026/previews-in-chorus?ref=feed"),
        ("hashtag", "#Chorus"),
        ("hashtag", "#release2026"),
    ]
    assert preview.card is not None and preview.card.title == "example.com"
    assert preview.fold is None  # short enough to show whole


def test_linkedin_folds_after_210_characters_or_three_lines():
    long_line = "word " * 60
    preview = build_preview(long_line, "linkedin")
    assert preview.fold == 210
    assert all(s.folded == (s.start >= 210) for s in preview.segments)
    lines = "one\ntwo\nthree\nfour"
    assert build_preview(lines, "linkedin").fold == lines.index("\nfour")
    # never inside a link: the fold moves before it
    text = "x" * 200 + " https://example.com/a-long-path-to-fold"
    preview = build_preview(text, "linkedin")
    assert preview.fold == 201
    assert next(s for s in preview.segments if s.kind == "link").folded


def test_emoji_count_and_authors():
    text = "👨‍👩‍👧‍👦 family 🇫🇷"
    bluesky = build_preview(text, "bluesky", author=Author("Alice Example", "@alice.bsky.social"))
    assert bluesky.count.used == 10 and bluesky.author.initials == "AE"
    assert build_preview(text, "linkedin").count.used == utf16_length(text) == 11 + 8 + 4
    assert Author(handle="@bob@mastodon.example").name == "bob@mastodon.example"
    assert Author().name == "You"


def check_cut(text: str, network: str, limits=None):
    preview = build_preview(text, network, limits=limits)
    cut = preview.cut
    assert cut is not None and preview.over
    kept = text[:cut.index]
    assert not counters.count(network, kept, limits).over
    assert cut.utf16 == utf16_length(kept)
    # the over part is exactly the text from the cut on
    assert "".join(text[s.start:s.end] for s in preview.segments if s.over) == text[cut.index:]
    assert all(not s.over for s in preview.segments if s.end <= cut.index)
    return preview


def test_bluesky_cut_falls_after_the_300th_grapheme_in_code_points_and_utf16():
    text = "a" * 297 + "😀👨‍👩‍👧‍👦🇫🇷" + "tail"  # graphemes 298, 299, 300 are emoji
    preview = check_cut(text, "bluesky")
    assert preview.cut.index == 297 + 1 + 7 + 2  # after the flag: code points
    assert preview.cut.utf16 == 297 + 2 + 11 + 4  # the same place in UTF-16 units
    assert preview.cut.over_by == 4
    assert "Bluesky refuses this post: 4 graphemes over its limit of 300" in preview.cut.message


def test_bluesky_byte_limit_cuts_too():
    text = ("e" + "\u0301" * 10) * 200  # 200 graphemes, 21 bytes each
    preview = check_cut(text, "bluesky")
    assert preview.cut.index % 11 == 0 and preview.cut.index == 142 * 11  # 142 × 21 = 2982 bytes ≤ 3000
    assert "bytes over its limit of 3,000 bytes" in preview.cut.message


def test_mastodon_cut_never_splits_a_link_and_uses_the_servers_limit():
    link = "https://example.com/" + "p" * 40  # costs 23 characters, whatever its length
    text = "a" * 480 + " " + link + " end"  # 481 + 23 > 500: the link does not fit, the cut is before it
    preview = check_cut(text, "mastodon")
    assert preview.cut.index == 481
    assert [s.kind for s in preview.segments if s.over] == ["link", "text"]
    text = "a" * 470 + " " + link + " and more"  # 471 + 23 + 9 = 503: the link fits, "ore" does not
    preview = check_cut(text, "mastodon")
    assert preview.cut.index == 471 + len(link) + len(" and m") and preview.cut.over_by == 3
    assert build_preview(text, "mastodon", limits={"max_characters": 1000}).cut is None
    preview = check_cut("b" * 90 + " https://example.com/x", "mastodon", limits={"max_characters": 100})
    assert preview.cut.index == 91


def test_linkedin_cut_counts_utf16_units():
    text = "a" * 2999 + "😀" + "b"
    preview = check_cut(text, "linkedin")
    assert preview.cut.index == 2999 and preview.cut.utf16 == 2999 and preview.cut.over_by == 2
    assert preview.fold == 210


def test_x_cut_uses_weighted_length():
    preview = check_cut("日本" * 141, "x")  # CJK weighs 2: 140 characters fit
    assert preview.cut.index == 140


def test_images_per_network():
    images = [PreviewImage("A chart of posts per day", "chart.png", "", 800, 600)] + [PreviewImage("")] * 4
    previews = {p.network: p for p in build_previews(POST, ["bluesky", "mastodon", "x"], images=images)}
    assert len(previews["bluesky"].images) == 4 and previews["bluesky"].images_dropped == 1
    assert previews["bluesky"].images[0].has_alt and not previews["bluesky"].images[1].has_alt
    assert "4 images at most; 1 left out" in previews["bluesky"].notes[0]
    assert previews["x"].images == () and previews["x"].notes == ("X takes no images.",)


@pytest.mark.parametrize("network", counters.NETWORKS)
def test_empty_text(network):
    preview = build_preview("", network)
    assert preview.segments == () and preview.cut is None and preview.count.used == 0


@pytest.mark.parametrize("network", ["bluesky", "mastodon", "linkedin", "x"])
def test_cut_matches_a_walk_over_every_grapheme(network):
    """The bracketed binary search finds what walking the text one grapheme at a time finds."""
    import random

    import regex

    pieces = ["word ", "😀", "👨‍👩‍👧‍👦", "🇫🇷", "e\u0301", "日本", " https://example.com/a/b ", " #tag ", " @bob@example.social ",
              "\n", "ok. "]
    rng = random.Random(1404)
    limits = {"bluesky": None, "mastodon": {"max_characters": 120}, "linkedin": {"max_utf16_units": 150},
              "x": None}[network]
    for _ in range(15):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(40, 140)))
        preview = build_preview(text, network, limits=limits)
        if preview.cut is None:
            continue
        spans = [(s.start, s.end) for s in preview.segments if s.kind != "text"]
        best = 0
        for m in regex.finditer(r"\X", text):
            b = m.end()
            if any(a < b < z for a, z in spans):
                continue
            if not counters.count(network, text[:b], limits).over:
                best = b
        assert preview.cut.index == best, text
