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

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from desktop.core.policy.text import LEET, Token, View

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
    tokens = tuple(token.text for token in view.tokens)
    if not tokens:
        raise ValueError(f"term {text!r} has no letters or digits")
    if case not in CASE_MODES:
        raise ValueError(f"case must be one of {', '.join(CASE_MODES)}, not {case!r}")
    return Term(text, tokens, case)


@dataclass(frozen=True)
class Match:
    term: Term
    start: int  # original code points, symbol prefix (#, @, $) included
    end: int
    first_token: int  # index into view.tokens
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

    # -- variants of a token under the evasion level ---------------------------------------------
    def _forms(self, text: str) -> tuple[str, ...]:
        forms = [text]
        if self.evasion in ("leet", "strict") and any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
            forms.append("".join(LEET.get(c, c) for c in text))
        if self.evasion == "strict":
            for form in list(forms):
                if re.search(r"(.)\1\1", form):
                    forms.append(re.sub(r"(.)\1{2,}", r"\1", form))
                    forms.append(re.sub(r"(.)\1{2,}", r"\1\1", form))
        return tuple(dict.fromkeys(forms))

    def find(self, view: View, excluded: list[tuple[int, int]] | None = None) -> list[Match]:
        """Every match in *view*, longest first at a position, overlapping shorter ones dropped."""
        tokens = _visible_tokens(view, excluded)
        found: list[Match] = []
        for index, token in enumerate(tokens):
            for form in self._forms(token.text):
                for term in self._by_first.get(form, ()):
                    end_index = self._match_from(view, tokens, index, term, form)
                    if end_index is not None:
                        found.append(self._match(view, term, tokens, index, end_index))
                for term in self._by_compact.get(form, ()):
                    found.append(self._match(view, term, tokens, index, index))
        if self.evasion == "strict":
            found.extend(self._spaced(view, tokens))
        return _keep_longest(m for m in found if _case_ok(view, m))

    def _match_from(self, view: View, tokens: list[Token], index: int, term: Term, first_form: str) -> int | None:
        position = index
        for expected in term.tokens[1:]:
            nxt = position + 1
            if nxt >= len(tokens) or not _joined(view, tokens[position], tokens[nxt]):
                return None
            if expected not in self._forms(tokens[nxt].text):
                return None
            position = nxt
        return position

    def _spaced(self, view: View, tokens: list[Token]) -> Iterator[Match]:
        """Runs of 3+ single letters separated by one of ' .-_' read as one word."""
        i = 0
        while i < len(tokens):
            j = i
            while (
                j + 1 < len(tokens)
                and len(tokens[j].text) == 1
                and len(tokens[j + 1].text) == 1
                and tokens[j + 1].start - tokens[j].end == 1
                and view.text[tokens[j].end] in _SPACED_SEPARATORS
            ):
                j += 1
            if j - i + 1 >= 3 and len(tokens[i].text) == 1:
                word = "".join(t.text for t in tokens[i : j + 1])
                for form in self._forms(word):
                    for term in [*self._by_first.get(form, ()), *self._by_compact.get(form, ())]:
                        if len(term.tokens) == 1 or term.compact == form:
                            yield self._match(view, term, tokens, i, j)
                i = j + 1
            else:
                i += 1

    @staticmethod
    def _match(view: View, term: Term, tokens: list[Token], first: int, last: int) -> Match:
        start, _ = view.original_span(tokens[first].start, tokens[first].end)
        _, end = view.original_span(tokens[last].start, tokens[last].end)
        if start > 0 and view.original[start - 1] in "#@$":
            start -= 1  # G4: the symbol belongs to the match
        return Match(term, start, end, first, last)


def _visible_tokens(view: View, excluded: list[tuple[int, int]] | None) -> list[Token]:
    if not excluded:
        return view.tokens
    kept = []
    for token in view.tokens:
        start, end = view.original_span(token.start, token.end)
        if not any(s < end and start < e for s, e in excluded):
            kept.append(token)
    return kept


def _joined(view: View, left: Token, right: Token) -> bool:
    """Tokens of a multi-word term: separated only by spaces, tabs, hyphens or underscores."""
    gap = view.text[left.end : right.start]
    if not gap:
        return False  # two tokens touching: e.g. CJK next to Latin; not a word boundary we join
    return all(c in _JOINERS for c in gap)


def _case_ok(view: View, match: Match) -> bool:
    if match.term.case == "any":
        return True
    original = view.original[match.start : match.end].lstrip("#@$")
    letters = [c for c in original if c.isalpha()]
    if match.term.case == "upper":
        cased = [c for c in letters if c.lower() != c.upper()]
        return bool(cased) and all(c.isupper() for c in cased)
    return bool(letters) and letters[0].isupper()  # capitalized


def _keep_longest(matches: Iterable[Match]) -> list[Match]:
    ordered = sorted(set(matches), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


_CENSORED = re.compile(r"(?<![\w*])(?=[\w*]*\*)(?=[\w*]*[^\W\d_])[^\W\d_*]?[\w*]*(?![\w*])")


def self_censored(text: str, strong_terms: Iterable[Term]) -> list[tuple[int, int, Term]]:
    """Words where ``*`` stands for letters of a strong term of the same length (``F*CK``)."""
    by_length: dict[int, list[Term]] = {}
    for term in strong_terms:
        if len(term.tokens) == 1:
            by_length.setdefault(len(term.tokens[0]), []).append(term)
    found = []
    for match in _CENSORED.finditer(text):
        word = match.group().casefold()
        if not any(c.isalpha() for c in word) or word.count("*") == len(word):
            continue
        for term in by_length.get(len(word), ()):
            target = term.tokens[0]
            if all(w == "*" or w == t for w, t in zip(word, target)):
                found.append((match.start(), match.end(), term))
                break
    return found
