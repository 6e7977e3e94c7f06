"""Property tests: the acme-example policy on arbitrary text, and the index maps its spans go through.

Whatever is typed (emoji, ZWJ sequences, astral characters, CJK, combining marks, zero-width and bidi
controls, Cyrillic and Greek letters, characters that NFKC or casefolding expand, and pieces of the
policy's own terms in disguise), ``Policy.check`` must not raise, every finding's code-point span must
be a real, non-empty slice of the text with ``finding.text`` equal to it, and the UTF-16 positions the
editor uses must select the same characters. The normalised view must map every one of its characters
back to a valid span of the original.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.networks import NETWORKS
from desktop.core.policy import Severity, load_policy
from desktop.core.policy.rules import LexiconRule
from desktop.core.policy.text import IGNORABLE, is_cjk, normalise
from desktop.ui.common.spans import Utf16Offsets

POLICY = load_policy("acme-example")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- what the texts are made of --------------------------------------------------------------------------
POLICY_TERMS = sorted({t.text for r in POLICY.rules if isinstance(r, LexiconRule) for t in r.lexicon.terms})
ZERO_WIDTH_AND_BIDI = [chr(c) for c in sorted(IGNORABLE)]
SPECIAL = [
    "😀", "👍🏽", "🇬🇧", "👩\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "❤️", "1️⃣",  # emoji, ZWJ, keycap
    "𝐀", "𝕬", "𝟘", "𠀀", "𪜀", "𓀀", "🄰",  # astral letters and digits (NFKC folds several of them)
    "新", "し", "い", "カ", "한", "ｱ",  # CJK, kana, hangul, half-width katakana
    "\u0301", "\u0308", "\u0327", "\u20dd", "\u0345", "\u1dc0",  # combining marks (ypogegrammeni casefolds to ι)
    "а", "е", "о", "р", "с", "у", "х", "і", "ѕ", "һ", "І", "Ѕ", "Н", "ж", "Ж",  # Cyrillic
    "α", "ο", "ρ", "ν", "Ι", "Ν", "Σ", "ς", "ΐ",  # Greek
    # expand under NFKC/casefold
    "ß", "ẞ", "İ", "ŉ", "ǰ", "ﬁ", "ﬀ", "ﷺ", "Ⅻ", "①", "²", "Ａ", "＃", "＠", "＄", "ｰ", "…", "™", "㎒",
    "\u2019", "\u02bc", "\u2032", "'", "*", "#", "@", "$", "-", "_", ".", "!", "?", " ", "\t", "\n", "\r\n",
    "\u2028", "\u2029", "\u00a0", "\u3000", "\x00", "\x7f",
]
FIXED_FRAGMENTS = [
    "Project", "Bluebird", "Nightjar", "NIGHTJAR", "Pr0ject Blu3bird", "#ProjectBluebird", "f u c k", "F*CK",
    "sh*t", "shiiiit", "Scunthorpe", "Acme", "$ACME", "@AcmeCorp", "#AcmeEmployee", "Acme Vault 3.0",
    "AcmeCloud", "Umbrella", "garbage", "sued", "outage", "next week", "Q3 2025", "2025-06-01", "14%", "$4.2M",
    "revenue", "will", "guaranteed returns", "risk-free", "I work at Acme", "https://jira.corp.acme.example/x",
    "acme.example/customers/globex", "10.1.2.3", "jane@example.com", "press@acme.example", "+44 20 7946 0958",
    "1-800-555-0199", "AKIAIOSFODNN7EXAMPLE", "password=hunter22", "ghp_" + "a" * 36, "MRN 12345678",
    "DOB 04/12/1987", "-----BEGIN RSA PRIVATE KEY-----",
]


def _disguise(term: str, inserts: list[tuple[int, str]]) -> str:
    chars = list(term)
    for position, piece in sorted(inserts, reverse=True):
        chars.insert(position % (len(chars) + 1), piece)
    return "".join(chars)


term_fragments = st.one_of(
    st.sampled_from(POLICY_TERMS),
    # a slice of a term: "Nightj", "ct Blue"
    st.builds(lambda t, a, b: t[min(a, b) % (len(t) + 1): max(a, b) % (len(t) + 1) + 1],
              st.sampled_from(POLICY_TERMS), st.integers(0, 40), st.integers(0, 40)),
    # a term with zero-width, combining, look-alike or other special characters inserted
    st.builds(_disguise, st.sampled_from(POLICY_TERMS),
              st.lists(st.tuples(st.integers(0, 40), st.sampled_from(SPECIAL + ZERO_WIDTH_AND_BIDI)), max_size=3)),
)
pieces = st.one_of(
    term_fragments,
    st.sampled_from(FIXED_FRAGMENTS),
    st.sampled_from(SPECIAL + ZERO_WIDTH_AND_BIDI),
    st.lists(st.sampled_from(SPECIAL + ZERO_WIDTH_AND_BIDI + list("aAeoisStT01345 ")), max_size=6).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=4),  # anything at all (no lone surrogates)
)
separators = st.sampled_from(["", " ", " ", "\n", ". ", "\u200b", "-", "#"])
texts = st.lists(st.tuples(pieces, separators), max_size=40).map(lambda parts: "".join(p + s for p, s in parts))
networks = st.sampled_from([*NETWORKS, None])
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


def utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def utf16_slice(encoded: bytes, start: int, end: int) -> str:
    return encoded[2 * start : 2 * end].decode("utf-16-le")


# -- findings ---------------------------------------------------------------------------------------------
@SETTINGS
@given(text=texts, network=networks, today=days)
def test_every_finding_is_a_real_slice_of_the_text(text, network, today) -> None:
    findings = POLICY.check(text, network, today)  # must not raise
    for f in findings:
        assert isinstance(f.start, int) and isinstance(f.end, int)
        assert 0 <= f.start < f.end <= len(text), f
        assert f.text == text[f.start : f.end], f
        assert isinstance(f.severity, Severity)
        assert f.category and f.rule_id and f.message


@SETTINGS
@given(text=texts, network=networks)
def test_every_finding_span_round_trips_through_utf16(text, network) -> None:
    offsets = Utf16Offsets(text)
    encoded = utf16(text)
    assert offsets.position(len(text)) == len(encoded) // 2
    for f in POLICY.check(text, network):
        start16, end16 = offsets.span(f.start, f.end)
        assert 0 <= start16 < end16 <= len(encoded) // 2
        assert utf16(text[f.start : f.end]) == encoded[2 * start16 : 2 * end16]
        assert utf16_slice(encoded, start16, end16) == f.text


@SETTINGS
@given(text=texts, network=networks)
def test_check_is_deterministic_and_sorted(text, network) -> None:
    first = POLICY.check(text, network)
    assert first == POLICY.check(text, network)
    assert first == sorted(first, key=lambda f: (f.start, f.end, f.rule_id))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, repeat=st.integers(20, 80))
def test_long_posts_over_every_network_limit(text, repeat) -> None:
    # long enough to cross the X, Bluesky, Mastodon and often the LinkedIn limit (R20 spans)
    post = (text or "Project Bluebird 😀 ") * repeat
    for network in NETWORKS:
        for f in POLICY.check(post, network):
            assert 0 <= f.start < f.end <= len(post) and f.text == post[f.start : f.end]
            if f.category == "length_limit":
                assert f.end == len(post) and f.network == network


# -- the UTF-16 helper on its own -------------------------------------------------------------------------------
@SETTINGS
@given(text=texts, data=st.data())
def test_utf16_offsets_select_the_same_characters(text, data) -> None:
    offsets = Utf16Offsets(text)
    encoded = utf16(text)
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, len(text)), label="end")
    start16, end16 = offsets.span(start, end)
    assert utf16_slice(encoded, start16, end16) == text[start:end]
    assert offsets.position(start) == len(utf16(text[:start])) // 2


# -- the normalised view -------------------------------------------------------------------------------------------
@SETTINGS
@given(text=texts)
def test_normalised_view_maps_every_index_back_to_a_valid_span(text) -> None:
    view = normalise(text)
    assert view.original == text
    assert len(view.starts) == len(view.ends) == len(view.text)
    previous_start = previous_end = 0
    for i in range(len(view.text)):
        s, e = view.starts[i], view.ends[i]
        assert 0 <= s < e <= len(text), (i, s, e)
        assert ord(text[s]) not in IGNORABLE  # a view character never comes from a dropped control
        assert s >= previous_start and e >= previous_end  # the map is monotonic
        previous_start, previous_end = s, e
        assert view.original_span(i, i + 1) == (s, e)
    # any view span maps to a valid, non-empty original span
    for i in range(0, len(view.text), 3):
        for j in (i + 1, i + 2, len(view.text)):
            if i < j <= len(view.text):
                a, b = view.original_span(i, j)
                assert 0 <= a < b <= len(text)
    assert not any(ord(c) in IGNORABLE for c in view.text)


@SETTINGS
@given(text=texts)
def test_normalised_view_tokens_are_consistent(text) -> None:
    view = normalise(text)
    last_end = 0
    for token in view.tokens:
        assert 0 <= token.start < token.end <= len(view.text)
        assert token.start >= last_end  # tokens are in order and do not overlap
        last_end = token.end
        assert token.text == view.text[token.start : token.end]
        start, end = token.span(view)
        assert 0 <= start < end <= len(text)
        # G2: a token is letters and digits; a CJK character always ends a token (the engine: one per token)
        assert all(c.isalnum() or is_cjk(c) for c in token.text), token
        assert len(token.text) == 1 or not any(is_cjk(c) for c in token.text), token


@SETTINGS
@given(text=texts)
def test_normalised_view_drops_only_ignorable_characters(text) -> None:
    # every original character that is not a dropped control (or a lone combining mark) is in the view
    view = normalise(text)
    covered = set()
    for s, e in zip(view.starts, view.ends, strict=True):
        covered.update(range(s, e))
    for index, ch in enumerate(text):
        if ord(ch) in IGNORABLE:
            assert index not in set(view.starts)
        elif index not in covered:
            assert not ch.isalnum(), (index, ch)  # only marks and similar may fold to nothing
