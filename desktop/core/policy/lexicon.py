"""Term matching over the normalised view (acme-policy G1, G2, G4; evasions of R3 and R18).

A term is one or more tokens. It matches consecutive view tokens separated only by spaces, tabs,
hyphens or underscores, or, if the term has several tokens, its *compact* form inside a single
token (``projectbluebird``, ``#AcmeCloud``). Substrings of a token never match (Scunthorpe,
assess, classic). Lookup is a dictionary keyed by the first token (and by the compact form), so a
check costs the same with 50 terms as with 50,000.

Evasion levels, per rule:
- ``standard``: what the view already undoes (zero-width and bidi characters, NFKC, accents,
  case, Cyrillic/Greek look-alikes in mixed tokens);
- ``leet``: also leet digits (0→o, 1→i, 3→e, 4→a, 5→s, 7→t) inside tokens that have a letter;
- ``strict``: also letters stretched to 3 or more repeats (``shiiiit``) and 3 or more single
  letters spaced out by one of `` .-_`` (``f u c k``, ``f.u.c.k``).
Self-censored words (``f*ck``, ``sh*t``: ``*`` for letters, same length) are found by
:func:`self_censored` and reported one severity lower.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from desktop.core.policy.budget import on_time
from desktop.core.policy.text import LEET, View

CASE_MODES = ("any", "upper", "capitalized")
EVASION_LEVELS = ("standard", "leet", "strict")
_TERM_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_JOINERS = frozenset(" \t-_")
_SPACED_SEPARATORS = frozenset(" .-_")


@dataclass(frozen=True)
class Term:
    text: str  # as written in the policy
    tokens: tuple[str, ...]  # normalised tokens
    case: str = "any"

    @property
    def compact(self) -> str:
        return "".join(self.tokens)


def make_term(text: str, case: str = "any") -> Term:
    """Normalise a policy term the same way post text is normalised."""
    from desktop.core.policy.text import normalise

    view = normalise(text)
    tokens = tuple(view.token_texts)
    if not tokens:
        raise ValueError(f"term {text!r} has no letters or digits")
    if case not in CASE_MODES:
        raise ValueError(f"case must be one of {', '.join(CASE_MODES)}, not {case!r}")
    return Term(text, tokens, case)


class Match(NamedTuple):
    term: Term
    start: int  # original code points, symbol prefix (#, @, $) included
    end: int
    first_token: int  # position in the text's visible tokens
    last_token: int


class Lexicon:
    def __init__(self, terms: Iterable[Term], evasion: str = "standard", compact: bool = True) -> None:
        if evasion not in EVASION_LEVELS:
            raise ValueError(f"evasion must be one of {', '.join(EVASION_LEVELS)}, not {evasion!r}")
        self.evasion = evasion
        self.terms: list[Term] = list(terms)
        self._by_first: dict[str, list[Term]] = {}
        self._by_compact: dict[str, list[Term]] = {}
        self.max_tokens = 1
        for term in self.terms:
            self._by_first.setdefault(term.tokens[0], []).append(term)
            if compact and len(term.tokens) > 1:
                self._by_compact.setdefault(term.compact, []).append(term)
            self.max_tokens = max(self.max_tokens, len(term.tokens))
        self._any_case = all(term.case == "any" for term in self.terms)

    def find(self, view: View, excluded: list[tuple[int, int]] | None = None) -> list[Match]:
        """Every match in *view*, longest first at a position, overlapping shorter ones dropped."""
        return self.find_in(TokenIndex(view, excluded))

    def find_in(self, index: TokenIndex) -> list[Match]:
        """Like :meth:`find`, on a text's shared token index (built once per text for every lexicon).

        Only the dictionary keys both the lexicon and the text have are visited (a set intersection
        in C), so the cost follows the text's distinct words, not the lexicon's size.
        """
        texts = index.texts
        count = len(texts)
        view = index.view
        gap_ok = index.joinable
        extra = index.extra_forms(self.evasion)
        found: list[Match] = []
        by_first, by_compact = self._by_first, self._by_compact
        for where in (index.where, index.extra_where(self.evasion)):
            if not where:
                continue
            for key in by_first.keys() & where.keys():
                on_time("a word list")  # a check's time budget (a word repeated thousands of times: once a word)
                for position in where[key]:
                    for term in by_first[key]:
                        last = position
                        if len(term.tokens) == 1:
                            found.append(self._match(view, term, index, position, position))
                            continue
                        for expected in term.tokens[1:]:
                            nxt = last + 1
                            if (nxt >= count or not (texts[nxt] == expected or expected in extra.get(nxt, ()))
                                    or not gap_ok(last)):
                                last = -1
                                break
                            last = nxt
                        if last >= 0:
                            found.append(self._match(view, term, index, position, last))
            if by_compact:
                for key in by_compact.keys() & where.keys():
                    for position in where[key]:
                        for term in by_compact[key]:
                            found.append(self._match(view, term, index, position, position))
        if self.evasion == "strict":
            spelled: dict[str, list[tuple[int, int, Term]]] = {}  # a post repeats its spelled-out words
            for first, _last, word in index.spaced_runs():
                if word not in spelled:
                    spelled[word] = self._spelled_out(word)
                for i, j, term in spelled[word]:
                    found.append(self._match(view, term, index, first + i, first + j - 1))
        if not found:
            return []
        if self._any_case:
            return found if len(found) == 1 else _keep_longest(found)
        return _keep_longest(m for m in found if m.term.case == "any" or _case_ok(view, m))

    def _spelled_out(self, word: str) -> list[tuple[int, int, Term]]:
        """The terms a run of spaced-out letters spells: (first letter, end, term) in the run."""
        hits = []
        # a one-letter word may sit next to the spelled-out one: "what a f u c k i n g joke",
        # "I f.u.c.k agree"; anything else in the run is part of the word (S c u n t h o r p e)
        for i, j in _trims(word):
            for form in token_forms(word[i:j], self.evasion):
                for term in [*self._by_first.get(form, ()), *self._by_compact.get(form, ())]:
                    if len(term.tokens) == 1 or term.compact == form:
                        hits.append((i, j, term))
        return hits

    @staticmethod
    def _match(view: View, term: Term, index: TokenIndex, first: int, last: int) -> Match:
        start = view.starts[index.starts[first]]
        end = view.ends[index.ends[last] - 1]
        if start > 0 and view.original[start - 1] in "#@$":
            start -= 1  # G4: the symbol belongs to the match
        return _new_match(Match, (term, start, end, first, last))


_LEET_DIGIT = re.compile(f"[{''.join(LEET)}]")
_STRETCHED = re.compile(r"(.)\1{2,}")
# the words that may have other spellings at a level (a leet digit; for strict, also a letter x 3)
_MAY_HAVE_FORMS = {"leet": _LEET_DIGIT, "strict": re.compile(f"[{''.join(LEET)}]|(.)\\1\\1")}


@lru_cache(maxsize=65536)
def token_forms(text: str, evasion: str) -> tuple[str, ...]:
    """The spellings a token stands for under an evasion level (the token itself first)."""
    if evasion == "standard":
        return (text,)
    forms = [text]
    if any(c in LEET for c in text) and not text.isdigit() and any(c.isalpha() for c in text):
        forms.append("".join(LEET.get(c, c) for c in text))
    if evasion == "strict":
        for form in list(forms):
            forms.extend(_unstretched(form))
    return tuple(dict.fromkeys(forms))


def _unstretched(word: str) -> list[str]:
    """Each run of 3+ repeats read as one or two letters, in every combination
    (``shiiittty`` -> shity, shitty, shiity, shiitty); at most 10 runs are varied."""
    pieces = [m.group() for m in _RUNS.finditer(word)]
    if not any(len(p) >= 3 for p in pieces):
        return []
    choices = [(p[0], p[0] * 2) if len(p) >= 3 else (p,) for p in pieces]
    stretched = sum(1 for p in pieces if len(p) >= 3)
    if stretched > 10:
        return ["".join(c[0] for c in choices), "".join(c[-1] for c in choices)]
    return ["".join(combo) for combo in itertools.product(*choices)]


_RUNS = re.compile(r"(.)\1*")


class TokenIndex:
    """The tokens of one text that word rules can see (G3: none inside an excluded zone), with their
    other spellings under each evasion level; built once per text and shared by every lexicon."""

    def __init__(self, view: View, excluded: list[tuple[int, int]] | None = None) -> None:
        self.view = view
        # the visible tokens, as parallel lists (view indices, case-folded texts)
        self.starts, self.ends, self.texts = _visible_tokens(view, excluded)
        self.where: dict[str, list[int]] = {}  # token text -> positions of the tokens
        on_time("reading the words")  # a check's time budget
        for position, text in enumerate(self.texts):
            self.where.setdefault(text, []).append(position)
        self._extra: dict[str, dict[int, tuple[str, ...]]] = {"standard": {}}
        self._extra_where: dict[str, dict[str, list[int]]] = {"standard": {}}
        self._spaced: list[tuple[int, int, str]] | None = None
        self._by_start: dict[int, int] | None = None

    def extra_forms(self, evasion: str) -> dict[int, tuple[str, ...]]:
        """position -> the token's other spellings under *evasion* (only tokens that have some)."""
        if evasion not in self._extra:
            # One look per distinct word, not one per leet digit or repeated letter of the text: a
            # post of 100,000 digits has a few thousand distinct words at most (token_forms is cached).
            may_have = _MAY_HAVE_FORMS[evasion]
            extra: dict[int, tuple[str, ...]] = {}
            for word, positions in self.where.items():
                if may_have.search(word):
                    forms = token_forms(word, evasion)[1:]
                    if forms:
                        for position in positions:
                            extra[position] = forms
            self._extra[evasion] = dict(sorted(extra.items()))
        return self._extra[evasion]

    def extra_where(self, evasion: str) -> dict[str, list[int]]:
        if evasion not in self._extra_where:
            where: dict[str, list[int]] = {}
            for position, forms in self.extra_forms(evasion).items():
                for form in forms:
                    where.setdefault(form, []).append(position)
            self._extra_where[evasion] = where
        return self._extra_where[evasion]

    def joinable(self, position: int) -> bool:
        """Tokens *position* and *position* + 1 are separated only by spaces, tabs, hyphens or
        underscores (so they can be two words of one term)."""
        gap = self.view.text[self.ends[position] : self.starts[position + 1]]
        return bool(gap) and all(c in _JOINERS for c in gap)

    def _position_of(self, view_index: int) -> int | None:
        """The position of the visible token that starts at *view_index*, if any."""
        if self._by_start is None:
            self._by_start = {start: position for position, start in enumerate(self.starts)}
        return self._by_start.get(view_index)

    def spaced_runs(self) -> list[tuple[int, int, str]]:
        """Runs of 3+ single letters separated by one of ' .-_' (``f u c k``), read as one word."""
        if self._spaced is None:
            runs = []
            for match in _SPACED_RUN.finditer(self.view.text):
                first = self._position_of(match.start())
                last = self._position_of(match.end() - 1)
                letters = match.group()[::2]
                if first is not None and last is not None and last - first == len(letters) - 1:
                    runs.append((first, last, letters))
            self._spaced = runs
        return self._spaced


def _trims(word: str) -> list[tuple[int, int]]:
    """The run itself, and without a leading and/or trailing one-letter word (a, i)."""
    head = 1 if word[0] in "ai" else 0
    tail = 1 if word[-1] in "ai" else 0
    spans = {(0, len(word)), (head, len(word)), (0, len(word) - tail), (head, len(word) - tail)}
    return sorted((i, j) for i, j in spans if j - i >= 3)


_SPACED_RUN = re.compile(r"(?<![^\W_])[^\W_](?:[ .\-_][^\W_]){2,}(?![^\W_])")


def _visible_tokens(view: View, excluded: list[tuple[int, int]] | None) -> tuple[list[int], list[int], list[str]]:
    """The tokens outside every excluded zone (zones in original code points), as parallel lists."""
    starts, ends, texts = view.token_starts, view.token_ends, view.token_texts
    if not excluded:
        return starts, ends, texts
    keep: list[tuple[int, int]] = []  # ranges of token positions to keep
    position = 0
    # the view's characters are the original's one for one (index maps are ranges): a zone's view
    # indices are its own, no binary search over a range needed (thousands of links in a post)
    one_for_one = isinstance(view.starts, range) and isinstance(view.ends, range)
    count = len(view.starts)
    for step, (zone_start, zone_end) in enumerate(_merged(excluded)):
        if not step & 1023:
            on_time("reading the words")  # a check's time budget (thousands of links)
        # view indices of the zone: characters that came from original code points in [zone_start, zone_end)
        if one_for_one:
            view_start = min(max(zone_start, 0), count)
            view_end = min(max(zone_end, 0), count)
        else:
            view_start = bisect.bisect_right(view.ends, zone_start)
            view_end = bisect.bisect_left(view.starts, zone_end)
        first = bisect.bisect_right(starts, view_start) - 1  # the token that may reach into the zone
        if first < position or (first >= 0 and ends[first] <= view_start):
            first += 1
        first = max(first, position)
        last = bisect.bisect_left(starts, view_end)  # first token starting at or after the zone's end
        keep.append((position, first))
        position = max(position, last)
    keep.append((position, len(starts)))
    kept_starts: list[int] = []
    kept_ends: list[int] = []
    kept_texts: list[str] = []
    for a, b in keep:
        if a < b:
            kept_starts += starts[a:b]
            kept_ends += ends[a:b]
            kept_texts += texts[a:b]
    return kept_starts, kept_ends, kept_texts


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged




def _case_ok(view: View, match: Match) -> bool:
    if match.term.case == "any":
        return True
    original = view.original[match.start : match.end].lstrip("#@$")
    letters = [c for c in original if c.isalpha()]
    if match.term.case == "upper":
        cased = [c for c in letters if c.lower() != c.upper()]
        return bool(cased) and all(c.isupper() for c in cased)
    return bool(letters) and letters[0].isupper()  # capitalized


_new_match = tuple.__new__


def _keep_longest(matches: Iterable[Match]) -> list[Match]:
    ordered = sorted(set(matches), key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


# A run of word characters and "*" holding a "*", tried only from the run's first character (the
# look-behind) and read lazily up to its first "*", then possessively: linear on any text (a
# character-by-character scan from each "*" cost 35 ms on 100,000 characters of "f*ck").
_CENSORED_WORD = re.compile(r"(?<![\w*])[\w*]*?\*[\w*]*+")


class _CensorIndex(NamedTuple):
    """The single-word strong terms by length, and for each (length, position, character) the
    terms that have that character there, so a censored word is looked up, not compared with each
    term of its length (a word list of hundreds of four-letter words stays cheap)."""

    by_length: dict[int, list[Term]]
    having: dict[tuple[int, int, str], frozenset[int]]  # -> indices into by_length[length]


_censor_indexes: dict[int, tuple[object, _CensorIndex]] = {}


def _censor_index(strong_terms: Iterable[Term]) -> _CensorIndex:
    key = id(strong_terms)
    cached = _censor_indexes.get(key)
    if cached is not None and cached[0] is strong_terms and isinstance(strong_terms, (list, tuple)):
        return cached[1]
    by_length: dict[int, list[Term]] = {}
    for term in strong_terms:
        if len(term.tokens) == 1:
            by_length.setdefault(len(term.tokens[0]), []).append(term)
    having: dict[tuple[int, int, str], set[int]] = {}
    for length, terms in by_length.items():
        for number, term in enumerate(terms):
            for position, ch in enumerate(term.tokens[0]):
                having.setdefault((length, position, ch), set()).add(number)
    index = _CensorIndex(by_length, {k: frozenset(v) for k, v in having.items()})
    if isinstance(strong_terms, (list, tuple)):  # a lexicon's own list: kept while the lexicon lives
        if len(_censor_indexes) > 64:
            _censor_indexes.clear()
        _censor_indexes[key] = (strong_terms, index)
    return index


def self_censored(text: str, strong_terms: Iterable[Term]) -> list[tuple[int, int, Term]]:
    """Words where ``*`` stands for letters of a strong term of the same length (``F*CK``)."""
    if "*" not in text:
        return []
    index = _censor_index(strong_terms)
    found = []
    seen: dict[str, Term | None] = {}  # a word -> the term it stands for (a post repeats its words)
    for count, match in enumerate(_CENSORED_WORD.finditer(text)):
        if not count & 511:
            on_time("self-censored words")  # a check's time budget
        raw = match.group()
        term = seen.get(raw, _UNSEEN)
        if term is _UNSEEN:
            term = seen[raw] = _censored_term(raw, index)
        if term is not None:
            found.append((match.start(), match.end(), term))
    return found


_UNSEEN: Term | None = Term("", ("",))  # a marker: the word was not looked up yet


def _censored_term(raw: str, index: _CensorIndex) -> Term | None:
    """The first strong term that *raw* (letters and ``*``) spells with ``*`` for some letters."""
    if raw.isascii() and len(raw) not in index.by_length:
        return None  # (only characters beyond ASCII can change the length when case-folded: ß -> ss)
    word = raw.casefold()
    terms = index.by_length.get(len(word), ())
    if not terms or word.count("*") == len(word) or not any(c.isalpha() for c in word):
        return None
    candidates: frozenset[int] | None = None
    for position, ch in enumerate(word):
        if ch != "*":
            having = index.having.get((len(word), position, ch), frozenset())
            candidates = having if candidates is None else candidates & having
            if not candidates:
                return None
    return terms[min(candidates)] if candidates else None  # the first such term, as the list has them
