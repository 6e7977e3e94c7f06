"""The normalised view of a post that lexicon rules match against (acme-policy G1, G2, G5).

The view is never shown or written back. Every character of the view remembers which original
code points it came from, so a match in the view maps back to an exact span of the original text
(code points, end exclusive). Steps, per G1:

1. drop zero-width and bidi controls (the characters in :data:`IGNORABLE`);
2. NFKC, then strip combining marks (accents), then map curly apostrophes to ``'``;
3. inside a token that mixes Latin with Cyrillic or Greek, or whose letters are all confusables,
   fold confusable letters to their Latin look-alike (UTS #39 data, from confusable-homoglyphs);
4. casefold.

Leet digits (0→o, 1→i, 3→e, 4→a, 5→s, 7→t) are folded only in the leet view
(:meth:`View.leet_token`), used by profanity and codename rules, and only in tokens with a letter.

Tokens (G2) are maximal runs of letters and digits; a CJK ideograph, kana or hangul character
always ends a token (and is a token of its own), so ``新しいAcme Vaultの`` yields ``acme`` and
``vault``. Sentences (G5) end after ``.``, ``!`` or ``?`` followed by white space, and at every
line break.
"""

from __future__ import annotations

import bisect
import operator
import re
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, chain, compress, repeat
from typing import NamedTuple

from desktop.core.policy.budget import on_time

IGNORABLE = frozenset(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF, 0x00AD, 0x180E]
)
APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\uff07": "'"}
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """NFKC, accents stripped, apostrophes unified; not yet case-folded (confusables need case)."""
    if ord(ch) < 0x80:
        return ch
    nfkc = unicodedata.normalize("NFKC", ch)
    decomposed = unicodedata.normalize("NFD", nfkc)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(APOSTROPHES.get(c, c) for c in stripped)


def is_cjk(ch: str) -> bool:
    """Ideographs, kana and hangul: each one ends a token."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or 0x1100 <= code <= 0x11FF  # hangul jamo
        or 0x3130 <= code <= 0x318F  # hangul compatibility jamo
        or 0x31F0 <= code <= 0x31FF  # katakana extensions
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0x20000 <= code <= 0x3134F  # CJK extensions B-G
    )


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    if "a" <= ch.lower() <= "z":
        return "latin"
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "other"
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script.lower()
    return "other"


@lru_cache(maxsize=4096)
def latin_lookalike(ch: str) -> str | None:
    """The Latin letter that *ch* (Cyrillic or Greek) looks like, per UTS #39, if any.

    UTS #39 gives ``l`` as the prototype of capital I and its look-alikes (Cyrillic І, Greek Ι):
    a capital whose prototype is ``l`` stands for ``i``."""
    if _script(ch) not in ("cyrillic", "greek"):
        return None
    found = _prototype(ch)
    if found == "l" and ch.isupper():
        return "i"
    return found


def _prototype(ch: str) -> str | None:
    from confusable_homoglyphs import confusables  # 40 ms to load: only when such a letter appears

    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=False) or []
    for entry in found:
        for glyph in entry.get("homoglyphs", []):
            candidate: str = glyph.get("c", "")
            if len(candidate) == 1 and candidate.isascii() and candidate.isalpha():
                return candidate
    return None


class Token(NamedTuple):
    start: int  # view index
    end: int  # view index, exclusive
    text: str  # case-folded view text of the token

    def span(self, view: View) -> tuple[int, int]:
        return view.original_span(self.start, self.end)


@dataclass
class View:
    original: str
    text: str
    starts: Sequence[int]  # view index -> first original code point it came from (a list or a range)
    ends: Sequence[int]  # view index -> original index just past what it came from
    # the tokens, as three parallel lists (view indices; case-folded text): cheap to build
    token_starts: list[int] = field(default_factory=list)
    token_ends: list[int] = field(default_factory=list)
    token_texts: list[str] = field(default_factory=list)

    @cached_property
    def tokens(self) -> list[Token]:
        return list(map(_new_token, repeat(Token), zip(self.token_starts, self.token_ends, self.token_texts, strict=True)))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span [start, end) to the original text (code points)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


_CJK_CLASS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
    "\u31f0-\u31ff\uff66-\uff9f\U00020000-\U0003134f"
)
# G2: a CJK character is a token of its own; otherwise a token is a run of letters and digits.
_TOKEN = re.compile(f"[{_CJK_CLASS}]|[^\\W_{_CJK_CLASS}]+")
_TOKEN_NO_CJK = re.compile(r"[^\W_]+")
_ANY_CJK = re.compile(f"[{_CJK_CLASS}]")
_Match = re.Match
_new_token = tuple.__new__  # builds a Token without NamedTuple's keyword handling: twice as fast
_SPLITTERS = {tokenizer: re.compile(f"({tokenizer.pattern})") for tokenizer in (_TOKEN, _TOKEN_NO_CJK)}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_CONFUSABLE_SCRIPTS = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u1f00-\u1fff]")


def normalise(original: str) -> View:
    """Build the view in C-speed chunks: only characters outside ASCII are looked at one by one.

    When every character stays one character (the usual case: accents, curly quotes, emoji, CJK),
    the index maps are ``range`` objects, free to build and indexed in C."""
    changes: dict[str, str] = {}
    identity = True
    # each distinct character outside ASCII once (a set built in C), not each occurrence: 100,000
    # characters of CJK, emoji or accents cost a few dozen look-ups
    for ch in set(original) if not original.isascii() else ():
        if ord(ch) < 0x80:
            continue
        folded = "" if ord(ch) in IGNORABLE else fold_char(ch)
        if folded != ch:
            changes[ch] = folded
            identity = identity and len(folded) == 1
    starts: Sequence[int]
    ends: Sequence[int]
    if identity:
        if changes:  # str.translate on the runs outside ASCII only (on the whole text it reads every character)
            table = {ord(c): f for c, f in changes.items()}
            folded_text = _NOT_ASCII.sub(lambda run: run.group().translate(table), original)
        else:
            folded_text = original
        starts, ends = range(len(original)), range(1, len(original) + 1)
    else:
        folded_text, starts, ends = _mapped_fold(original, changes)
    on_time("normalising the text")  # between the steps: a check's time budget
    tokenizer = _TOKEN if _ANY_CJK.search(folded_text) else _TOKEN_NO_CJK
    raw_tokens: list[tuple[int, int]] | None = None
    suspect = _CONFUSABLE_SCRIPTS.search(folded_text)
    if suspect is not None:
        # the tokens holding a Cyrillic or Greek letter, over the not-yet-casefolded view, so
        # confusables can see upper and lower case; each token is folded once (cached by its text)
        pieces: list[str] = []
        copied = 0  # folded_text[:copied] is in pieces
        steps = 0
        while suspect is not None:
            steps += 1
            if not steps & 255:
                on_time("normalising the text")  # a check's time budget
            at = suspect.start()
            found = tokenizer.match(folded_text, _token_start(folded_text, at))
            if found and found.start() <= at < found.end():
                word = found.group()
                folded_word = _fold_token(word)
                if folded_word != word:
                    pieces += (folded_text[copied:found.start()], folded_word)
                    copied = found.end()
                suspect = _CONFUSABLE_SCRIPTS.search(folded_text, found.end())
            else:
                suspect = _CONFUSABLE_SCRIPTS.search(folded_text, at + 1)
        if pieces:
            pieces.append(folded_text[copied:])
            folded_text = "".join(pieces)
    text = folded_text.casefold()
    on_time("normalising the text")
    if len(text) == len(folded_text):
        # Casefolding mapped each character to exactly one letter of the same kind, so the tokens
        # of the case-folded text are those of the folded one; built without a Python-level loop.
        # One split with the token captured: [gap, token, gap, ..., gap]; the running sum of the pieces'
        # lengths gives every token's start and end (half the time of finditer plus findall).
        parts = _SPLITTERS[tokenizer].split(text)
        bounds = list(accumulate(map(len, parts), initial=0))
        return View(original, text, starts, ends, bounds[1:-1:2], bounds[2:-1:2], parts[1::2])
    if raw_tokens is None:
        raw_tokens = [m.span() for m in tokenizer.finditer(folded_text)]
    # a character grew (ß -> ss): it keeps pointing at its original
    # (the per-character loop done in C: map, repeat and accumulate)
    folded_chars = list(map(str.casefold, folded_text))
    sizes = list(map(len, folded_chars))
    out_starts = list(chain.from_iterable(map(repeat, starts, sizes)))
    out_ends = list(chain.from_iterable(map(repeat, ends, sizes)))
    remap = list(accumulate(sizes, initial=0))
    text = "".join(folded_chars)
    token_starts = [remap[s] for s, _ in raw_tokens]
    token_ends = [remap[e] for _, e in raw_tokens]
    return View(original, text, out_starts, out_ends, token_starts, token_ends,
                [text[s:e] for s, e in zip(token_starts, token_ends, strict=True)])


def _token_start(text: str, position: int) -> int:
    """Where the run of letters and digits around *position* starts."""
    while position > 0 and text[position - 1].isalnum() and not is_cjk(text[position - 1]):
        position -= 1
    return position


def _mapped_fold(original: str, changes: dict[str, str]) -> tuple[str, list[int], list[int]]:
    """The folded text with explicit index maps, for texts where characters vanish or grow.

    Each view character points at the original one it came from; a combining mark that vanished
    belongs to the view character before it (its end moves past the mark). Built with C-level
    map/repeat/accumulate: a Python loop per character took 125 ms on 100,000 accented letters."""
    table = {ord(c): f for c, f in changes.items()}
    pieces = list(map(changes.get, original, original))
    sizes = list(map(len, pieces))
    count = len(original)
    if max(sizes, default=0) <= 1:  # characters only vanish (zero-width, combining marks): keep the rest
        starts = list(compress(range(count), sizes))
        ends = list(compress(range(1, count + 1), sizes))
    else:
        starts = list(chain.from_iterable(map(repeat, range(count), sizes)))
        ends = list(chain.from_iterable(map(repeat, range(1, count + 1), sizes)))
    marks = [c for c, f in changes.items() if not f and ord(c) not in IGNORABLE]  # vanished, not ignorable
    if marks:
        # a lone combining mark joins the view character before it (its end moves past the mark); the
        # marks in the order they come, a later one winning: in C (a Python step per mark took 40 ms on
        # 50,000 marks)
        produced = list(accumulate(sizes))  # view characters made from original[: index + 1]
        on_time("normalising the text")
        positions = list(compress(range(count), map(frozenset(marks).__contains__, original)))
        # (produced never falls: the marks before the first view character are a prefix, and have none)
        positions = positions[bisect.bisect_right(positions, bisect.bisect_right(produced, 0) - 1):]
        before = map(operator.sub, map(produced.__getitem__, positions), repeat(1))
        deque(map(ends.__setitem__, before, map(operator.add, positions, repeat(1))), maxlen=0)
    return original.translate(table), starts, ends


@lru_cache(maxsize=4096)
def _fold_token(word: str) -> str:
    """*word* with its Cyrillic and Greek letters folded to their Latin look-alikes, when it mixes
    them with Latin or all its letters are look-alikes (G1 step 3); else *word* itself. Reads each
    distinct character once and replaces in C (a 100,000-letter mixed token is one call)."""
    distinct = set(word)
    scripts = {_script(c) for c in distinct if c.isalpha()}
    if not scripts & {"cyrillic", "greek"}:
        return word
    lookalikes = {c: latin_lookalike(c) for c in distinct if _script(c) in ("cyrillic", "greek")}
    mixed = "latin" in scripts
    all_confusable = all(lookalikes.get(c) is not None for c in distinct if c.isalpha())
    if not (mixed or all_confusable):
        return word
    return word.translate({ord(c): look for c, look in lookalikes.items() if look is not None})


def _fold_confusables(chars: list[str], start: int, end: int) -> None:
    """G1 step 3 on chars[start:end], one character at a time: the plain reading of the rule that
    :func:`_fold_token` does in C (tests compare the view with a reference built with this)."""
    scripts = {_script(c) for c in chars[start:end] if c.isalpha()}
    if not scripts & {"cyrillic", "greek"}:
        return
    lookalikes = [latin_lookalike(c) if _script(c) in ("cyrillic", "greek") else None for c in chars[start:end]]
    letters = [c for c in chars[start:end] if c.isalpha()]
    mixed = "latin" in scripts
    all_confusable = all(
        look is not None for c, look in zip(chars[start:end], lookalikes, strict=True) if c.isalpha()
    ) and bool(letters)
    if not (mixed or all_confusable):
        return
    for offset, look in enumerate(lookalikes):
        if look is not None:
            chars[start + offset] = look


# G5: after ".", "!" or "?" (a run of them) followed by white space, and at every line break. Written
# to start with one character class, which the regex engine scans for quickly. A run is only tried
# from its first character (the look-behind) and read possessively: tried from every character of a
# run, 100,000 dots without white space after them took 40 seconds (quadratic), now 4 ms.
_SENTENCE_END = re.compile(
    r"[.!?\n\r\u2028\u2029](?:(?<=[.!?])(?<![.!?].)[.!?]*+(?=\s)|(?<=\r)\n?|(?<=[\n\u2028\u2029]))")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentences of the original text (G5), as code-point spans covering the whole text."""
    ends = list(map(_Match.end, _SENTENCE_END.finditer(text)))
    return list(zip([0, *ends], [*ends, len(text)], strict=True))
