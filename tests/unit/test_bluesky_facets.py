"""Bluesky rich text (facets with UTF-8 byte offsets) and TIDs (client-made record keys): pure logic."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.adapters.networks.bluesky import build_facets, build_record, find_spans, utf8_offsets
from desktop.core.publishing import tid as tids

DIDS = {"alice.bsky.social": "did:plc:alice", "bob.test": "did:plc:bob"}


def shown(text: str, facet: dict) -> str:
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"]:index["byteEnd"]].decode("utf-8")


def features(text: str) -> list[tuple[str, str, str]]:
    """(what the reader sees, feature type, value) for each facet."""
    out = []
    for facet in build_facets(text, DIDS.get):
        (feature,) = facet["features"]
        kind = feature["$type"].rsplit("#", 1)[1]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        out.append((shown(text, facet), kind, value))
    return out


# ---- byte offsets


def test_offsets_count_utf8_bytes_not_code_points_or_utf16_units():
    text = "é😀👩‍👩‍👧 #tag"
    facets = build_facets(text)
    # é=2, 😀=4, family=4+3+4+3+4=18, space=1 → "#tag" starts at byte 25 (code point 8, UTF-16 unit 12)
    assert facets[0]["index"] == {"byteStart": 25, "byteEnd": 29}
    assert text.index("#") == 8 and len(text[:8].encode("utf-16-le")) // 2 == 12
    assert utf8_offsets("aé😀") == [0, 1, 3, 7]


def test_link_mention_and_tag_after_emoji_and_cjk():
    text = "🎉 日本語 @alice.bsky.social は https://example.com/path?q=1 を見て #日本語 #Chorus"
    assert features(text) == [
        ("@alice.bsky.social", "mention", "did:plc:alice"),
        ("https://example.com/path?q=1", "link", "https://example.com/path?q=1"),
        ("#日本語", "tag", "日本語"),
        ("#Chorus", "tag", "Chorus"),
    ]


def test_links_lose_trailing_punctuation_and_unbalanced_parenthesis():
    assert features("See https://example.com/a. Or (https://example.com/b) or https://w.org/x_(y)!") == [
        ("https://example.com/a", "link", "https://example.com/a"),
        ("https://example.com/b", "link", "https://example.com/b"),
        ("https://w.org/x_(y)", "link", "https://w.org/x_(y)"),
    ]


def test_bare_domains_become_https_links_only_with_a_real_tld():
    assert features("visit example.com/docs today, not file.notatld or 1.5x") == [
        ("example.com/docs", "link", "https://example.com/docs"),
    ]


def test_unicode_in_urls_is_measured_in_bytes():
    text = "🇫🇷 https://example.com/über?x=ü ok"
    ((seen, kind, uri),) = features(text)
    assert seen == uri == "https://example.com/über?x=ü"
    facet = build_facets(text)[0]
    assert facet["index"]["byteStart"] == len("🇫🇷 ".encode())
    assert facet["index"]["byteEnd"] - facet["index"]["byteStart"] == len(uri.encode()) == len(uri) + 2


def test_mentions_need_a_handle_and_a_resolvable_did():
    text = "mail me at bob@bob.test, @alice.bsky.social, @bob.test, @nobody.example.com, @notahandle"
    assert features(text) == [
        ("@alice.bsky.social", "mention", "did:plc:alice"),
        ("@bob.test", "mention", "did:plc:bob"),
    ]
    # without a resolver no mention facets at all (never a facet with a handle instead of a DID)
    assert all(f["features"][0]["$type"] != "app.bsky.richtext.facet#mention" for f in build_facets(text))
    assert [s.kind for s in find_spans(text)].count("mention") == 3  # detected; @nobody... has no DID


def test_hashtag_rules():
    text = "#ok #123 #v2 #tag! #end. x#no #🙂fun ＃full #" + "a" * 65
    assert [(seen, value) for seen, _, value in features(text)] == [
        ("#ok", "ok"), ("#v2", "v2"), ("#tag", "tag"), ("#end", "end"), ("#🙂fun", "🙂fun"), ("＃full", "full"),
    ]


def test_a_hash_inside_a_url_is_part_of_the_link_not_a_tag():
    assert features("https://example.com/#section #real") == [
        ("https://example.com/#section", "link", "https://example.com/#section"),
        ("#real", "tag", "real"),
    ]


def test_no_facets_for_plain_text_and_the_record_shape():
    assert build_facets("just words, no features.") == []
    record = build_record("hi", facets=[], language="en")
    assert record["$type"] == "app.bsky.feed.post" and record["langs"] == ["en"] and "facets" not in record
    assert record["createdAt"].endswith("Z") and len(record["createdAt"]) == len("2026-11-22T10:00:00.000Z")


piece = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="#＃@"), max_size=8),
    st.sampled_from(["😀", "👩‍👩‍👧", "日本", "é", "\u200d", " ", "🇫🇷", "\u0301"]),
)


@given(st.lists(piece, max_size=6), st.lists(piece, max_size=6))
def test_property_facets_point_at_exactly_the_feature_whatever_comes_before(before, after):
    prefix = "".join(before) + " "
    suffix = " " + "".join(after)
    text = f"{prefix}@bob.test https://example.com/x #Topic{suffix}"
    found = features(text)
    assert ("@bob.test", "mention", "did:plc:bob") in found
    assert ("https://example.com/x", "link", "https://example.com/x") in found
    assert ("#Topic", "tag", "Topic") in found
    for facet in build_facets(text, DIDS.get):
        assert 0 <= facet["index"]["byteStart"] < facet["index"]["byteEnd"] <= len(text.encode())


# ---- TIDs


def test_tid_syntax_and_known_value():
    assert tids.is_tid("3jzfcijpj2z2a")  # the spec's example
    assert tids.timestamp_us("3jzfcijpj2z2a") == 1688137381887007
    assert tids.clock_id("3jzfcijpj2z2a") == 6
    for bad in ("3jzfcijpj2z2", "3jzfcijpj2z2aa", "kjzfcijpj2z2a", "3jzfcijpj2z2A", "3jzfcijpj2z21", "", None, 7):
        assert not tids.is_tid(bad), bad
    assert tids.make_tid(0, 0) == "2222222222222"
    assert tids.make_tid(1688137381887007, 6) == "3jzfcijpj2z2a"


def test_new_tids_are_now_valid_unique_and_sort_by_time():
    before = time.time_ns() // 1000
    made = [tids.new_tid() for _ in range(2000)]
    after = time.time_ns() // 1000
    assert all(tids.is_tid(t) for t in made)
    assert len(set(made)) == len(made)
    assert made == sorted(made)  # strictly increasing even within one microsecond
    assert before <= tids.timestamp_us(made[0]) and tids.timestamp_us(made[-1]) <= after + len(made)
    assert len({tids.clock_id(t) for t in made}) == 1  # one clock id per process


def test_tid_from_a_repeated_or_older_clock_still_increases(monkeypatch):
    monkeypatch.setattr(tids, "_last_us", tids._last_us)  # put the process's clock back afterwards
    first = tids.new_tid(now_us=2_000_000_000_000_000)
    second = tids.new_tid(now_us=1_000_000_000_000_000)  # clock went backwards
    assert second > first


@given(st.integers(0, (1 << 53) - 1), st.integers(0, 1023))
def test_property_tid_round_trip_and_order(us, clock):
    t = tids.make_tid(us, clock)
    assert tids.is_tid(t) and tids.timestamp_us(t) == us and tids.clock_id(t) == clock
    if us + 1 < 1 << 53:
        assert tids.make_tid(us + 1, 0) > t


def test_out_of_range_values_are_refused():
    with pytest.raises(ValueError):
        tids.make_tid(1 << 53, 0)
    with pytest.raises(ValueError):
        tids.make_tid(0, 1024)
    with pytest.raises(ValueError):
        tids.decode("not-a-tid")
