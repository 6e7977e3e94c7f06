"""The normalised view (G1, G2): the fast chunked builder must equal a plain character-by-character one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.policy.text import IGNORABLE, _fold_confusables, fold_char, is_cjk, normalise


def reference_view(original: str) -> tuple[str, list[int], list[int], list[tuple[int, int, str]]]:
    """The obvious, slow construction: one character at a time, exactly as G1 and G2 describe it."""
    chars, starts, ends = [], [], []
    for index, ch in enumerate(original):
        if ord(ch) in IGNORABLE:
            continue
        folded = fold_char(ch)
        if not folded:
            if ends:
                ends[-1] = index + 1
            continue
        for piece in folded:
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    raw, i = [], 0
    while i < len(chars):
        if is_cjk(chars[i]):
            raw.append((i, i + 1))
            i += 1
        elif chars[i].isalnum():
            j = i + 1
            while j < len(chars) and chars[j].isalnum() and not is_cjk(chars[j]):
                j += 1
            raw.append((i, j))
            i = j
        else:
            i += 1
    for s, e in raw:
        _fold_confusables(chars, s, e)
    out, out_starts, out_ends, remap = [], [], [], []
    for ch, s, e in zip(chars, starts, ends, strict=True):
        remap.append(len(out))
        for piece in ch.casefold():
            out.append(piece)
            out_starts.append(s)
            out_ends.append(e)
    remap.append(len(out))
    text = "".join(out)
    return text, out_starts, out_ends, [(remap[s], remap[e], text[remap[s] : remap[e]]) for s, e in raw]


TRICKY = list("aAzZ09 _-#@$.!?\n\t'") + [
    "ß", "İ", "ﬁ", "\u0301", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "А", "с", "Е", "Р", "р", "і",
    "Ω", "ο", "ᾈ", "ǅ", "é", "’", "新", "し", "한", "ｱ", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "①", "Ⅻ", "\U00020000",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), max_size=60).map("".join))
def test_fast_view_equals_the_reference_construction(text: str) -> None:
    view = normalise(text)
    expected = reference_view(text)
    assert (view.text, list(view.starts), list(view.ends), [tuple(t) for t in view.tokens]) == expected


def test_view_examples_from_the_policy_conventions() -> None:
    view = normalise("新しいAcme Vaultの")
    assert [t.text for t in view.tokens] == ["新", "し", "い", "acme", "vault", "の"]
    view = normalise("Pro\u200bject Вluеbird ＃ÉTÉ straße")
    assert [t.text for t in view.tokens] == ["project", "bluebird", "ete", "strasse"]
    # every view character points back at the original character it came from
    assert view.original[slice(*view.original_span(view.tokens[0].start, view.tokens[0].end))] == "Pro\u200bject"
    s, e = view.original_span(view.tokens[-1].start, view.tokens[-1].end)
    assert view.original[s:e] == "straße"
    # a lone Cyrillic word is not folded (it is not mixed, and not all letters are look-alikes)
    assert [t.text for t in normalise("привет").tokens] == ["привет"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=list("ab .!?\n\r\t\u00a0\u2028\u2029"), max_size=40))
def test_sentences_end_after_terminal_punctuation_and_white_space_and_at_line_breaks(text: str) -> None:
    import re

    from desktop.core.policy.text import sentence_bounds

    plain = re.compile(r"[.!?]+(?=\s)|\n|\r\n?|\u2028|\u2029")  # G5 as written
    ends = [m.end() for m in plain.finditer(text)]
    assert sentence_bounds(text) == list(zip([0, *ends], [*ends, len(text)], strict=True))
