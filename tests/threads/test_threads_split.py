"""Splitting a post that is over a network's limit into the parts of a thread
(desktop.core.threads.split): at sentence ends first, then clauses, words, graphemes; never inside a
URL, mention, hashtag or grapheme cluster; each part within the limit by the network's own counter,
its number included; the same parts every time."""

from __future__ import annotations

import pytest
import regex

from desktop.core import counters
from desktop.core.threads import ThreadError, can_thread, needs_thread, split

SENTENCES = [f"Sentence {i} says something useful about the release of the new tool." for i in range(1, 16)]
LONG = " ".join(SENTENCES)


def numbers(parts: tuple[str, ...]) -> list[str]:
    return [part.rsplit(" ", 1)[1] for part in parts]


def unnumbered(parts: tuple[str, ...]) -> list[str]:
    return [part.rsplit(" ", 1)[0] for part in parts]


def words(text: str) -> list[str]:
    return text.split()


def test_a_post_that_fits_is_one_part_unnumbered():
    assert split("  Short and sweet.  ", "bluesky") == ("Short and sweet.",)
    assert not needs_thread("Short and sweet.", "bluesky")
    assert needs_thread(LONG, "bluesky")
    assert split("   ", "bluesky") == ()


def test_parts_end_at_sentences_fit_bluesky_and_are_numbered():
    assert counters.count("bluesky", LONG).over  # 15 × 71 graphemes
    parts = split(LONG, "bluesky")
    assert len(parts) == 4
    assert numbers(parts) == ["1/4", "2/4", "3/4", "4/4"]
    for part in parts:
        assert not counters.count("bluesky", part).over, part
    # every part ends a sentence; nothing lost, nothing added, in order
    assert all(body.endswith("tool.") for body in unnumbered(parts))
    assert words(" ".join(unnumbered(parts))) == words(LONG)
    # as many sentences as fit in 300 graphemes with " 1/4": four of 71 (+ spaces) = 287
    assert unnumbered(parts)[0] == " ".join(SENTENCES[:4])


def test_the_number_counts_in_the_length():
    text = "x" * 290 + ". " + "y" * 20 + "."
    parts = split(text, "bluesky")
    assert parts == ("x" * 290 + ". 1/2", "y" * 20 + ". 2/2")
    assert [counters.count("bluesky", p).used for p in parts] == [295, 25]
    # a first sentence of exactly 300 graphemes: without numbers it is the first part; with " 1/2"
    # (4 more) it no longer fits, so it is cut between words
    text = "w " * 148 + "end. " + "z."
    numbered = split(text, "bluesky")
    assert all(counters.count("bluesky", p).used <= 300 for p in numbered)
    assert split(text, "bluesky", numbered=False)[0].endswith("end.")
    assert not numbered[0].endswith("end. 1/2")


def test_numbers_with_two_digits_keep_their_room():
    text = " ".join(f"Point {i}: this line is long enough to matter in a long thread of many parts here."
                    for i in range(60))
    parts = split(text, "bluesky")
    assert len(parts) >= 10
    assert numbers(parts)[0] == f"1/{len(parts)}" and numbers(parts)[-1] == f"{len(parts)}/{len(parts)}"
    assert all(not counters.count("bluesky", p).over for p in parts)
    assert words(" ".join(unnumbered(parts))) == words(text)


def test_a_very_long_sentence_is_cut_at_clauses_then_words():
    clauses = ", ".join(f"clause number {i} goes on for a while" for i in range(20)) + "."
    assert counters.count("bluesky", clauses).over
    parts = split(clauses, "bluesky", numbered=False)
    assert len(parts) > 1
    assert all(part.endswith(",") for part in parts[:-1])  # at clause marks, not mid-clause
    assert all(not counters.count("bluesky", p).over for p in parts)
    # no punctuation at all: between words, never inside one
    plain = " ".join(["alphabet"] * 100)
    parts = split(plain, "bluesky", numbered=False)
    assert all(set(words(p)) == {"alphabet"} for p in parts)
    assert [counters.count("bluesky", p).used for p in parts] == [296, 296, 296, 8]  # 33 words of 8 + spaces


def test_urls_mentions_and_hashtags_are_never_cut():
    url = "https://example.com/releases/2026/the-new-tool?utm_source=chorus&ref=thread"
    base = ("We shipped it today and here is the write up with every detail " * 3).strip()
    text = (f"{base} {url} thanks @alice.bsky.social and #release_notes for all the help "
            "with this one " * 4)
    parts = split(text, "bluesky", numbered=False)
    assert len(parts) > 1
    for part in parts:
        for token in regex.findall(r"https://\S+|@\S+|#\S+", part):
            assert token in (url, "@alice.bsky.social", "#release_notes"), (token, part)
    assert " ".join(parts).count(url) == 4
    assert words(" ".join(parts)) == words(text)


def test_mastodon_counts_each_link_as_23_and_uses_the_servers_limit():
    url = "https://example.com/" + "a" * 400
    text = " ".join([f"Have a look at {url} please."] * 10)
    assert counters.count("mastodon", text).used == 10 * 46 + 9
    assert split(text, "mastodon") == (text,)  # 469 of 500: one post on Mastodon
    parts = split(text, "mastodon", {"max_characters": 100})
    assert len(parts) == 5 and all(counters.count("mastodon", p, {"max_characters": 100}).used <= 100 for p in parts)
    assert all(p.count(url) == 2 for p in parts)
    # on Bluesky the same link alone is over the limit: it cannot be cut, and the error says which
    with pytest.raises(ThreadError) as refused:
        split(text, "bluesky")
    assert str(refused.value) == f"“{url[:57]}…” alone is over the limit and cannot be split."


def test_emoji_and_flags_stay_whole_and_bytes_count_on_bluesky():
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 UTF-8 bytes
    text = family * 300  # 300 graphemes but 7,500 bytes: over Bluesky's 3,000-byte limit
    parts = split(text, "bluesky", numbered=False)
    assert [counters.count("bluesky", p).bytes_used for p in parts] == [3000, 3000, 1500]
    assert "".join(parts) == text and all(regex.fullmatch(f"(?:{family})+", p) for p in parts)
    flags = "🇫🇷🇩🇪🇯🇵 " * 120
    parts = split(flags, "bluesky")
    assert all(regex.fullmatch(r"(?:\p{Regional_Indicator}{2}| )+ \d+/\d+", p) for p in parts)
    assert sum(p.count("🇫🇷🇩🇪🇯🇵") for p in parts) == 120


def test_cjk_splits_at_its_own_sentence_marks_and_between_characters_without_them():
    sentence = "今日は新しいツールを公開しました。"  # 17 graphemes
    text = sentence * 40
    parts = split(text, "bluesky")
    assert len(parts) == 3
    assert all(p.rsplit(" ", 1)[0].endswith("。") for p in parts)
    assert "".join(unnumbered(parts)) == text
    assert [counters.count("bluesky", p).used for p in parts] == [17 * 17 + 4, 17 * 17 + 4, 6 * 17 + 4]
    # no marks and no spaces: between grapheme clusters
    bare = "漢字" * 200
    parts = split(bare, "bluesky", numbered=False)
    assert [counters.count("bluesky", p).used for p in parts] == [300, 100]


def test_linkedin_has_no_threads():
    assert not can_thread("linkedin") and not needs_thread("x" * 4000, "linkedin")
    with pytest.raises(ThreadError) as refused:
        split("x" * 4000, "linkedin")
    assert str(refused.value) == "LinkedIn has no threads: a post there is one post."
    assert refused.value.advice == "Shorten the text for LinkedIn, or leave LinkedIn out."


def test_splitting_is_deterministic():
    text = LONG + " " + "Ünïcödé wörds, with clauses; and more. " * 20
    first = split(text, "bluesky")
    assert all(split(text, "bluesky") == first for _ in range(3))
    assert split(text, "mastodon", {"max_characters": 200}) == split(text, "mastodon", {"max_characters": 200})


def test_a_thread_part_key_follows_the_images_the_first_part_carries():
    """Changing only a thread's images or their alt text makes a new thread; the same ones do not; a
    thread without images keeps the key it had before images existed."""
    import hashlib

    from desktop.core.media import Attachment
    from desktop.core.publishing.thread import part_key
    from tests.media.images import screenshot_png

    parts = ("First part 1/2", "Second part 2/2")
    chart = Attachment.from_bytes(screenshot_png(30, 20), name="chart.png", alt="A chart")
    plain = part_key("d1", "a1", parts, 0)
    digest = hashlib.sha256("\x1f".join(("d1", "a1", "0/2", *parts)).encode("utf-8")).hexdigest()
    assert plain.endswith(digest[:40])  # unchanged for threads without images
    with_chart = part_key("d1", "a1", parts, 0, [chart])
    assert with_chart != plain and with_chart == part_key("d1", "a1", parts, 0, [chart])
    described = Attachment.from_bytes(screenshot_png(30, 20), name="chart.png", alt="Sign-ups by month")
    assert part_key("d1", "a1", parts, 0, [described]) != with_chart
    assert part_key("d1", "a1", parts, 1, [chart]) != part_key("d1", "a1", parts, 1)
